"""Tensor's operators and methods, each bound to the op that implements it: the one
place where Tensor's methods are attached.  The layers above ops hand theirs in
through `bind` when they are imported (fastgrad/numpy/protocols.py: NumPy's
protocols and the methods fastgrad.numpy computes; fastgrad/torch_functions/tensor_methods.py:
PyTorch's functions that are also methods), so ops never imports them.

Methods follow PyTorch where PyTorch and NumPy differ (x.transpose(0, 1) swaps
two axes, x.var() is unbiased, x.max(1) and x.max(dim=1) return values and
indices, x.split takes a chunk size, x.repeat tiles); NumPy's keywords (axis=,
keepdims=) keep NumPy's meanings, and fastgrad.numpy keeps NumPy's functions.
In-place methods (x.add_(y), x.zero_(), ...) follow the rules of +=
(fastgrad/ops/inplace.py).
"""
from collections import namedtuple

import numpy as np

from .. import devices
from ..backend import namespace_of
from ..autograd._graph import binary_operator, has_floating_dtype, reflected_operator, unary_operator
from ..autograd.tensor import Tensor, new_tensor
from . import (activations, comparison, cumulative, elementwise, gathering, indexing, inplace, linalg,
               manipulation, reductions, rounding, selection, shape, shared_memory, softmax_family, tiling,
               vector_norm)
from .elementwise import Add, Div, Mul, Neg, Pow, Sub
from .linalg import Matmul
from .promotion import (division_pair, operands, pair, power_pair, reflected_power_pair,
                        subtraction_pair)


# Operators are compiled closures (autograd/_graph.pyx): they run once per op.
_binary = binary_operator   # self <op> other
_swap = reflected_operator  # other <op> self
_unary = unary_operator     # <op> self


def _shape_args(args):
    """Accept x.reshape(2, 3) and x.reshape((2, 3))."""
    if len(args) == 1 and not isinstance(args[0], int):
        return tuple(args[0])
    return tuple(args)


def _axis(axis, dim):
    return dim if dim is not None else axis


def _reshape(self, *shape):
    return shape_mod_reshape(self, _shape_args(shape))


shape_mod_reshape = shape.reshape


def _transpose(self, *axes, dim0=None, dim1=None):
    # PyTorch: transpose(dim0, dim1) swaps two axes; NumPy: transpose(*axes) permutes.
    if dim0 is not None or dim1 is not None:
        if axes or dim0 is None or dim1 is None:
            raise TypeError("transpose: pass both dim0= and dim1=, or the axes by position")
        axes = (dim0, dim1)
    if not axes:
        return shape.transpose(self)
    axes = _shape_args(axes)
    if len(axes) == 2:
        return shape.swapaxes(self, axes[0], axes[1])
    return shape.transpose(self, axes)


def _permute(self, *axes, dims=None):
    if dims is not None:
        if axes:
            raise TypeError("permute: pass the dimensions by position or as dims=, not both")
        axes = (dims,)
    return shape.permute(self, _shape_args(axes))


def _squeeze(self, dim=None, *, axis=None):
    """PyTorch's squeeze: the named dimensions of length 1 are removed and the others left as
    they are (NumPy's, in fastgrad.numpy, refuses them); all length-1 dimensions without `dim`."""
    dim = _axis(axis, dim)
    if dim is None:
        return shape.squeeze(self)
    ndim = max(self.ndim, 1)
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    for d in dims:
        if not -ndim <= d < ndim:
            raise IndexError(f"squeeze: dimension {d} is out of range for a tensor of {self.ndim} dimensions")
    return shape.squeeze(self, tuple(d for d in dims if self.ndim and self.shape[d] == 1))


def _unsqueeze(self, dim=None, *, axis=None):
    dim = _axis(axis, dim)
    if dim is None:
        raise TypeError("unsqueeze: missing the dimension (dim=) at which to insert an axis of length 1")
    return shape.unsqueeze(self, dim)


