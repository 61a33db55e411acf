"""`fastgrad.backends`: the backend questions PyTorch scripts ask before choosing a device.

fastgrad runs on the CPU (NumPy) and on CUDA GPUs (CuPy); Apple's Metal (MPS) is not a
fastgrad device, so `fastgrad.backends.mps.is_available()` is False everywhere.  cuDNN is
not used (the GPU path runs CuPy's cuBLAS and fastgrad's own kernels), so
`fastgrad.backends.cudnn.is_available()` is False; its flags can be set, as scripts do,
and change nothing: fastgrad's kernels give the same bits on every run and thread count
whatever `deterministic` says, and there are no cuDNN algorithms for `benchmark` to pick.
`fastgrad.backends.mkl.is_available()` says whether fastgrad's matrix products use MKL now,
`fastgrad.backends.openmp.is_available()` whether its kernels were built with OpenMP.
"""

__all__ = ["cudnn", "mkl", "mps", "openmp"]


class _MetalBackend:
    """PyTorch's `torch.backends.mps`: not built into fastgrad."""

    @staticmethod
    def is_available():
        return False

    @staticmethod
    def is_built():
        return False


mps = _MetalBackend()


class _CudnnBackend:
    """PyTorch's `torch.backends.cudnn`: not used by fastgrad; its flags are kept and change nothing."""

    def __init__(self):
        self.enabled = True
        self.benchmark = False
        self.deterministic = False
        self.allow_tf32 = True

    @staticmethod
    def is_available():
        return False

    @staticmethod
    def version():
        return None


cudnn = _CudnnBackend()


class _MklBackend:
    """PyTorch's `torch.backends.mkl`: whether fastgrad's GEMMs run on MKL (fastgrad.get_blas())."""

    @staticmethod
    def is_available():
        from .backend.blas import get_blas
        return get_blas() == "mkl"


mkl = _MklBackend()


class _OpenMPBackend:
    """PyTorch's `torch.backends.openmp`: whether fastgrad's C kernels were built with OpenMP."""

    @staticmethod
    def is_available():
        from . import _C
        return bool(_C.openmp_enabled())


openmp = _OpenMPBackend()
