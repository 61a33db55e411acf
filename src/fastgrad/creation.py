"""Making tensors: tensor(), from_numpy() and the factories (zeros, randn, ...)."""
import warnings
from typing import Any, Optional, Sequence, Union

import numpy as np

from .autograd.tensor import Tensor, as_array, new_tensor
from .dtypes import get_default_dtype
from .generator import Generator

_rng_state = [Generator()]
_rng_state[0].seed()   # an unseeded program draws differently on every run


def manual_seed(seed: int) -> Generator:
    """Seed the generator behind rand, randn, shuffling and nn initialisers; returns it
    (a fastgrad.Generator, which is a numpy.random.Generator).  The generator is reseeded in
    place, as PyTorch's default generator is, so whatever holds it (a shuffling DataLoader
    made earlier) follows the new seed."""
    return _rng_state[0].manual_seed(seed if isinstance(seed, bool) else int(seed))


def default_generator():
    return _rng_state[0]


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new leaf tensor from data (a number, nested lists, an array or a Tensor), always a copy.

    `device` ("cpu", "cuda" or "cuda:N") puts the data there: "cuda" makes a
    CuPy array (CuPy is imported only then).  Without it, an array keeps its
    own type and device.  `as_tensor` and `from_numpy` share an array's memory
    instead.  pin_memory=True warns that it has no effect (host data is
    ordinary NumPy memory, as in DataLoader).

    >>> tensor([1.0, 2.0], requires_grad=True)
    tensor([1., 2.], requires_grad=True)
    """
    if pin_memory:
        warnings.warn("tensor: pin_memory=True has no effect: host tensors hold ordinary NumPy memory",
                      stacklevel=2)
    array, source = _array_on(data, dtype, device, "tensor")
    if source is not None and _may_share(array, source):
        array = _copy(array)
    return Tensor(array, requires_grad=requires_grad)


def _array_on(data, dtype, device, op):
    """(the array for a new tensor, the array it came from or None): `dtype` and
    `device` applied, the source's memory shared where nothing had to change."""
    if isinstance(data, Tensor):
        data = data._data
    elif isinstance(data, (list, tuple)) and data:
        if dtype is None:
            dtype = sequence_dtype(data)
        if any(isinstance(d, Tensor) for d in data):
            data = [d._data if isinstance(d, Tensor) else d for d in data]
    source = data if hasattr(data, "shape") and hasattr(data, "dtype") and not isinstance(data, np.generic) \
        else None
    if dtype is not None and source is not None and data.dtype == np.dtype(dtype):
        dtype = None
    array = as_array(data, dtype, op)
    from .devices import default_or

    device = default_or(device)
    if device is not None:
        from .devices import move_array

        array = move_array(array, device)
    return array, source


def sequence_dtype(data):
    """PyTorch's dtype for a (nested) list or tuple holding Tensors, NumPy arrays or NumPy
    scalars: the dtypes of all its items promoted together by PyTorch's rule (ops/promotion.py: a
    higher category of bool < integer < floating < complex wins; within one, NumPy's promotion), a
    Python float counting as the default dtype, an int as int64, a bool as bool.  None where no
    item has a NumPy dtype of its own: then NumPy's inference applies, floats made the default
    dtype.  So
    `tensor([tensor(1.5, dtype=float64), 2.0])` is float64 and `tensor([np.ones(2), np.ones(2)])`
    float64, as in PyTorch, while `tensor([1.5, 2.0])` is the default dtype.
    """
    from .ops.promotion import number_dtype, promote   # here: the ops import this module

    typed, untyped = set(), set()
    _item_dtypes(data, typed, untyped)
    if not typed or not all(isinstance(d, np.dtype) for d in typed):
        return None   # nothing typed, or an array-API library's dtypes: its own rules
    dtypes = list(typed)
    for kind in untyped:
        number = next((base for base in (bool, int, float, complex) if issubclass(kind, base)), None)
        if number is None:
            return None   # CuPy arrays, strings, ...: NumPy's inference (or its error)
        dtypes.append(number_dtype(number()))
    result = dtypes[0]
    for dtype in dtypes[1:]:
        result = promote(result, dtype)
    return result


def _item_dtypes(data, typed, untyped):
    """Collects the dtypes of the Tensors, arrays and NumPy scalars in a nested sequence (typed)
    and the types of its other leaves (untyped), one pass of type() per level."""
    for kind in set(map(type, data)):
        if issubclass(kind, (list, tuple)):
            for item in data:
                if type(item) is kind:
                    _item_dtypes(item, typed, untyped)
        elif issubclass(kind, Tensor):
            typed.update(item._data.dtype for item in data if type(item) is kind)
        elif issubclass(kind, (np.ndarray, np.generic)):
            typed.update(item.dtype for item in data if type(item) is kind)
        else:
            untyped.add(kind)


def _may_share(array, source):
    if array is source:
        return True
    return isinstance(array, np.ndarray) and isinstance(source, np.ndarray) and np.may_share_memory(array, source)