def _expand(self, *sizes):
    sizes = _shape_args(sizes)
    lead = len(sizes) - self.ndim
    target = tuple(self.shape[i - lead] if n == -1 else n for i, n in enumerate(sizes))
    return shape.broadcast_to(self, target)


def _reduce_args(axis, keepdims, dim, keepdim):
    return _axis(axis, dim), bool(keepdims or keepdim)


def _sum(self, dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=False):
    axis, keep = _reduce_args(axis, keepdims, dim, keepdim)
    return reductions.sum(self if dtype is None else shape.astype(self, dtype), axis=axis, keepdims=keep)


def _mean(self, dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=False):
    axis, keep = _reduce_args(axis, keepdims, dim, keepdim)
    return reductions.mean(self if dtype is None else shape.astype(self, dtype), axis=axis, keepdims=keep)


def _prod(self, dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=False):
    axis, keep = _reduce_args(axis, keepdims, dim, keepdim)
    return reductions.prod(self if dtype is None else shape.astype(self, dtype), axis=axis, keepdims=keep)


ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])


def _extreme(reduce, arg, pairwise):
    def method(self, dim=None, keepdim=False, *, axis=None, keepdims=False):
        if isinstance(dim, Tensor):
            return pairwise(self, dim)  # torch.max(a, b): elementwise
        values = reduce(self, axis=_axis(axis, dim), keepdims=keepdims or keepdim)
        if dim is None:
            return values
        # PyTorch: x.max(dim) gives (values, indices); NumPy's axis= gives the values.
        return ValuesIndices(values, arg(self, dim, keepdim or keepdims))

    return method


def _correction(ddof, correction, unbiased):
    if ddof is not None:
        return ddof
    if correction is not None:
        return correction
    if unbiased is not None:
        return int(unbiased)
    return 1


def _var(self, dim=None, unbiased=None, keepdim=False, *, axis=None, ddof=None, correction=None, keepdims=False):
    if isinstance(unbiased, (int, tuple, list)) and not isinstance(unbiased, bool):  # x.var(0, 1): NumPy order
        axis, ddof, unbiased = dim, unbiased, None
        dim = None
    return reductions.var(self, axis=_axis(axis, dim), ddof=_correction(ddof, correction, unbiased),
                          keepdims=keepdims or keepdim)


def _std(self, dim=None, unbiased=None, keepdim=False, *, axis=None, ddof=None, correction=None, keepdims=False):
    if isinstance(unbiased, (int, tuple, list)) and not isinstance(unbiased, bool):
        axis, ddof, unbiased = dim, unbiased, None
        dim = None
    return reductions.std(self, axis=_axis(axis, dim), ddof=_correction(ddof, correction, unbiased),
                          keepdims=keepdims or keepdim)


def _split(self, split_size_or_sections, dim=0):
    return shape.split(self, split_size_or_sections, axis=dim)


def _dims(dims):
    if len(dims) == 1 and isinstance(dims[0], (list, tuple)):
        return tuple(dims[0])
    return tuple(dims)


def _pow(self, exponent):
    return Pow.apply(*power_pair(self, exponent))


def _t(self):
    if self.ndim > 2:
        raise RuntimeError(f"t: expects a tensor of at most 2 dimensions, got {self.ndim}; use transpose(0, 1)")
    return shape.transpose(self) if self.ndim == 2 else self


def _matrix_product(op, ndim):
    def method(self, other):
        for name, t in (("self", self), ("mat2", other)):
            if getattr(t, "ndim", None) != ndim:
                raise RuntimeError(f"{op}: {name} must be a {ndim}-D tensor, got {getattr(t, 'ndim', None)}-D")
        return linalg.matmul(self, other)

    return method


def _contiguous(self, memory_format=None):
    devices.refuse_memory_format("contiguous", memory_format)
    data = self._data
    flags = getattr(data, "flags", None)
    return self if flags is None or flags.c_contiguous else manipulation.copy(self)


def _logical(reduce):
    def method(self, dim=None, keepdim=False):
        out = reduce(self._data.astype(bool), axis=dim, keepdims=keepdim)
        return new_tensor(np.asarray(out) if isinstance(out, (np.generic, bool)) else out, False, None)

    return method


