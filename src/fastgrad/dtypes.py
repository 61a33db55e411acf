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


# PyTorch's names for the dtypes (fastgrad.float, fastgrad.long, ...): NumPy scalar
# types, so `x.dtype == fastgrad.float32` and `np.zeros(3, fastgrad.long)` work.
TORCH_NAMES = {
    "float": np.float32, "float32": np.float32, "double": np.float64, "float64": np.float64,
    "half": np.float16, "float16": np.float16, "long": np.int64, "int64": np.int64, "int": np.int32,
    "int32": np.int32, "short": np.int16, "int16": np.int16, "int8": np.int8, "uint8": np.uint8,
    "bool": np.bool_, "cfloat": np.complex64, "complex64": np.complex64, "cdouble": np.complex128,
    "complex128": np.complex128,
}