def _copy(array):
    if hasattr(array, "copy"):
        return array.copy()
    return array.__array_namespace__().asarray(array, copy=True)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with a NumPy array (dtype kept)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    return new_tensor(array, False, None)


def frombuffer(buffer: Any, *, dtype: Any, count: int = -1, offset: int = 0, requires_grad: bool = False) -> Tensor:
    """A 1-d tensor over the bytes of an object with the buffer protocol (bytes, bytearray,
    memoryview, array.array, mmap), sharing its memory as torch.frombuffer does: `count`
    elements (-1: all) of `dtype` starting `offset` bytes in.  A read-only buffer gives a
    read-only tensor (writing to it raises)."""
    if dtype is None:
        raise TypeError("frombuffer: argument 'dtype' is required")
    dtype = np.dtype(dtype)
    try:
        view = memoryview(buffer)
    except TypeError:
        raise TypeError(f"frombuffer: argument 'buffer' must support the buffer protocol, got "
                        f"{type(buffer).__name__}") from None
    size = view.nbytes
    if not 0 <= offset <= size or (offset == size and count != 0 and size):
        raise ValueError(f"frombuffer: offset {offset} is outside a buffer of {size} bytes")
    if count == -1 and (size - offset) % dtype.itemsize:
        raise ValueError(f"frombuffer: {size - offset} bytes after offset {offset} are not a whole number of "
                         f"{dtype} elements ({dtype.itemsize} bytes each)")
    if count != -1 and (count < 0 or offset + count * dtype.itemsize > size):
        raise ValueError(f"frombuffer: {count} elements of {dtype} from offset {offset} do not fit a buffer of "
                         f"{size} bytes")
    if size == 0 or count == 0:
        raise ValueError("frombuffer: the buffer or the requested count is empty (PyTorch refuses an empty tensor "
                         "from a buffer)")
    array = np.frombuffer(view.cast("B"), dtype=dtype, count=count, offset=offset)
    return Tensor(array, requires_grad=requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """A tensor sharing memory with `data` when it is already an array (or Tensor) of
    that dtype and device; otherwise a new one.  A Tensor needing no change is
    returned as it is."""
    if isinstance(data, Tensor) and dtype is None and device is None:
        return data
    return Tensor(_array_on(data, dtype, device, "as_tensor")[0])


def _shape(size, op="factory"):
    if len(size) == 1 and not isinstance(size[0], (int, np.integer)):
        size = tuple(size[0])
    for n in size:
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
            raise ValueError(f"{op}: sizes must be non-negative integers, got {tuple(size)}")
    return tuple(int(n) for n in size)


def _dtype(dtype):
    return np.dtype(get_default_dtype() if dtype is None else dtype)


def _leaf(array, requires_grad, device=None):
    from .devices import default_or

    device = default_or(device)
    if device is not None:
        from .devices import move_array

        array = move_array(array, device)
    return Tensor(array, requires_grad=requires_grad)


def factory(fill, size, dtype, device, requires_grad, op):
    """A new leaf of shape `size` filled by "zeros", "ones" or "empty" (shared by the
    module functions and Tensor.new_zeros / new_ones / new_empty)."""
    make = {"zeros": np.zeros, "ones": np.ones, "empty": np.empty}[fill]
    return _leaf(make(_shape(size, op), dtype=_dtype(dtype)), requires_grad, device)


def zeros(*size: Union[int, Sequence[int]], dtype: Any = None, device: Any = None,
          requires_grad: bool = False, out: Optional[Tensor] = None) -> Tensor:
    _no_out(out, "zeros")
    return factory("zeros", size, dtype, device, requires_grad, "zeros")


def ones(*size: Union[int, Sequence[int]], dtype: Any = None, device: Any = None,
         requires_grad: bool = False, out: Optional[Tensor] = None) -> Tensor:
    _no_out(out, "ones")
    return factory("ones", size, dtype, device, requires_grad, "ones")


def empty(*size: Union[int, Sequence[int]], dtype: Any = None, device: Any = None,
          requires_grad: bool = False, out: Optional[Tensor] = None) -> Tensor:
    """A tensor of shape `size` with unspecified values (NumPy's empty)."""
    _no_out(out, "empty")
    return factory("empty", size, dtype, device, requires_grad, "empty")


def full(size: Any, fill_value: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
         out: Optional[Tensor] = None) -> Tensor:
    _no_out(out, "full")
    size = (size,) if isinstance(size, (int, np.integer)) else tuple(size)
    if dtype is None and isinstance(fill_value, (bool, int, np.integer)):
        dtype = np.bool_ if isinstance(fill_value, bool) else np.int64   # as PyTorch infers
    return _leaf(np.full(_shape(size, "full"), fill_value, dtype=_dtype(dtype)), requires_grad, device)


def _like(t, dtype, device):
    data = t._data if isinstance(t, Tensor) else np.asarray(t)
    return tuple(data.shape), (data.dtype if dtype is None else dtype), \
        (device if device is not None else (t.device if isinstance(t, Tensor) else None))


def zeros_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dtype, device = _like(t, dtype, device)
    return _leaf(np.zeros(shape, dtype=dtype), requires_grad, device)


def ones_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dtype, device = _like(t, dtype, device)
    return _leaf(np.ones(shape, dtype=dtype), requires_grad, device)


def empty_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dtype, device = _like(t, dtype, device)
    return _leaf(np.empty(shape, dtype=dtype), requires_grad, device)


def full_like(t: Tensor, fill_value: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    shape, dtype, device = _like(t, dtype, device)
    return _leaf(np.full(shape, fill_value, dtype=dtype), requires_grad, device)


def rand_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dtype, device = _like(t, dtype, device)
    return rand(shape, dtype=dtype, device=device, requires_grad=requires_grad)


def randn_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dtype, device = _like(t, dtype, device)
    return randn(shape, dtype=dtype, device=device, requires_grad=requires_grad)


def randint_like(t: Tensor, low: int, high: Optional[int] = None, dtype: Any = None,
                 device: Any = None) -> Tensor:
    shape, dtype, device = _like(t, dtype, device)
    return randint(low, high, shape, dtype=dtype, device=device)


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None, device: Any = None,
           requires_grad: bool = False, out: Optional[Tensor] = None) -> Tensor:
    """Evenly spaced values in [start, end); integer arguments give int64."""
    _no_out(out, "arange")
    if end is None:
        start, end = 0, start
    arr = np.arange(start, end, step)
    if dtype is not None:
        arr = arr.astype(dtype)
    elif arr.dtype.kind == "f":
        arr = arr.astype(get_default_dtype())
    elif arr.dtype.kind in "iu":
        arr = arr.astype(np.int64)
    return _leaf(arr, requires_grad, device)


def linspace(start: Any, end: Any, steps: int, dtype: Any = None, device: Any = None,
             requires_grad: bool = False, out: Optional[Tensor] = None) -> Tensor:
    _no_out(out, "linspace")
    return _leaf(np.linspace(start, end, steps, dtype=_dtype(dtype)), requires_grad, device)


def logspace(start: Any, end: Any, steps: int, base: float = 10.0, dtype: Any = None, device: Any = None,
             requires_grad: bool = False, out: Optional[Tensor] = None) -> Tensor:
    """`steps` values base ** t for t evenly spaced from start to end (both included)."""
    _no_out(out, "logspace")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"logspace: argument 'steps' must be a non-negative int, got {steps!r}")
    return _leaf(np.logspace(start, end, int(steps), base=base).astype(_dtype(dtype)), requires_grad, device)