def _cast(dtype):
    def method(self, memory_format=None):
        devices.refuse_memory_format(f"the cast to {dtype}", memory_format)
        return self if self.dtype == dtype else shape.astype(self, dtype)

    return method


def _new(fill):
    def method(self, *size, dtype=None, device=None, requires_grad=False):
        from ..creation import factory

        return factory(fill, size, dtype or self.dtype, device or self.device, requires_grad, "new_" + fill)

    return method


def _new_tensor(self, data, dtype=None, device=None, requires_grad=False):
    from ..creation import tensor

    data = data.detach() if isinstance(data, Tensor) else data
    return tensor(data, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)


def _new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
    from ..creation import full

    return full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device,
                requires_grad=requires_grad)


class _SizeOrCount(int):
    """x.size: the element count (NumPy's attribute) that is also PyTorch's x.size() / x.size(dim)."""

    def __call__(self, dim=None):
        return Size(self.shape) if dim is None else self.shape[dim]


def _size(self):
    out = _SizeOrCount(self._data.size)
    out.shape = tuple(self._data.shape)
    return out


def _numel(self):
    return self._data.size


def _type_as(self, other):
    return self.to(other.dtype)


def _clamp(self, min=None, max=None):
    return selection.clip(self, min, max)


def _add(self, other, alpha=1):
    return Add.apply(*operands(self, other if alpha == 1 else other * alpha))


def _sub(self, other, alpha=1):
    return Sub.apply(*subtraction_pair(self, other if alpha == 1 else other * alpha))


def _mul(self, other):
    return elementwise.mul(*operands(self, other))


def _matmul(self, other):
    return linalg.matmul(self, other)


def _div(self, other, *, rounding_mode=None):
    """self / other; rounding_mode 'trunc' or 'floor' rounds the quotient as PyTorch's div (integer
    tensors stay integer; the rounded quotient has a zero gradient, as PyTorch's)."""
    if rounding_mode is None:
        return elementwise.div(*operands(self, other, division=True))
    if rounding_mode not in ("trunc", "floor"):
        raise ValueError(f"div: argument 'rounding_mode' must be None, 'trunc' or 'floor', got {rounding_mode!r}")
    b = other._data if isinstance(other, Tensor) else other
    a = self._data
    if _integral(a) and _integral(b):  # in the array's own library (NumPy or CuPy), never through the host
        xp = namespace_of(a)
        quotient = xp.floor_divide(a, b)
        if rounding_mode == "trunc":  # toward zero: one up where the floor went below a negative quotient
            quotient = xp.where((quotient * b != a) & ((a < 0) != (xp.asarray(b) < 0)), quotient + 1, quotient)
        return Tensor(xp.asarray(quotient))  # a 0-d quotient comes back as a scalar
    quotient = elementwise.div(*operands(self, other))
    return quotient.floor() if rounding_mode == "floor" else quotient.trunc()


def _integral(v):
    """An integer or bool number or array (of any library: the array's namespace answers)."""
    if isinstance(v, (bool, int, np.integer)):
        return True
    return hasattr(v, "dtype") and not has_floating_dtype(v)


def _masked_fill(self, mask, value):
    return gathering.masked_fill(self, mask, value)


def _where(self, condition, other):
    return selection.where(condition, *operands(self, other))


def _pairwise(op):
    def method(self, other):
        return op(*operands(self, other))

    method.__name__ = op.__name__
    return method


def _norm(self, p="fro", dim=None, keepdim=False, dtype=None):
    return vector_norm.norm(self if dtype is None else shape.astype(self, dtype), p, dim, keepdim)


def _flip(self, *dims, **keywords):
    """t.flip(0, 1), t.flip((0, 1)), or PyTorch's keyword form torch.flip(t, dims=(0, 1))."""
    if keywords:
        if dims or set(keywords) != {"dims"}:
            extra = sorted(set(keywords) - {"dims"}) or ["dims (also given by position)"]
            raise TypeError(f"flip: unexpected argument {extra[0]}; pass the dimensions as dims=...")
        dims = (keywords["dims"],)
    return manipulation.flip(self, _dims(dims))


