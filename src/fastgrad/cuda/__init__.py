"""`fastgrad.cuda`: the CUDA questions and calls of PyTorch scripts, answered by CuPy.

`is_available()`, `device_count()`, `current_device()`, `get_device_name()`,
`synchronize()` and `empty_cache()` ask or act on CuPy's GPUs.  Random draws on
a GPU come from fastgrad's one generator, which `fastgrad.manual_seed` seeds
(as `torch.manual_seed` seeds every device); `manual_seed` and
`manual_seed_all` here leave it alone, as PyTorch's do on a machine without
CUDA, so a script that calls both draws the same numbers on the CPU either way.
`fastgrad.cuda.amp` holds PyTorch's `torch.cuda.amp` names.
"""
from ..devices import cuda_is_available as is_available, require_cuda
from . import amp

__all__ = ["amp", "current_device", "device_count", "empty_cache", "get_device_name", "is_available",
           "manual_seed", "manual_seed_all", "synchronize"]


def device_count():
    """How many CUDA GPUs CuPy sees (0 without CuPy or a GPU)."""
    if not is_available():
        return 0
    return require_cuda().cuda.runtime.getDeviceCount()


def current_device():
    """The index of CuPy's current GPU (RuntimeError naming what is missing without one)."""
    return require_cuda().cuda.Device().id


def get_device_name(device=None):
    """The name of GPU `device` (an index, 'cuda:N', or None for the current one)."""
    cupy = require_cuda()
    name = cupy.cuda.runtime.getDeviceProperties(_index(cupy, device))["name"]
    return name.decode() if isinstance(name, bytes) else name


def synchronize(device=None):
    """Wait for the work queued on a GPU (RuntimeError naming what is missing without one)."""
    cupy = require_cuda()
    cupy.cuda.Device(_index(cupy, device)).synchronize()


def _index(cupy, device):
    if device is None:
        return cupy.cuda.Device().id
    if isinstance(device, int):
        return device
    from ..devices import Device

    return Device(device).index or 0


def empty_cache():
    """Free the blocks CuPy's memory pools hold unused; nothing to do without CuPy or a GPU."""
    if is_available():
        cupy = require_cuda()
        cupy.get_default_memory_pool().free_all_blocks()
        cupy.get_default_pinned_memory_pool().free_all_blocks()


def manual_seed(seed):
    """Kept for PyTorch scripts: GPU draws come from the generator `fastgrad.manual_seed` seeds."""
    int(seed)


def manual_seed_all(seed):
    """Kept for PyTorch scripts: GPU draws come from the generator `fastgrad.manual_seed` seeds."""
    int(seed)
