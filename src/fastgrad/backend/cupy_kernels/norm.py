"""CuPy normalization: the reference twins run in the `cupy` namespace.

There is no hand-written CuPy kernel for these yet: CuPy's reductions and
elementwise operations compute the statistics and the normalization on the
GPU, a few passes where the C kernels make one.
"""
from ..reference import norm as _reference

KERNELS = {}


def _cupy():
    import cupy

    return cupy


def batch_norm_fwd(x, weight=None, bias=None, mean=None, var=None, eps=1e-5, training=True):
    """Per-channel normalization of x (outer, C, inner); see reference.norm."""
    return _reference.batch_norm_fwd(_cupy(), x, weight, bias, mean, var, eps, training)


def batch_norm_bwd(x, gy, mean, var, weight=None, eps=1e-5, training=True, input_grad=True, weight_grad=False,
                   bias_grad=False):
    """Gradients of batch_norm_fwd; see reference.norm."""
    return _reference.batch_norm_bwd(_cupy(), x, gy, mean, var, weight, eps, training, input_grad, weight_grad,
                                     bias_grad)


def group_norm_fwd(x, weight=None, bias=None, groups=1, eps=1e-5):
    """Per-sample, per-group normalization of x (N, C, inner); see reference.norm."""
    return _reference.group_norm_fwd(_cupy(), x, weight, bias, groups, eps)


def group_norm_bwd(x, gy, mean, rstd, weight=None, groups=1, input_grad=True, weight_grad=False, bias_grad=False):
    """Gradients of group_norm_fwd; see reference.norm."""
    return _reference.group_norm_bwd(_cupy(), x, gy, mean, rstd, weight, groups, input_grad, weight_grad,
                                     bias_grad)