def _repeat(self, *sizes):
    return tiling.repeat(self, *sizes)


def _sort(self, dim=-1, descending=False, stable=False):
    return ValuesIndices(*gathering.sort(self, dim, descending, stable))


def _topk(self, k, dim=-1, largest=True, sorted=True):
    return ValuesIndices(*gathering.topk(self, k, dim, largest, sorted))


def _view_as(self, other):
    return shape.reshape(self, tuple(other.shape))


def _expand_as(self, other):
    return shape.broadcast_to(self, tuple(other.shape))


METHODS = {
    # arithmetic operators
    "__add__": _binary(Add, pair), "__radd__": _binary(Add, pair),
    "__sub__": _binary(Sub, subtraction_pair), "__rsub__": _swap(Sub, subtraction_pair),
    "__mul__": _binary(Mul, pair), "__rmul__": _binary(Mul, pair),
    "__truediv__": _binary(Div, division_pair, True), "__rtruediv__": _swap(Div, division_pair, True),
    "__pow__": _binary(Pow, power_pair), "__rpow__": _swap(Pow, reflected_power_pair),
    "__matmul__": _binary(Matmul), "__rmatmul__": _swap(Matmul),
    "__neg__": _unary(Neg), "__pos__": lambda self: self, "__abs__": elementwise.abs,
    # comparisons and logic (no gradient)
    "__eq__": comparison.eq, "__ne__": comparison.ne, "__lt__": comparison.lt,
    "__le__": comparison.le, "__gt__": comparison.gt, "__ge__": comparison.ge,
    # (& | ^ ~ << >> are bitwise, as PyTorch's: torch_functions/bitwise.py binds them)
    # in place
    "__iadd__": inplace.iadd, "__isub__": inplace.isub, "__imul__": inplace.imul,
    "__itruediv__": inplace.itruediv, "__setitem__": inplace.setitem,
    "__getitem__": indexing.getitem,
    # elementwise
    "abs": elementwise.abs, "exp": elementwise.exp, "log": elementwise.log, "log1p": elementwise.log1p,
    "sqrt": elementwise.sqrt, "sin": elementwise.sin, "cos": elementwise.cos, "tanh": activations.tanh,
    "sigmoid": activations.sigmoid, "relu": activations.relu,
    "softmax": lambda self, dim=-1: softmax_family.softmax(self, dim),
    "log_softmax": lambda self, dim=-1: softmax_family.log_softmax(self, dim),
    "clip": selection.clip, "clamp": _clamp, "clamp_min": lambda self, min: _clamp(self, min=min),
    "clamp_max": lambda self, max: _clamp(self, max=max),
    "maximum": _pairwise(elementwise.maximum), "minimum": _pairwise(elementwise.minimum),
    "pow": _pow, "neg": elementwise.neg, "negative": elementwise.neg, "add": _add, "sub": _sub,
    "mul": _mul, "div": _div, "square": lambda self: Mul.apply(self, self),
    "rsqrt": lambda self: 1.0 / elementwise.sqrt(self), "reciprocal": lambda self: 1.0 / self,
    "where": _where, "masked_fill": _masked_fill,
    # selection and ordering (PyTorch's meanings)
    "gather": gathering.gather, "scatter": gathering.scatter, "index_select": gathering.index_select,
    "sort": _sort, "topk": _topk, "argmax": gathering.argmax, "argmin": gathering.argmin,
    "any": _logical(np.any), "all": _logical(np.all),
    # reductions
    "sum": _sum, "mean": _mean, "prod": _prod, "var": _var, "std": _std,
    "max": _extreme(reductions.max, gathering.argmax, _pairwise(elementwise.maximum)),
    "min": _extreme(reductions.min, gathering.argmin, _pairwise(elementwise.minimum)),
    "amax": lambda self, dim=None, keepdim=False: reductions.max(self, axis=dim, keepdims=keepdim),
    "amin": lambda self, dim=None, keepdim=False: reductions.min(self, axis=dim, keepdims=keepdim),
    "norm": _norm, "cumsum": lambda self, dim: cumulative.cumsum(self, dim),
    "cumprod": lambda self, dim: cumulative.cumprod(self, dim),
    # shape
    "reshape": _reshape, "view": _reshape, "flatten": shape.flatten,
    "transpose": _transpose, "permute": _permute, "swapaxes": shape.swapaxes,
    "squeeze": _squeeze, "unsqueeze": _unsqueeze, "expand": _expand,
    "broadcast_to": shape.broadcast_to, "split": _split, "chunk": tiling.chunk, "repeat": _repeat,
    "flip": _flip, "t": _t, "view_as": _view_as, "reshape_as": _view_as, "expand_as": _expand_as,
    "contiguous": _contiguous, "clone": lambda self, memory_format=None: manipulation.copy(self),
    "copy": lambda self: manipulation.copy(self),
    "matmul": _matmul, "mm": _matrix_product("mm", 2), "bmm": _matrix_product("bmm", 3),
    # sizes
    "numel": _numel, "nelement": _numel, "dim": lambda self: self._data.ndim,
    "ndimension": lambda self: self._data.ndim, "element_size": lambda self: self._data.itemsize,
    # dtype and device
    "astype": shape.astype, "to": devices.to, "cuda": devices.cuda, "cpu": devices.cpu, "type_as": _type_as,
    "float": _cast(np.dtype(np.float32)), "double": _cast(np.dtype(np.float64)), "half": _cast(np.dtype(np.float16)),
    "long": _cast(np.dtype(np.int64)), "int": _cast(np.dtype(np.int32)), "bool": _cast(np.dtype(np.bool_)),
    "new_zeros": _new("zeros"), "new_ones": _new("ones"), "new_empty": _new("empty"), "new_tensor": _new_tensor,
    "new_full": _new_full,
    # in place, with the rules of += (inplace.py)
    **inplace.METHODS,
}


