"""Mixed precision: 16-bit matrix products with float32 accumulation and float32 master weights.

    with fastgrad.autocast(dtype="bfloat16"):      # or fastgrad.amp.autocast("cpu", ...)
        loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()

autocast: see autocast_mode.py.  custom_fwd / custom_bwd (custom Functions under
autocast) and is_autocast_available: custom_decorators.py.  GradScaler (dynamic loss scaling, for
float16): grad_scaler.py.  Where bfloat16 GEMMs run (oneDNN or emulated):
set_bf16_gemm / get_bf16_gemm, from backend/onednn.py.
"""
from ..backend.onednn import get_bf16_gemm, set_bf16_gemm
from .autocast_mode import autocast, get_autocast_dtype, is_autocast_enabled
from .custom_decorators import custom_bwd, custom_fwd, is_autocast_available
from .dtypes import bfloat16_dtype
from .grad_scaler import GradScaler

__all__ = ["autocast", "GradScaler", "is_autocast_enabled", "get_autocast_dtype", "set_bf16_gemm",
           "get_bf16_gemm", "bfloat16_dtype", "custom_fwd", "custom_bwd", "is_autocast_available"]


def __getattr__(name):
    if name == "bfloat16":  # ml_dtypes' dtype, looked up when asked for
        return bfloat16_dtype()
    raise AttributeError(f"module 'fastgrad.amp' has no attribute {name!r}")
