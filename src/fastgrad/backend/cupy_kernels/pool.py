"""CuPy pooling: the reference twins run in the `cupy` namespace.

There is no hand-written CuPy kernel for pooling yet; the twins gather each
window with device takes and reduce it on the GPU (one launch per output
position, so this path is correct but slow for large outputs).
"""
from ..reference import pool as _reference

KERNELS = {}


def _cupy():
    import cupy

    return cupy


def max_pool2d_fwd(x, h_start, h_count, w_start, w_count, dilation=1):
    """(max over each window, int32 plane index of the first maximum); see reference.pool."""
    return _reference.max_pool2d_fwd(_cupy(), x, h_start, h_count, w_start, w_count, dilation)


def max_pool2d_bwd(gy, index, height, width):
    """gy added at the saved plane indices; see reference.pool."""
    return _reference.max_pool2d_bwd(_cupy(), gy, index, height, width)


def avg_pool2d_fwd(x, h_start, h_count, w_start, w_count, h_divisor, w_divisor, dilation=1):
    """Window sums over h_divisor[i] * w_divisor[j]; see reference.pool."""
    return _reference.avg_pool2d_fwd(_cupy(), x, h_start, h_count, w_start, w_count, h_divisor, w_divisor,
                                     dilation)


def avg_pool2d_bwd(gy, height, width, h_start, h_count, w_start, w_count, h_divisor, w_divisor, dilation=1):
    """The average's gradient spread over each window; see reference.pool."""
    return _reference.avg_pool2d_bwd(_cupy(), gy, height, width, h_start, h_count, w_start, w_count, h_divisor,
                                     w_divisor, dilation)
