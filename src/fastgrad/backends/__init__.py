"""`fastgrad.backends`: the backend questions PyTorch scripts ask before choosing a device.

fastgrad runs on the CPU (NumPy) and on CUDA GPUs (CuPy); Apple's Metal (MPS) is not a
fastgrad device, so `fastgrad.backends.mps.is_available()` is False everywhere.  cuDNN is
not used (the GPU path runs CuPy's cuBLAS and fastgrad's own kernels), so
`fastgrad.backends.cudnn.is_available()` is False; its flags can be set, as scripts do,
and change nothing: fastgrad's kernels give the same bits on every run and thread count
whatever `deterministic` says, and there are no cuDNN algorithms for `benchmark` to pick.
`fastgrad.backends.mkl.is_available()` says whether fastgrad's matrix products use MKL now,
`fastgrad.backends.openmp.is_available()` whether its kernels were built with OpenMP.

Each is a submodule, as in PyTorch, so `import fastgrad.backends.cudnn as cudnn` works too.
"""
from . import cudnn, mkl, mps, openmp

__all__ = ["cudnn", "mkl", "mps", "openmp"]
