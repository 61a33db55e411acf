"""PyTorch's `torch.backends.mkl`: whether fastgrad's GEMMs run on MKL (fastgrad.get_blas())."""


def is_available():
    from ..backend.blas import get_blas
    return get_blas() == "mkl"
