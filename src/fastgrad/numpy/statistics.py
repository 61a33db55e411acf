"""Order statistics with NumPy's signatures: quantile percentile median (linear
interpolation between sorted values)."""
import builtins as _builtins

import numpy as np

from .. import ops
from .rearrange import sort
from .reductions import as_tensor_input as _t
from .registry import implements, no_out, plain
from .shapes import _axis_index, expand_dims

_range = _builtins.range


@implements(np.quantile)
def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
             weights=None, interpolation=None):
    """q-th quantiles by linear interpolation between sorted values (NumPy's default
    method); the gradient goes to the two values each quantile lies between.  `a` is
    never changed (which overwrite_input=True allows)."""
    no_out("quantile", out)
    if method != "linear" or weights is not None or interpolation is not None:
        raise TypeError("quantile: only method='linear' without weights is supported on Tensors")
    a = _t(a)
    whole = axis is None
    ndim = a.ndim
    if whole:
        a, axis = ops.reshape(a, (-1,)), 0
    axis = _axis_index(axis, a.ndim, "quantile")
    q = np.asarray(plain(q), dtype=np.float64)
    if np.any((q < 0) | (q > 1)):
        raise ValueError("quantile: quantiles must be in the range [0, 1]")
    ordered = sort(a, axis=axis)
    n = a.shape[axis]
    position = q * (n - 1)
    lo = np.floor(position).astype(np.int64)
    hi = np.minimum(lo + 1, n - 1)
    weight = position - lo
    lead = (slice(None),) * axis
    low, high = ordered[lead + (lo,)], ordered[lead + (hi,)]
    if q.ndim:  # the quantile axis goes first, as in NumPy
        low, high = ops.permute(low, _front(axis, low.ndim)), ops.permute(high, _front(axis, high.ndim))
        weight = weight.reshape(weight.shape + (1,) * (low.ndim - 1))
    result = ops.add(ops.mul(low, 1.0 - weight), ops.mul(high, weight))
    if keepdims:
        lead = tuple(result.shape[:1]) if q.ndim else ()
        if whole:
            result = ops.reshape(result, lead + (1,) * ndim)
        else:
            result = expand_dims(result, axis + len(lead))
    return result


def _front(axis, ndim):
    return [axis] + [i for i in _range(ndim) if i != axis]


@implements(np.percentile)
def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
               weights=None, interpolation=None):
    """q-th percentiles (q in [0, 100]); see quantile."""
    return quantile(a, np.asarray(plain(q), dtype=np.float64) / 100.0, axis, out, overwrite_input, method,
                    keepdims, weights=weights, interpolation=interpolation)


@implements(np.median)
def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """The middle value (the mean of the two middle values for an even count)."""
    return quantile(a, 0.5, axis, out, overwrite_input, keepdims=keepdims)
