"""logsumexp, composed from differentiable fastgrad.numpy functions."""
import numpy as _onp

from .. import numpy as np
from ..autograd.tensor import Tensor


def _plain(x):
    return x.data if isinstance(x, Tensor) else _onp.asarray(x)


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    """log(sum(b * exp(a))) over `axis`, computed stably (the largest value is
    subtracted first).  With return_sign, (log|sum|, sign of the sum)."""
    shift = _onp.max(_plain(a), axis=axis, keepdims=True)
    shift = _onp.where(_onp.isfinite(shift), shift, 0.0)
    terms = np.exp(a - shift)
    if b is not None:
        terms = terms * b
    total = np.sum(terms, axis=axis, keepdims=True)
    sign = _onp.sign(_plain(total))
    out = np.log(np.abs(total) if return_sign or b is not None else total) + shift
    if not keepdims:
        out = np.squeeze(out, axis=axis)
        sign = _onp.squeeze(sign, axis=axis)
    return (out, sign) if return_sign else out
