"""logsumexp, composed from differentiable fastgrad.numpy functions."""
import numpy as _onp

from .. import numpy as np
from ..autograd.tensor import Tensor


def _plain(x):
    return x._data if isinstance(x, Tensor) else _onp.asarray(x)


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    """log(sum(b * exp(a))) over `axis`, computed stably (the largest value is
    subtracted first).  With return_sign, (log|sum|, sign of the sum)."""
    shift = _onp.max(_plain(a), axis=axis, keepdims=True)
    empty = _onp.isneginf(shift)
    shift = _onp.where(_onp.isfinite(shift), shift, 0.0)
    terms = np.exp(a - shift)
    if b is not None:
        terms = terms * b
    total = np.sum(terms, axis=axis, keepdims=True)
    sign = _onp.sign(_plain(total))
    # NOTE: where all of `a` is -inf the result is -inf and its weights exp(a - out)
    # are 0/0; the log reads 1 instead of the empty sum there, so the gradient is 0
    # (not 0/0 = NaN), and the -inf is put back after.
    if empty.any():
        total = np.where(empty, 1.0, total)
    out = np.log(np.abs(total) if return_sign or b is not None else total) + shift
    if empty.any():
        out = np.where(empty, -_onp.inf, out)
    if not keepdims:
        out = np.squeeze(out, axis=axis)
        sign = _onp.squeeze(sign, axis=axis)
    return (out, sign) if return_sign else out
