"""`fastgrad.accelerator`: PyTorch's device-agnostic questions, answered for fastgrad's one
accelerator kind, CUDA through CuPy.

    device = fastgrad.accelerator.current_accelerator() if fastgrad.accelerator.is_available() \
        else fastgrad.device("cpu")
"""
import importlib.util

from .devices import Device, cuda_is_available

__all__ = ["current_accelerator", "device_count", "is_available"]


def is_available():
    """True when a CUDA GPU is usable (CuPy installed and a device present)."""
    return cuda_is_available()


def current_accelerator(check_available=False):
    """device('cuda') when CuPy is installed (PyTorch's "built with an accelerator"), and with
    check_available=True only when a GPU is also usable; None otherwise."""
    if importlib.util.find_spec("cupy") is None:
        return None
    if check_available and not is_available():
        return None
    return Device("cuda")


def device_count():
    """How many GPUs CuPy sees (0 without CuPy or a GPU)."""
    from .cuda import device_count as cuda_device_count

    return cuda_device_count()
