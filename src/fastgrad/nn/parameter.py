"""Parameter: a Tensor that a Module registers as one of its learnable weights."""
import numpy as np

from ..autograd.tensor import Tensor


class Parameter(Tensor):
    """A leaf Tensor that requires grad and that `Module` attributes register automatically.

    >>> w = Parameter(np.zeros((3, 2), np.float32))
    >>> w.requires_grad
    True
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = np.empty((0,), dtype=_default_dtype())
        if isinstance(data, Tensor):
            data = data._data
        super().__init__(data)
        if requires_grad:
            self.requires_grad = True

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        copied = Parameter(self._data.copy(), requires_grad=self.requires_grad)
        if self.grad is not None:
            copied.grad = self.grad._data.copy()
        memo[id(self)] = copied
        return copied


def _default_dtype():
    from ..dtypes import get_default_dtype

    return get_default_dtype()


# ---- tensors whose shape is not known yet (the lazy modules') ----------------------------------

def _refuse(op):
    raise RuntimeError(f"{op}: the tensor is an uninitialized parameter or buffer (its shape is not known yet); "
                       "run the lazy module's forward once on an example input, or load a state_dict, before "
                       "using it")


class _Uninitialized:
    """A placeholder tensor (shape (0,)) that `materialize(shape)` turns into the ordinary class
    `_becomes`; anything that needs its shape or values before that raises a RuntimeError."""

    __slots__ = ()
    _becomes = Tensor

    def materialize(self, shape, device=None, dtype=None):
        """Give the tensor `shape` (its values are left uninitialized: a lazy module fills them
        with its reset_parameters) and make it an ordinary Parameter or Tensor, in place."""
        shape = (shape,) if isinstance(shape, int) else tuple(int(s) for s in shape)
        dtype = self._data.dtype if dtype is None else np.dtype(dtype)
        like = self._data
        if device is not None and str(device).startswith("cuda"):
            from ..creation import empty

            data = empty(shape, dtype=dtype, device=device)._data
        elif isinstance(like, np.ndarray):
            data = np.empty(shape, dtype=dtype)
        else:
            from ..backend import namespace_of

            data = namespace_of(like).empty(shape, dtype=like.dtype, device=like.device)
        self._data = data
        self.__class__ = self._becomes

    @property
    def shape(self):
        _refuse(f"{type(self).__name__}.shape")

    @property
    def ndim(self):
        _refuse(f"{type(self).__name__}.ndim")

    def size(self, dim=None):
        _refuse(f"{type(self).__name__}.size")

    def dim(self):
        _refuse(f"{type(self).__name__}.dim")

    def numel(self):
        _refuse(f"{type(self).__name__}.numel")

    def numpy(self, *args, **kwargs):
        _refuse(f"{type(self).__name__}.numpy")

    def tolist(self):
        _refuse(f"{type(self).__name__}.tolist")

    def __array__(self, *args, **kwargs):
        _refuse(f"{type(self).__name__}.__array__")

    def __len__(self):
        _refuse(f"{type(self).__name__}.__len__")

    def __repr__(self):
        return f"<{type(self).__name__}>"

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = type(self)(requires_grad=self.requires_grad, dtype=self._data.dtype)
        return memo[id(self)]


class UninitializedParameter(_Uninitialized, Parameter):
    """A Parameter whose shape a lazy module infers on its first forward (nn.LazyLinear, ...);
    `materialize(shape)` makes it an ordinary Parameter.

    >>> p = UninitializedParameter()
    >>> p.materialize((2, 3)); type(p).__name__, p.shape
    ('Parameter', (2, 3))
    """

    __slots__ = ()
    _becomes = Parameter

    def __init__(self, requires_grad=True, device=None, dtype=None):
        dtype = _default_dtype() if dtype is None else np.dtype(dtype)
        super().__init__(np.empty((0,), dtype=dtype), requires_grad)


class UninitializedBuffer(_Uninitialized, Tensor):
    """A buffer whose shape a lazy module infers on its first forward (the running statistics of
    nn.LazyBatchNorm1d, ...); `materialize(shape)` makes it an ordinary Tensor."""

    __slots__ = ()
    _becomes = Tensor

    def __init__(self, requires_grad=False, device=None, dtype=None):
        dtype = _default_dtype() if dtype is None else np.dtype(dtype)
        super().__init__(np.empty((0,), dtype=dtype), requires_grad=requires_grad)


def is_lazy(tensor):
    """Whether `tensor` is an UninitializedParameter or UninitializedBuffer."""
    return isinstance(tensor, _Uninitialized)


# ---- a buffer declared by assignment ------------------------------------------------------------

class Buffer(Tensor):
    """Marks a tensor as a buffer: `module.name = Buffer(t)` registers `t`'s data as the module's
    buffer `name` (saved in state_dict unless persistent=False), as register_buffer does.

    >>> m = fastgrad.nn.Module(); m.steps = Buffer(fastgrad.zeros(1), persistent=False)
    >>> list(m.buffers())[0].shape, list(m.state_dict())
    ((1,), [])
    """

    __slots__ = ("persistent",)

    def __init__(self, data=None, *, persistent=True):
        if data is None:
            data = np.empty((0,), dtype=_default_dtype())
        requires_grad = bool(getattr(data, "requires_grad", False))
        super().__init__(data._data if isinstance(data, Tensor) else data, requires_grad=requires_grad)
        self.persistent = persistent

    def as_tensor(self):
        """The plain Tensor a module registers: the same data, requires_grad kept, no graph."""
        return Tensor(self._data, requires_grad=self._requires_grad)