# ---- everyday PyTorch methods: dtype and layout queries, comparisons, rounding ----------------------

def _is_floating_point(self):
    return getattr(self.dtype, "kind", None) == "f"


def _is_complex(self):
    return getattr(self.dtype, "kind", None) == "c"


def _is_contiguous(self, memory_format=None):
    devices.refuse_memory_format("is_contiguous", memory_format)
    flags = getattr(self._data, "flags", None)
    return True if flags is None else bool(flags.c_contiguous)


def _stride(self, dim=None):
    """Strides in elements, as PyTorch counts them (NumPy counts bytes)."""
    strides = tuple(s // self._data.itemsize for s in self._data.strides)
    return strides if dim is None else strides[dim]


_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
               "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor", "int8": "CharTensor",
               "uint8": "ByteTensor", "bool": "BoolTensor"}


def _type(self, dtype=None, non_blocking=False):
    """x.type(): the type's name ("fastgrad.FloatTensor"); x.type(dtype): x cast to dtype."""
    if dtype is None:
        return "fastgrad." + _TYPE_NAMES.get(str(self.dtype), f"Tensor[{self.dtype}]")
    return self.to(dtype, non_blocking=non_blocking)


def _argsort(self, dim=-1, descending=False, stable=False):
    return gathering.sort(self, dim, descending, stable)[1]


def _nonzero(self, as_tuple=False):
    """Indices of the non-zero elements: an (n, ndim) int64 tensor, or one tensor per dimension."""
    xp, data = gathering._values(self._data)
    parts = xp.nonzero(data.reshape(-1) if data.ndim == 0 else data)
    if self.ndim == 0:   # PyTorch: (1, 0) for a non-zero scalar, (0, 0) for zero
        parts = (parts[0][:, None][:, :0],) if not as_tuple else parts
        if not as_tuple:
            return new_tensor(parts[0].astype(np.int64), False, None)
    if as_tuple:
        return tuple(new_tensor(p.astype(np.int64), False, None) for p in parts)
    return new_tensor(xp.stack(parts, axis=-1).astype(np.int64).reshape(-1, self.ndim), False, None)


