"""Devices (the `fastgrad.device(...)` objects): where a tensor's array lives, and moving it ("cpu" = NumPy, "cuda[:N]" = CuPy).

    x = fastgrad.tensor([1.0, 2.0], device="cuda")   # a CuPy array on GPU 0
    y = (x * 2).sum()                               # computed on the GPU
    y.cpu().item()                                  # back to NumPy

CuPy is imported only when "cuda" is asked for (or a CuPy array is used);
without it, or without a GPU, asking for "cuda" raises a RuntimeError that
says which of the two is missing.  Moving a tensor is differentiable: the
gradient goes back to the device the tensor came from.
"""
import re

import numpy as np

from .autograd.primitive import Primitive
from .backend import _is_cupy, array_device_name
from .autograd.tensor import Tensor

__all__ = ["Device", "cuda_is_available", "device_of", "is_device", "move_array", "move_tensor_", "parse_device",
           "require_cuda"]


class Device(str):
    """A device name ("cpu", "cuda:0", ...) that also says its `type` and `index`.

    It compares equal to its name, so `x.device == "cpu"` works, as does
    `x.device.type == "cuda"`.

    >>> Device("cuda:1").type, Device("cuda:1").index
    ('cuda', 1)
    """

    __slots__ = ()

    def __new__(cls, name, index=None):
        if index is not None:  # device("cuda", 1), as in PyTorch
            if not isinstance(name, str) or ":" in name:
                raise ValueError(f"device: with an index the type must be 'cpu' or 'cuda', got {name!r}")
            name = f"{name}:{index}" if name.strip().lower() != "cpu" or index != 0 else name
        kind, index = parse_device(name)
        return super().__new__(cls, kind if index is None or kind != "cuda" else f"cuda:{index}")

    @property
    def type(self):
        return self.split(":", 1)[0]

    @property
    def index(self):
        parts = self.split(":", 1)
        return int(parts[1]) if len(parts) == 2 and parts[1].isdigit() else None

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"


def is_device_name(name):
    """Whether `name` is a device written exactly 'cpu', 'cuda' or 'cuda:N' (the spellings
    save/load's map_location and the command line take)."""
    return isinstance(name, str) and re.fullmatch(r"cpu|cuda(:\d+)?", name) is not None


def parse_device(device):
    """("cpu", None) or ("cuda", index or None) from "cpu", "cuda", "cuda:N", an int N or a Device."""
    if isinstance(device, bool):
        raise TypeError(f"device: expected 'cpu', 'cuda' or 'cuda:N', got {device!r}")
    if isinstance(device, int):
        if device < 0:
            raise ValueError(f"device: a GPU index must be >= 0, got {device}")
        return "cuda", device
    if not isinstance(device, str):
        kind = getattr(device, "type", None)  # e.g. a torch.device
        if isinstance(kind, str):
            index = getattr(device, "index", None)
            return parse_device(kind if index is None else f"{kind}:{index}")
        raise TypeError(f"device: expected 'cpu', 'cuda' or 'cuda:N', got {type(device).__name__}")
    name = device.strip().lower()
    if name == "cpu":
        return "cpu", None
    if name in ("cuda", "gpu"):
        return "cuda", None
    if name.startswith(("cuda:", "gpu:")):
        index = name.split(":", 1)[1]
        if index.isdigit():
            return "cuda", int(index)
    raise ValueError(f"device: expected 'cpu', 'cuda' or 'cuda:N', got {device!r}")


def is_device(value):
    """True when `value` names a device (rather than a dtype)."""
    if isinstance(value, (Device, int)) and not isinstance(value, bool):
        return True
    if isinstance(value, str):
        try:
            parse_device(value)
        except ValueError:
            return False
        return True
    return isinstance(getattr(value, "type", None), str) and hasattr(value, "index")


_cuda_checked = []


def require_cuda():
    """The cupy module, after checking that CuPy is installed and sees a GPU.

    Raises RuntimeError naming what is missing: CuPy itself, or a usable GPU."""
    try:
        import cupy
    except ImportError as e:
        raise RuntimeError(
            "device 'cuda' needs CuPy, which is not installed: install the CuPy build for your CUDA "
            f"version (e.g. pip install cupy-cuda12x) ({e})") from None
    if not _cuda_checked:
        try:
            count = cupy.cuda.runtime.getDeviceCount()
        except Exception as e:  # CUDARuntimeError: no driver, no device, driver too old
            raise RuntimeError(f"device 'cuda': CuPy is installed but no CUDA GPU can be used ({e})") from None
        if count < 1:
            raise RuntimeError("device 'cuda': CuPy is installed but it finds no CUDA GPU")
        _cuda_checked.append(count)
    return cupy


def cuda_is_available():
    """True when CuPy is installed and a CUDA GPU can be used (never raises)."""
    try:
        require_cuda()
    except RuntimeError:
        return False
    return True


def device_of(array):
    """The Device an array lives on: 'cpu' for NumPy, 'cuda:N' for CuPy; arrays of other
    array-API libraries live in host memory, so 'cpu' too."""
    name = array_device_name(array)
    return Device(name if is_device_name(name) else "cpu")


