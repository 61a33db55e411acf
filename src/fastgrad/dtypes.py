"""Default floating dtype for new tensors (float32, as in PyTorch)."""
import numpy as np

float16 = np.float16
float32 = np.float32
float64 = np.float64
int32 = np.int32
int64 = np.int64
bool_ = np.bool_

_default = [np.dtype(np.float32)]


def get_default_dtype():
    """The dtype of new floating tensors made from Python data and by factories."""
    return _default[0]


def set_default_dtype(dtype):
    """Set the default floating dtype: float32 or float64."""
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"set_default_dtype: expected a floating dtype, got {dtype}")
    _default[0] = dtype
