"""Reductions with NumPy's signatures: sum mean prod max min var std average
ptp cumsum cumprod, and the nan-ignoring nansum nanmean."""
import builtins as _builtins

import numpy as np

from .. import ops
from ..autograd.tensor import Tensor, has_floating_dtype
from ..ops.reductions import Sum
from .registry import NOVALUE, implements, no_out, plain, unsupported


def as_tensor_input(a):
    """Tensors and arrays pass; lists holding Tensors are stacked (keeping the
    graph); other lists and numbers become arrays."""
    if isinstance(a, Tensor) or isinstance(a, np.ndarray):
        return a
    if type(a) in (list, tuple) and _holds_tensor(a):
        return ops.stack([as_tensor_input(x) for x in a])
    return np.asarray(a)


def _holds_tensor(seq):
    for x in seq:
        if isinstance(x, Tensor) or (type(x) in (list, tuple) and _holds_tensor(x)):
            return True
    return False


def _cast(a, dtype):
    if dtype is None or np.dtype(dtype) == a.dtype:
        return a
    return ops.astype(a, dtype)


@implements(np.sum)
def sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=NOVALUE, where=NOVALUE):
    """Sum over `axis` (None: all), as np.sum."""
    if out is not None or initial is not NOVALUE or where is not NOVALUE:
        no_out("sum", out)
        unsupported("sum", initial=initial, where=where)
    if dtype is not None or not isinstance(a, Tensor):
        a = _cast(as_tensor_input(a), dtype)
    return Sum.apply(a, axis=axis, keepdims=keepdims)


@implements(np.mean)
def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=NOVALUE):
    """Arithmetic mean over `axis`, as np.mean."""
    no_out("mean", out)
    unsupported("mean", where=where)
    a = as_tensor_input(a)
    if dtype is None and not has_floating_dtype(a._data):  # integers and bools: float64, as NumPy
        dtype = np.float64
    return ops.mean(_cast(a, dtype), axis=axis, keepdims=keepdims)


@implements(np.prod)
def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=NOVALUE, where=NOVALUE):
    """Product over `axis`, as np.prod; exact gradients also where `a` has zeros."""
    no_out("prod", out)
    unsupported("prod", initial=initial, where=where)
    return ops.prod(_cast(as_tensor_input(a), dtype), axis=axis, keepdims=keepdims)


@implements(np.max, np.amax)
def max(a, axis=None, out=None, keepdims=False, initial=NOVALUE, where=NOVALUE):
    """Maximum over `axis` (values only); tied maxima share the gradient."""
    no_out("max", out)
    unsupported("max", initial=initial, where=where)
    return ops.max(as_tensor_input(a), axis=axis, keepdims=keepdims)


@implements(np.min, np.amin)
def min(a, axis=None, out=None, keepdims=False, initial=NOVALUE, where=NOVALUE):
    """Minimum over `axis` (values only); tied minima share the gradient."""
    no_out("min", out)
    unsupported("min", initial=initial, where=where)
    return ops.min(as_tensor_input(a), axis=axis, keepdims=keepdims)


@implements(np.var)
def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=NOVALUE, mean=NOVALUE,
        correction=NOVALUE):
    """Variance, NumPy's convention: sum((a - mean)**2) / (n - ddof), ddof=0 by default."""
    return _checked_variance("var", a, axis, dtype, out, ddof, keepdims, where, mean, correction)


def _checked_variance(name, a, axis, dtype, out, ddof, keepdims, where, mean, correction):
    """np.var's and np.std's arguments checked (by `name`), then the variance."""
    no_out(name, out)
    unsupported(name, where=where, mean=mean)
    if correction is not NOVALUE:
        ddof = correction
    return _variance(_cast(as_tensor_input(a), dtype), axis, ddof, keepdims)


def _variance(x, axis, ddof, keepdims):
    """NumPy's variance; for complex x, mean(|x - mean|^2), which is real."""
    if not np.iscomplexobj(plain(x)):
        return ops.var(x, axis=axis, ddof=ddof, keepdims=keepdims)
    from .complex import imag, real

    centered = x - ops.mean(x, axis=axis, keepdims=True)
    squares = real(centered) ** 2 + imag(centered) ** 2
    count = plain(squares).size // _builtins.max(plain(ops.sum(squares, axis=axis, keepdims=True)).size, 1)
    return ops.sum(squares, axis=axis, keepdims=keepdims) / (count - ddof)


