"""Softmax and log-softmax along an axis, on the fused last-axis kernels (the maximum
subtracted first); each primitive saves only its output."""
from .broadcast import normalize_axis
from .elementwise import OUTPUT, unary
from .shape import reshape, swapaxes

Softmax, _ = unary("softmax", "Softmax over the last axis; d = y * (g - sum(g * y)).",
                   lambda b, x: b.softmax_fwd(x), OUTPUT, lambda b, g, y: b.softmax_bwd(y, g))
LogSoftmax, _ = unary("log_softmax", "log-softmax over the last axis; d = g - exp(y) * sum(g).",
                      lambda b, x: b.log_softmax_fwd(x), OUTPUT, lambda b, g, y: b.log_softmax_bwd(y, g))


def _along_axis(fn, x, axis, op):
    """Apply a last-axis primitive along `axis`, swapping it to the end and back."""
    ndim = len(getattr(x, "shape", ()))
    if ndim == 0:
        return reshape(fn.apply(reshape(x, (1,))), ())
    (axis,) = normalize_axis(axis, ndim, op)
    if axis == ndim - 1:
        return fn.apply(x)
    return swapaxes(fn.apply(swapaxes(x, axis, -1)), axis, -1)


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along `axis`, with the maximum subtracted first.

    >>> import fastgrad as fg
    >>> fg.softmax(fg.tensor([0.0, 0.0]), axis=0).tolist()
    [0.5, 0.5]
    """
    return _along_axis(Softmax, x, axis, "softmax")


def log_softmax(x, axis=-1):
    """x - logsumexp(x) along `axis`, stable for large |x|.

    >>> import fastgrad as fg
    >>> round(fg.log_softmax(fg.tensor([0.0, 0.0]), axis=0)[0].item(), 4)
    -0.6931
    """
    return _along_axis(LogSoftmax, x, axis, "log_softmax")
