"""CuPy im2col / col2im: the reference twins run in the `cupy` namespace.

There is no hand-written CuPy kernel for these yet: one strided slice copy
per kernel offset (kh * kw device copies) gathers or scatters the patches,
all on the GPU.  The GEMMs around them go to cuBLAS through cupy.matmul.
"""
from ..reference import conv as _reference

KERNELS = {}


def _cupy():
    import cupy

    return cupy


def im2col_fwd(x, kernel_size, stride=1, padding=0, dilation=1, out_size=None):
    """The patch matrix of x (N, C, H, W); see fastgrad.backend.reference.conv."""
    return _reference.im2col_fwd(_cupy(), x, kernel_size, stride, padding, dilation, out_size)


def im2col_bwd(col, input_shape, kernel_size, stride=1, padding=0, dilation=1, out_size=None):
    """col2im, the adjoint of im2col_fwd; see fastgrad.backend.reference.conv."""
    return _reference.im2col_bwd(_cupy(), col, input_shape, kernel_size, stride, padding, dilation, out_size)