def eye(n: int, m: Optional[int] = None, dtype: Any = None, device: Any = None,
        requires_grad: bool = False, out: Optional[Tensor] = None) -> Tensor:
    _no_out(out, "eye")
    return _leaf(np.eye(n, m, dtype=_dtype(dtype)), requires_grad, device)


def _rng(generator):
    return _rng_state[0] if generator is None else generator


def rand(*size: Union[int, Sequence[int]], dtype: Any = None, device: Any = None,
         requires_grad: bool = False, generator: Any = None, out: Optional[Tensor] = None) -> Tensor:
    """Uniform samples in [0, 1)."""
    _no_out(out, "rand")
    return _leaf(_rng(generator).random(_shape(size, "rand")).astype(_dtype(dtype)), requires_grad, device)


def randn(*size: Union[int, Sequence[int]], dtype: Any = None, device: Any = None,
          requires_grad: bool = False, generator: Any = None, out: Optional[Tensor] = None) -> Tensor:
    """Standard normal samples."""
    _no_out(out, "randn")
    return _leaf(_rng(generator).standard_normal(_shape(size, "randn")).astype(_dtype(dtype)), requires_grad,
                 device)


def randint(low, high=None, size=None, dtype=None, device=None, requires_grad=False, generator=None, out=None):
    """Integers drawn uniformly from [low, high) (int64 unless `dtype` says otherwise).

    As in PyTorch, `randint(high, size)` draws from [0, high):
    `randint(10, (2, 3))` is `randint(0, 10, (2, 3))`."""
    _no_out(out, "randint")
    if isinstance(high, (tuple, list)):               # the randint(high, size) form
        if size is not None:
            raise TypeError(f"randint: got a size twice, {high!r} after high={low!r} and size={size!r}")
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    size = () if size is None else size
    if requires_grad:
        raise RuntimeError("randint: only floating point tensors can require gradients")
    size = (size,) if isinstance(size, (int, np.integer)) else tuple(size)
    values = _rng(generator).integers(low, high, size=size, dtype=np.int64)
    return _leaf(values if dtype is None else values.astype(dtype), False, device)


def randperm(n: int, dtype: Any = None, device: Any = None, requires_grad: bool = False,
             generator: Any = None) -> Tensor:
    """A random permutation of 0 .. n-1 (int64)."""
    if requires_grad:
        raise RuntimeError("randperm: only floating point tensors can require gradients")
    values = _rng(generator).permutation(int(n))
    return _leaf(values.astype(np.int64 if dtype is None else dtype), False, device)


def _no_out(out, op):
    if out is not None:
        raise TypeError(f"{op}: out= is not supported; use the returned tensor")