EVERYDAY = {
    "is_floating_point": _is_floating_point, "is_complex": _is_complex, "is_contiguous": _is_contiguous,
    "stride": _stride, "type": _type, "argsort": _argsort, "nonzero": _nonzero,
    "eq": comparison.eq, "ne": comparison.ne, "lt": comparison.lt, "le": comparison.le, "gt": comparison.gt,
    "ge": comparison.ge, "greater": comparison.gt, "less": comparison.lt,
    "byte": _cast(np.dtype(np.uint8)), "char": _cast(np.dtype(np.int8)), "short": _cast(np.dtype(np.int16)),
    **rounding.METHODS,
}


def _not_matrix(name, x):
    raise RuntimeError(f"{name}: defined for 2-D tensors, got {x.ndim}-D (use mH for batches)")


def _T(self):
    return shape.transpose(self)


class Size(tuple):
    """A tensor's shape as PyTorch gives it from x.size(): a tuple with numel()."""

    def numel(self):
        n = 1
        for d in self:
            n *= d
        return n

    def __repr__(self):
        return f"fastgrad.Size({list(self)})"


def _unfold(self, dimension, size, step):
    """Windows of `size` elements every `step` along `dimension`, as a new last dimension."""
    if self.ndim == 0:
        raise RuntimeError("unfold: needs a tensor of at least one dimension, got a 0-d tensor")
    dim = dimension % self.ndim
    length = self.shape[dim]
    if size < 0 or size > length or step <= 0:
        raise RuntimeError(f"unfold: size {size} and step {step} do not fit dimension {dimension} of length {length}")
    windows = np.arange(0, length - size + 1, step)[:, None] + np.arange(size)   # (count, size) indices
    picked = indexing.getitem(self, (slice(None),) * dim + (windows,))           # window axes at dim, dim + 1
    order = [*range(dim + 1), *range(dim + 2, self.ndim + 1), dim + 1]
    return shape.permute(picked, order)


def bind(methods):
    """Set each of `methods` ({name: function or property}) on Tensor."""
    for name, method in methods.items():
        setattr(Tensor, name, method)


def attach():
    bind({**METHODS, **EVERYDAY})
    bind({
        "unfold": _unfold,
        "roll": manipulation.roll,
        # conj comes from fastgrad.numpy (its conjugate carries the complex gradient)
        "H": property(lambda self: shape.transpose(self).conj() if self.ndim == 2 else _not_matrix("H", self)),
        "mH": property(lambda self: shape.swapaxes(self, -1, -2).conj()),
        "T": property(_T),
        "size": property(_size),
        "nbytes": property(lambda self: self._data.nbytes),
        "share_memory_": shared_memory.share_memory_,
        "is_shared": shared_memory.is_shared,
        "__reduce_ex__": shared_memory.refuse_pickling_if_shared,
        "pin_memory": _pin_memory,
        "is_pinned": lambda self, device=None: False,
        "itemsize": property(lambda self: self._data.itemsize),
        "mT": property(lambda self: shape.swapaxes(self, -1, -2)),
        "device": property(_device, doc=_device.__doc__),
        "is_cuda": property(lambda self: self.device.type == "cuda"),
    })


def _pin_memory(self, device=None):
    """PyTorch's pin_memory: page-locked host memory for faster copies to a GPU.  Without a GPU
    it raises as PyTorch's does; with one (CuPy) the tensor is returned as it is (fastgrad's
    copies to the device do not use pinned memory), so is_pinned() stays False."""
    if not devices.cuda_is_available():
        raise RuntimeError("pin_memory: Cannot access accelerator device when none is available.")
    return self


def _device(self):
    """Where the data lives: 'cpu' for NumPy data, 'cuda:N' for CuPy data.

    A str (so `x.device == "cpu"` works) with `.type` and `.index`."""
    return devices.device_of(self._data)
