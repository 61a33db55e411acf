"""`fastgrad.cuda.amp`: PyTorch's older `torch.cuda.amp.GradScaler` and `autocast` names.

Scripts create them with `enabled=use_amp` and run on the CPU when no GPU is
there.  As in PyTorch, without a usable GPU an enabled one warns and disables
itself (the scaler passes gradients and steps through unchanged; the block runs
in full precision).  With a GPU they raise: fastgrad's mixed precision runs the
products of NumPy arrays on the CPU (`fastgrad.autocast("cpu", ...)`), not CuPy's.
"""
import warnings

from .. import amp as _amp
from ..devices import cuda_is_available


def _enabled(name, enabled):
    if not enabled:
        return False
    if cuda_is_available():
        raise RuntimeError(
            f"fastgrad.cuda.amp.{name}: mixed precision on the GPU is not supported (fastgrad.autocast runs "
            f"on the CPU); pass enabled=False, or use fastgrad.autocast('cpu', dtype=fastgrad.bfloat16) on "
            "CPU tensors")
    warnings.warn(f"fastgrad.cuda.amp.{name} is enabled, but CUDA is not available: disabling it",
                  UserWarning, stacklevel=3)
    return False


class GradScaler(_amp.GradScaler):
    """torch.cuda.amp.GradScaler(...): disabled (a pass-through) where no GPU is usable."""

    def __init__(self, init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000,
                 enabled=True):
        super().__init__("cpu", init_scale, growth_factor, backoff_factor, growth_interval,
                         _enabled("GradScaler", enabled))


class autocast(_amp.autocast):
    """torch.cuda.amp.autocast(...): a full-precision block where no GPU is usable."""

    def __init__(self, enabled=True, dtype=None, cache_enabled=None):
        super().__init__("cpu", dtype, _enabled("autocast", enabled), cache_enabled)


__all__ = ["GradScaler", "autocast"]
