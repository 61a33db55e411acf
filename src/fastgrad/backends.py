"""`fastgrad.backends`: the backend questions PyTorch scripts ask before choosing a device.

fastgrad runs on the CPU (NumPy) and on CUDA GPUs (CuPy); Apple's Metal (MPS) is not a
fastgrad device, so `fastgrad.backends.mps.is_available()` is False everywhere.
"""

__all__ = ["mps"]


class _MetalBackend:
    """PyTorch's `torch.backends.mps`: not built into fastgrad."""

    @staticmethod
    def is_available():
        return False

    @staticmethod
    def is_built():
        return False


mps = _MetalBackend()
