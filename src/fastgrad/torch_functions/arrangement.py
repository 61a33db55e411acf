"""PyTorch's functions that join, move, reshape and rotate tensors: hstack, vstack, dstack,
movedim (moveaxis), unflatten and rot90, with PyTorch's names and arguments.  Each is
fastgrad.numpy's differentiable function of the same meaning; movedim, moveaxis, unflatten
and rot90 are Tensor methods too.

    import fastgrad as torch
    torch.movedim(x, 0, -1)
    x.unflatten(1, (2, -1))
"""
import operator

from ..autograd.tensor import Tensor
from ..creation import tensor as _new_tensor
from ..ops import methods as _methods, shape as _shape
from ..ops.broadcast import normalize_axis

__all__ = ["dstack", "hstack", "moveaxis", "movedim", "rot90", "unflatten", "vstack"]


def _as_tensor(x):
    return x if isinstance(x, Tensor) else _new_tensor(x)


def _fnp():
    from .. import numpy as fnp   # imported on first use: fastgrad.numpy imports this package

    return fnp


def _tensors(op, tensors):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}: argument 'tensors' must be a list or tuple of tensors, got "
                        f"{type(tensors).__name__}")
    if not tensors:
        raise ValueError(f"{op}: argument 'tensors' must hold at least one tensor")
    return [_as_tensor(t) for t in tensors]


def hstack(tensors):
    """Join along the first dimension for 1-d tensors (and 0-d, made 1-d), else the second."""
    return _fnp().hstack(_tensors("hstack", tensors))


def vstack(tensors):
    """Join along the first dimension, 0-d and 1-d tensors first made rows (1, n)."""
    return _fnp().vstack(_tensors("vstack", tensors))


def dstack(tensors):
    """Join along the third dimension, each tensor first made at least 3-d ((n,) -> (1, n, 1),
    (m, n) -> (m, n, 1))."""
    return _fnp().dstack(_tensors("dstack", tensors))


def _dims(op, name, dims, ndim):
    many = isinstance(dims, (list, tuple))
    values = list(dims) if many else [dims]
    for d in values:
        if isinstance(d, bool) or not isinstance(d, int):
            raise TypeError(f"{op}: argument '{name}' must be an int or a sequence of ints, got {dims!r}")
    return tuple(normalize_axis(d, ndim, op)[0] for d in values)   # in the order given


def movedim(input, source, destination):
    """input with dimensions `source` (an int or a sequence) moved to `destination`; the
    other dimensions keep their order."""
    x = _as_tensor(input)
    src = _dims("movedim", "source", source, x.ndim)
    dst = _dims("movedim", "destination", destination, x.ndim)
    if len(src) != len(dst):
        raise ValueError(f"movedim: source and destination must have the same number of dimensions, got "
                         f"{len(src)} and {len(dst)}")
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise ValueError(f"movedim: repeated dimension in source {source!r} or destination {destination!r}")
    if not src:
        return x
    if x.ndim == 0:
        return x
    return _fnp().moveaxis(x, list(src), list(dst))


moveaxis = movedim


def unflatten(input, dim, sizes):
    """input with dimension `dim` split into `sizes` (one entry may be -1, inferred)."""
    x = _as_tensor(input)
    if x.ndim == 0:
        raise RuntimeError("unflatten: a 0-d tensor has no dimension to unflatten")
    (axis,) = normalize_axis(dim, x.ndim, "unflatten")
    if isinstance(sizes, Tensor) or not isinstance(sizes, (list, tuple)) or not sizes:
        raise TypeError(f"unflatten: argument 'sizes' must be a non-empty sequence of ints, got {sizes!r}")
    sizes = [operator.index(s) for s in sizes]
    known = 1
    for s in sizes:
        known *= s if s != -1 else 1
    length = x.shape[axis]
    if sizes.count(-1) > 1 or any(s < -1 for s in sizes):
        raise ValueError(f"unflatten: sizes {tuple(sizes)} may hold at most one -1 and no other negative size")
    if -1 in sizes:
        if known == 0 or length % known:
            raise ValueError(f"unflatten: sizes {tuple(sizes)} do not divide dimension {dim} of size {length}")
        sizes[sizes.index(-1)] = length // known
    elif known != length:
        raise ValueError(f"unflatten: sizes {tuple(sizes)} multiply to {known}, not to the size {length} of "
                         f"dimension {dim}")
    return _shape.reshape(x, tuple(x.shape[:axis]) + tuple(sizes) + tuple(x.shape[axis + 1:]))


def rot90(input, k=1, dims=(0, 1)):
    """input rotated by 90 degrees k times, from the first of `dims` toward the second."""
    x = _as_tensor(input)
    if not isinstance(dims, (list, tuple)) or len(dims) != 2:
        raise ValueError(f"rot90: argument 'dims' must hold two dimensions, got {dims!r}")
    if x.ndim < 2:
        raise ValueError(f"rot90: input must have at least 2 dimensions, got {x.ndim}")
    a0, a1 = _dims("rot90", "dims", dims, x.ndim)
    if a0 == a1:
        raise ValueError(f"rot90: the two dims must differ, got {dims!r}")
    return _fnp().rot90(x, operator.index(k), (a0, a1))


_methods.bind({"movedim": movedim, "moveaxis": moveaxis, "unflatten": unflatten, "rot90": rot90})