def move_array(array, device):
    """`array` on `device`: the same object when it is already there, else a copy.

    "cpu" gives a NumPy array; "cuda" / "cuda:N" a CuPy array on that GPU
    (N defaults to the current CuPy device).  Used by Tensor.to and by
    nn.Module.to for parameters, gradients and buffers.

    >>> move_array(np.ones(3), "cpu") is not None
    True
    """
    kind, index = parse_device(device)
    if kind == "cpu":
        if isinstance(array, np.ndarray):
            return array
        if _is_cupy(array):
            return array.get()
        return _to_numpy(array)
    cupy = require_cuda()
    if index is not None and index >= _cuda_checked[0]:
        raise RuntimeError(f"device 'cuda:{index}': only {_cuda_checked[0]} CUDA GPU(s) are visible")
    if _is_cupy(array):
        if index is None or array.device.id == index:
            return array
        with cupy.cuda.Device(index):
            return cupy.array(array, copy=True)
    host = array if isinstance(array, np.ndarray) else _to_numpy(array)
    if index is None:
        return cupy.asarray(host)
    with cupy.cuda.Device(index):
        return cupy.asarray(host)


def _to_numpy(array):
    if isinstance(array, np.generic):
        return np.asarray(array)
    try:
        return np.from_dlpack(array)
    except (TypeError, AttributeError, BufferError, RuntimeError):
        return np.asarray(array)


def move_tensor_(tensor, device):
    """Move a leaf tensor (e.g. a parameter) and its .grad to `device`, in place.

    Keeps the tensor object, so references held elsewhere (an optimizer, a
    module) see the moved data.  What nn.Module.to does for each parameter."""
    if tensor._node is not None:
        raise RuntimeError("move_tensor_: only leaf tensors can be moved in place; use .to(device)")
    data = move_array(tensor._data, device)
    if data is not tensor._data:
        tensor._data = data
        tensor._version[0] += 1
    if tensor.grad is not None:
        tensor.grad = move_array(tensor.grad._data, device)
    return tensor


class ToDevice(Primitive):
    """A copy on another device; the gradient is copied back to the source device."""

    @staticmethod
    def forward(ctx, b, x, device, copy=False):
        ctx.source = device_of(x)
        # arrays of another array-API library come back as that library's arrays
        ctx.foreign = not isinstance(x, np.ndarray) and not _is_cupy(x)
        out = move_array(x, device)
        if copy and out is x:
            out = x.copy() if hasattr(x, "copy") else b.xp.asarray(x, copy=True)
        return out

    @staticmethod
    def backward(ctx, b, g):
        if isinstance(g, Tensor):  # create_graph: stay differentiable
            return ToDevice.apply(g, ctx.source), None
        g = move_array(g, ctx.source)
        return (b.xp.asarray(g) if ctx.foreign else g), None


def to(self, *args, **kwargs):
    """Tensor.to(device), .to(dtype), .to(device, dtype), .to(other_tensor), as in PyTorch.

    Returns self when nothing changes (unless copy=True); otherwise a new
    tensor whose gradient flows back to this one.

    >>> x = fastgrad.tensor([1.0, 2.0])
    >>> x.to(np.float64).dtype
    dtype('float64')
    """
    device = kwargs.pop("device", None)
    dtype = kwargs.pop("dtype", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)   # copies are synchronous, which non_blocking=True allows
    refuse_memory_format("to", kwargs.pop("memory_format", None))
    if kwargs:
        raise TypeError(f"to: unexpected keyword argument(s) {', '.join(sorted(kwargs))}")
    for a in args:
        if isinstance(a, Tensor):
            device, dtype = device or a.device, dtype or a.dtype
        elif a is None:
            continue
        elif is_device(a):
            device = a
        else:
            dtype = a
    result = self
    if device is not None and _moves(self._data, self.device, Device(device)):
        result = ToDevice.apply(result, device)
    if dtype is not None:
        from .ops.shape import astype

        target = dtype if hasattr(dtype, "kind") or not _is_numpy_dtype_like(dtype) else np.dtype(dtype)
        if target != result.dtype:
            result = astype(result, target)
    if copy and result is self:
        result = ToDevice.apply(self, self.device, copy=True)
    return result


def refuse_memory_format(op, memory_format):
    """memory_format: fastgrad keeps PyTorch's default layout (row-major), so only None is taken."""
    if memory_format is not None:
        raise ValueError(f"{op}: argument 'memory_format' is not supported (tensors keep a row-major "
                         f"layout), got {memory_format!r}")


def _moves(data, current, target):
    if target == "cpu":
        return not isinstance(data, np.ndarray)  # "cpu" means NumPy data
    if target == "cuda":
        return current.type != "cuda"  # the current GPU: a tensor on a GPU stays where it is
    return target != current


def _is_numpy_dtype_like(dtype):
    try:
        np.dtype(dtype)
    except TypeError:
        return False  # e.g. an array-API namespace's own dtype object
    return True


def cuda(self, device=None):
    """This tensor on a GPU (CuPy): the current one, or GPU `device`."""
    return self.to("cuda" if device is None else Device(device if not isinstance(device, int) else f"cuda:{device}"))


def cpu(self):
    """This tensor in host memory (NumPy)."""
    return self.to("cpu")


# ---- the device new tensors go to when none is named (fastgrad.set_default_device) -------------
_DEFAULT = ["cpu"]


def set_default(device):
    """Make `device` ('cpu', or 'cuda[:N]' when CuPy sees a GPU) where factories put new tensors;
    None restores 'cpu'."""
    kind, index = parse_device("cpu" if device is None else device)
    if kind == "cuda":
        require_cuda()
    _DEFAULT[0] = Device(kind if index is None else f"{kind}:{index}")


def default_device():
    """The Device factories use when no device is given ('cpu' unless set_default changed it)."""
    return _DEFAULT[0]


def default_or(device):
    """`device`, or the default device when it is None and the default is not the CPU."""
    return device if device is not None or _DEFAULT[0] == "cpu" else _DEFAULT[0]
