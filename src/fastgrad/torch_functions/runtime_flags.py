"""The switches PyTorch scripts set for reproducibility and speed, with what they mean here.

- use_deterministic_algorithms(mode, *, warn_only=False) / are_deterministic_algorithms_enabled()
  / is_deterministic_algorithms_warn_only_enabled(): the flag is recorded and reported.  fastgrad's
  kernels are deterministic already (each OpenMP thread owns a fixed slice of the output and
  reductions run in a fixed order), so there is nothing for the flag to switch.
- set_float32_matmul_precision('highest' | 'high' | 'medium') / get_float32_matmul_precision():
  the setting is recorded and reported; fastgrad's float32 matrix products always run in float32
  (no TF32 or bfloat16 shortcut), which is what 'highest' asks for and at least what the others allow.
- set_default_device(device) / get_default_device(): where factories (tensor, zeros, ones, full,
  empty, ...) put new tensors when no device is named: 'cpu', or 'cuda[:N]' when CuPy sees a GPU
  (otherwise a RuntimeError says what is missing).  None restores 'cpu'.

    import fastgrad as torch
    torch.use_deterministic_algorithms(True)
    torch.set_float32_matmul_precision("high")
"""
from .. import devices as _devices

__all__ = ["are_deterministic_algorithms_enabled", "get_default_device", "get_float32_matmul_precision",
           "is_deterministic_algorithms_warn_only_enabled", "set_default_device", "set_float32_matmul_precision",
           "use_deterministic_algorithms"]

_PRECISIONS = ("highest", "high", "medium")
_STATE = {"deterministic": False, "warn_only": False, "matmul_precision": "highest"}


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Record whether deterministic algorithms are required (fastgrad's always are)."""
    for name, value in (("mode", mode), ("warn_only", warn_only)):
        if not isinstance(value, bool):
            raise TypeError(f"use_deterministic_algorithms: argument '{name}' must be a bool, got "
                            f"{type(value).__name__}")
    _STATE["deterministic"], _STATE["warn_only"] = mode, warn_only


def are_deterministic_algorithms_enabled():
    """The mode last given to use_deterministic_algorithms (False until then)."""
    return _STATE["deterministic"]


def is_deterministic_algorithms_warn_only_enabled():
    """The warn_only last given to use_deterministic_algorithms (False until then)."""
    return _STATE["warn_only"]


def set_float32_matmul_precision(precision):
    """Record 'highest', 'high' or 'medium'; float32 matrix products stay in float32 whichever."""
    if precision not in _PRECISIONS:
        raise ValueError(f"set_float32_matmul_precision: argument 'precision' must be one of {_PRECISIONS}, "
                         f"got {precision!r}")
    _STATE["matmul_precision"] = precision


def get_float32_matmul_precision():
    """The precision last set ('highest' until then)."""
    return _STATE["matmul_precision"]


def set_default_device(device):
    """Make `device` where factories put new tensors ('cpu', or 'cuda[:N]' when CuPy sees a GPU;
    None restores 'cpu')."""
    try:
        _devices.set_default(device)
    except (TypeError, ValueError, RuntimeError) as e:
        raise type(e)(f"set_default_device: argument 'device': {e}") from None


def get_default_device():
    """The device factories use when none is named (a fastgrad.device)."""
    return _devices.default_device()
