"""PyTorch's nansum, nanmean and aminmax, module functions and Tensor methods.  nansum and
nanmean skip NaN (the skipped elements get a zero gradient); aminmax gives the smallest and
the largest elements in one call (ties share the gradient equally, as amin and amax do).

    import fastgrad as torch
    torch.nanmean(x, dim=1)                 # mean of each row's non-NaN elements
    low, high = torch.aminmax(x, dim=0)
"""
from collections import namedtuple

import numpy as np

from ..autograd.tensor import Tensor
from ..backend import host_data
from ..creation import tensor as _new_tensor
from ..ops import methods as _methods, reductions as _reductions, shape as _shape
from ..ops.broadcast import normalize_axis
from ..ops.selection import where

__all__ = ["aminmax", "nanmean", "nansum"]

MinMax = namedtuple("aminmax", ["min", "max"])


def _as_tensor(x):
    return x if isinstance(x, Tensor) else _new_tensor(x)


def _axes(op, dim, ndim):
    """dim (None, an int or a sequence of ints) as the axes to reduce; None for all of them."""
    if dim is None:
        return None
    values = list(dim) if isinstance(dim, (list, tuple)) else [dim]
    for d in values:
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)):
            raise TypeError(f"{op}: argument 'dim' must be an int or a sequence of ints, got {dim!r}")
    axes = normalize_axis(tuple(values), ndim, op)
    return axes if values and ndim else None   # PyTorch: dim=[] and a 0-d tensor's dim reduce everything


def _non_nan(op, x):
    """x with NaN replaced by 0 (the gradient does not reach the NaN), and the mask of non-NaN."""
    if x.dtype.kind not in "fc":
        return x, None
    keep = ~np.isnan(host_data(op, "input", x._data))
    return where(keep, x, np.zeros((), dtype=x.dtype)), keep


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """The sum over `dim` (all elements when None) treating NaN as zero.

    >>> torch.nansum(torch.tensor([1., float('nan'), 2.]))   # tensor(3.)
    """
    x = _as_tensor(input)
    if dtype is not None:
        x = _shape.astype(x, dtype)
    axes = _axes("nansum", dim, x.ndim)
    return _reductions.sum(_non_nan("nansum", x)[0], axis=axes, keepdims=bool(keepdim))


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """The mean over `dim` (all elements when None) of the elements that are not NaN; NaN where
    a slice holds only NaN.  input must be floating point.

    >>> torch.nanmean(torch.tensor([1., float('nan'), 2.]))   # tensor(1.5)
    """
    x = _as_tensor(input)
    if dtype is not None:
        x = _shape.astype(x, dtype)
    if x.dtype.kind not in "fc":
        raise TypeError(f"nanmean: argument 'input' must be a floating-point tensor, got {x.dtype}")
    axes = _axes("nanmean", dim, x.ndim)
    filled, keep = _non_nan("nanmean", x)
    total = _reductions.sum(filled, axis=axes, keepdims=bool(keepdim))
    count = np.sum(keep, axis=axes, keepdims=bool(keepdim))
    mean = total / np.maximum(count, 1).astype(x.dtype)
    return where(count == 0, np.full((), np.nan, dtype=x.dtype), mean)


def aminmax(input, *, dim=None, keepdim=False):
    """(min, max): the smallest and largest elements over `dim` (an int; all elements when
    None).  NaN propagates.

    >>> torch.aminmax(torch.tensor([3., 1., 2.]))   # aminmax(min=tensor(1.), max=tensor(3.))
    """
    x = _as_tensor(input)
    if dim is not None and (isinstance(dim, bool) or not isinstance(dim, (int, np.integer))):
        raise TypeError(f"aminmax: argument 'dim' must be an int or None, got {dim!r}")
    axes = _axes("aminmax", dim, x.ndim)
    reduced = range(x.ndim) if axes is None else axes
    if any(x.shape[a] == 0 for a in reduced):
        raise RuntimeError(f"aminmax: cannot reduce over an empty dimension of a tensor of shape {tuple(x.shape)} "
                           "(the operation has no identity)")
    keep = bool(keepdim)
    return MinMax(_reductions.min(x, axis=axes, keepdims=keep), _reductions.max(x, axis=axes, keepdims=keep))


_methods.bind({"nansum": nansum, "nanmean": nanmean, "aminmax": aminmax})
