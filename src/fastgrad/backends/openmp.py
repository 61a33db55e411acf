"""PyTorch's `torch.backends.openmp`: whether fastgrad's C kernels were built with OpenMP."""


def is_available():
    from .. import _C
    return bool(_C.openmp_enabled())
