"""Tensor's operators and array methods, each bound to the op that implements it.

Methods follow PyTorch where PyTorch and NumPy differ (x.transpose(0, 1) swaps
two axes, x.var() is unbiased, x.max(dim=1) returns values and indices, x.split
takes a chunk size); fastgrad.numpy keeps NumPy's meanings.
"""
import numpy as np

from ..autograd.tensor import Tensor
from . import activations, comparison, elementwise, indexing, inplace, linalg, losses, reductions, selection, shape
from .elementwise import Add, Div, Mul, Neg, Pow, Sub
from .linalg import Matmul


def _binary(fn_class):
    apply = fn_class.apply

    def operator(self, other):
        return apply(self, other)

    return operator


def _swap(fn_class):
    apply = fn_class.apply

    def reflected(self, other):
        return apply(other, self)

    return reflected


def _unary(fn_class):
    apply = fn_class.apply

    def operator(self):
        return apply(self)

    return operator


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


def _transpose(self, *axes):
    # PyTorch: transpose(dim0, dim1) swaps two axes; NumPy: transpose(*axes) permutes.
    if not axes:
        return shape.transpose(self)
    axes = _shape_args(axes)
    if len(axes) == 2 and self.ndim != 2:
        return shape.swapaxes(self, axes[0], axes[1])
    return shape.transpose(self, axes)


def _permute(self, *axes):
    return shape.permute(self, _shape_args(axes))


def _expand(self, *sizes):
    sizes = _shape_args(sizes)
    lead = len(sizes) - self.ndim
    target = tuple(self.shape[i - lead] if n == -1 else n for i, n in enumerate(sizes))
    return shape.broadcast_to(self, target)


def _sum(self, axis=None, keepdims=False, *, dim=None, keepdim=False):
    return reductions.sum(self, axis=_axis(axis, dim), keepdims=keepdims or keepdim)


def _mean(self, axis=None, keepdims=False, *, dim=None, keepdim=False):
    return reductions.mean(self, axis=_axis(axis, dim), keepdims=keepdims or keepdim)


def _prod(self, axis=None, keepdims=False, *, dim=None, keepdim=False):
    return reductions.prod(self, axis=_axis(axis, dim), keepdims=keepdims or keepdim)


def _extreme(reduce, arg):
    def method(self, axis=None, keepdims=False, *, dim=None, keepdim=False):
        values = reduce(self, axis=_axis(axis, dim), keepdims=keepdims or keepdim)
        if dim is None:
            return values
        # PyTorch: x.max(dim=...) gives (values, indices).
        indices = getattr(np, arg)(self.data, axis=dim, keepdims=keepdims or keepdim)
        return values, Tensor(indices)

    return method


def _correction(ddof, correction, unbiased):
    if ddof is not None:
        return ddof
    if correction is not None:
        return correction
    if unbiased is not None:
        return int(unbiased)
    return 1


def _var(self, axis=None, ddof=None, keepdims=False, *, dim=None, correction=None, unbiased=None, keepdim=False):
    return reductions.var(self, axis=_axis(axis, dim), ddof=_correction(ddof, correction, unbiased),
                          keepdims=keepdims or keepdim)


def _std(self, axis=None, ddof=None, keepdims=False, *, dim=None, correction=None, unbiased=None, keepdim=False):
    return reductions.std(self, axis=_axis(axis, dim), ddof=_correction(ddof, correction, unbiased),
                          keepdims=keepdims or keepdim)


def _split(self, split_size_or_sections, dim=0):
    return shape.split(self, split_size_or_sections, axis=dim)


def _to(self, dtype):
    return shape.astype(self, dtype)


METHODS = {
    # arithmetic operators
    "__add__": _binary(Add), "__radd__": _binary(Add),
    "__sub__": _binary(Sub), "__rsub__": _swap(Sub),
    "__mul__": _binary(Mul), "__rmul__": _binary(Mul),
    "__truediv__": _binary(Div), "__rtruediv__": _swap(Div),
    "__pow__": _binary(Pow), "__rpow__": _swap(Pow),
    "__matmul__": _binary(Matmul), "__rmatmul__": _swap(Matmul),
    "__neg__": _unary(Neg), "__pos__": lambda self: self, "__abs__": elementwise.abs,
    # comparisons and logic (no gradient)
    "__eq__": comparison.eq, "__ne__": comparison.ne, "__lt__": comparison.lt,
    "__le__": comparison.le, "__gt__": comparison.gt, "__ge__": comparison.ge,
    "__and__": comparison.logical_and, "__or__": comparison.logical_or,
    "__xor__": comparison.logical_xor, "__invert__": comparison.logical_not,
    # in place
    "__iadd__": inplace.iadd, "__isub__": inplace.isub, "__imul__": inplace.imul,
    "__itruediv__": inplace.itruediv, "__setitem__": inplace.setitem,
    "__getitem__": indexing.getitem,
    # elementwise
    "abs": elementwise.abs, "exp": elementwise.exp, "log": elementwise.log, "log1p": elementwise.log1p,
    "sqrt": elementwise.sqrt, "sin": elementwise.sin, "cos": elementwise.cos, "tanh": activations.tanh,
    "sigmoid": activations.sigmoid, "relu": activations.relu,
    "softmax": lambda self, dim=-1: losses.softmax(self, dim),
    "log_softmax": lambda self, dim=-1: losses.log_softmax(self, dim),
    "clip": selection.clip, "clamp": selection.clip,
    "maximum": elementwise.maximum, "minimum": elementwise.minimum,
    # reductions
    "sum": _sum, "mean": _mean, "prod": _prod, "var": _var, "std": _std,
    "max": _extreme(reductions.max, "argmax"), "min": _extreme(reductions.min, "argmin"),
    # shape
    "reshape": _reshape, "view": _reshape, "flatten": shape.flatten,
    "transpose": _transpose, "permute": _permute, "swapaxes": shape.swapaxes,
    "squeeze": shape.squeeze, "unsqueeze": shape.unsqueeze, "expand": _expand,
    "broadcast_to": shape.broadcast_to, "split": _split,
    "matmul": linalg.matmul,
    # dtype
    "astype": shape.astype, "to": _to,
    "float": lambda self: shape.astype(self, np.float32),
    "double": lambda self: shape.astype(self, np.float64),
}


def _T(self):
    return shape.transpose(self)


def attach():
    for name, fn in METHODS.items():
        setattr(Tensor, name, fn)
    Tensor.T = property(_T)
