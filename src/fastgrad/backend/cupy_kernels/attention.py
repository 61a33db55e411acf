"""CuPy attention softmax: the reference twins run in the `cupy` namespace.

There is no hand-written CuPy kernel for these yet: CuPy's elementwise
operations and reductions compute the masked softmax and its gradient on
the GPU, a few passes where the C kernels make one.
"""
from ..reference import attention as _reference

KERNELS = {}


def _cupy():
    import cupy

    return cupy


def attention_softmax_fwd(scores, mask=None, causal=False):
    """Masked softmax along the last axis of scores; see reference.attention."""
    return _reference.attention_softmax_fwd(_cupy(), scores, mask, causal)


def attention_softmax_bwd(p, gp, keep=None, keep_scale=1.0):
    """Gradient of the scores from p and the probabilities' gradient; see reference.attention."""
    return _reference.attention_softmax_bwd(_cupy(), p, gp, keep, keep_scale)