@implements(np.std)
def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=NOVALUE, mean=NOVALUE,
        correction=NOVALUE):
    """Standard deviation sqrt(var), ddof=0 by default as in NumPy."""
    variance = _checked_variance("std", a, axis, dtype, out, ddof, keepdims, where, mean, correction)
    # NOTE: sqrt has an infinite slope at 0, so sqrt(var) gives 0 * inf = NaN gradients
    # for constant inputs.  There std is 0 along every direction that keeps it constant
    # (and |t| std(v) along the others): its gradient is taken as 0, as abs's at 0.
    positive = variance._data > 0
    if positive.all():
        return ops.sqrt(variance)
    return ops.where(positive, ops.sqrt(ops.where(positive, variance, 1.0)), 0.0)


@implements(np.average)
def average(a, axis=None, weights=None, returned=False, *, keepdims=False):
    """Weighted mean: sum(a * w) / sum(w) over `axis`; both a and weights can carry gradients."""
    a = as_tensor_input(a)
    if weights is None:
        avg = ops.mean(a, axis=axis, keepdims=keepdims)
        scale = np.full(avg.shape, a.size // _builtins.max(avg.size, 1), dtype=avg.dtype)
    else:
        w = as_tensor_input(weights)
        if w.shape != a.shape:
            if axis is None or w.ndim != 1:
                raise ValueError("average: weights must have the shape of a, or be 1-d along `axis`")
            shape = [1] * a.ndim
            shape[axis] = w.shape[0]
            w = ops.reshape(w, tuple(shape))
        scale = ops.sum(ops.broadcast_to(w, a.shape), axis=axis, keepdims=keepdims)
        avg = ops.div(ops.sum(ops.mul(a, w), axis=axis, keepdims=keepdims), scale)
    return (avg, scale) if returned else avg


@implements(np.ptp)
def ptp(a, axis=None, out=None, keepdims=False):
    """max - min over `axis`."""
    no_out("ptp", out)
    a = as_tensor_input(a)
    return ops.sub(ops.max(a, axis=axis, keepdims=keepdims), ops.min(a, axis=axis, keepdims=keepdims))


def _flat_or(a, axis):
    if axis is None:
        return ops.reshape(a, (-1,)), 0
    return a, axis


@implements(np.cumsum)
def cumsum(a, axis=None, dtype=None, out=None):
    """Running sum along `axis` (of the flattened array when None), as np.cumsum."""
    no_out("cumsum", out)
    a, axis = _flat_or(_cast(as_tensor_input(a), dtype), axis)
    return ops.cumsum(a, axis)


@implements(np.cumprod)
def cumprod(a, axis=None, dtype=None, out=None):
    """Running product along `axis` (of the flattened array when None), as np.cumprod."""
    no_out("cumprod", out)
    a, axis = _flat_or(_cast(as_tensor_input(a), dtype), axis)
    return ops.cumprod(a, axis)


@implements(np.nansum)
def nansum(a, axis=None, dtype=None, out=None, keepdims=False, initial=NOVALUE, where=NOVALUE):
    """Sum treating NaN as 0 (NaN entries get a zero gradient)."""
    no_out("nansum", out)
    unsupported("nansum", initial=initial, where=where)
    a = _cast(as_tensor_input(a), dtype)
    return ops.sum(ops.where(np.isnan(plain(a)), 0.0, a), axis=axis, keepdims=keepdims)


@implements(np.nanmean)
def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=NOVALUE):
    """Mean over the entries that are not NaN."""
    no_out("nanmean", out)
    unsupported("nanmean", where=where)
    a = _cast(as_tensor_input(a), dtype)
    keep = ~np.isnan(plain(a))
    count = np.sum(keep, axis=axis, keepdims=keepdims)
    return ops.div(ops.sum(ops.where(keep, a, 0.0), axis=axis, keepdims=keepdims), count)

