"""`fastgrad.cuda.is_available()` and `device_count()`, as PyTorch code asks them (CuPy behind)."""
from ..devices import cuda_is_available as is_available, require_cuda

__all__ = ["device_count", "is_available"]


def device_count():
    """How many CUDA GPUs CuPy sees (0 without CuPy or a GPU)."""
    if not is_available():
        return 0
    return require_cuda().cuda.runtime.getDeviceCount()
