"""logsumexp as one primitive: log(sum(exp(x))) over `axis`, the largest finite value of
each slice subtracted first; d/dx = g / sum(exp(x - shift)) * exp(x - shift).

One graph node instead of the eight of its composition (subtract, exp, sum, the two
-inf masks, log, add, squeeze), which is what costs most on small arrays: an HMM's
forward pass makes one per time step.  The forward and the gradient are the composition's own
operations in its order, so the numbers are the same to the last bit.
"""
import numpy as np

from ..autograd.primitive import Primitive as Function
from ..autograd.tensor import Tensor
from .broadcast import normalize_axis


class LogSumExp(Function):
    @staticmethod
    def forward(ctx, b, x, axis=None, keepdims=False, zero_grad_where_all_minus_inf=False):
        xp = b.xp
        top = _max_kept(xp, x, axis)
        shift = xp.where(xp.isfinite(top), top, 0)
        axes = normalize_axis(axis, x.ndim, "logsumexp")
        terms = xp.exp(x - shift)
        total = _sum_kept(xp, terms, axes)
        # NOTE: a slice of only -inf gives -inf and, with zero_grad_where_all_minus_inf,
        # gradient 0: its log reads 1 instead of the empty sum and the -inf is put back after.
        mask = (top == -xp.inf) if zero_grad_where_all_minus_inf else None
        if mask is not None:
            total = xp.where(mask, 1.0, total)
        out = xp.log(total) + shift
        if mask is not None:
            out = xp.where(mask, -xp.inf, out)
        ctx.axes, ctx.kept_shape = axes, tuple(total.shape)
        ctx.save_for_backward(x, shift, terms, total, mask)
        if keepdims:
            return out
        return xp.reshape(out, () if axis is None else tuple(n for i, n in enumerate(x.shape) if i not in axes))

    @staticmethod
    def backward(ctx, b, g):
        x, shift, terms, total, mask = ctx.saved_arrays
        xp = b.xp
        if isinstance(x, Tensor):
            # NOTE: with create_graph the terms are recomputed from x, so that second
            # derivatives see how they depend on it (the shift is a constant).
            terms = xp.exp(x - shift)
            total = _sum_kept(xp, terms, ctx.axes)
            if mask is not None:
                total = xp.where(mask, 1.0, total)
        g = xp.reshape(g, ctx.kept_shape)
        if mask is not None:
            g = xp.where(mask, 0 * g, g)
        g = g / total
        if mask is not None:
            g = xp.where(mask, 0 * g, g)
        return g * terms


def _max_kept(xp, a, axis):
    if type(a) is np.ndarray:  # what np.max runs, without its Python wrapper
        return np.maximum.reduce(a, axis=axis, keepdims=True)
    return xp.max(a, axis=axis, keepdims=True)


def _sum_kept(xp, a, axes):
    if type(a) is np.ndarray:  # as the sum op runs it
        return np.add.reduce(a, axis=axes, keepdims=True)
    return xp.sum(a, axis=axes, keepdims=True)


def logsumexp(x, axis=None, keepdims=False, zero_grad_where_all_minus_inf=False):
    """log(sum(exp(x))) over `axis` (None, an int or a tuple), stable for large |x|.  A slice of
    only -inf gives -inf, with gradient NaN (as PyTorch), or 0 with zero_grad_where_all_minus_inf.

    >>> import fastgrad as fg
    >>> round(float(logsumexp(fg.tensor([0.0, 0.0]))), 4)
    0.6931
    """
    return LogSumExp.apply(x, axis=axis, keepdims=keepdims, zero_grad_where_all_minus_inf=zero_grad_where_all_minus_inf)
