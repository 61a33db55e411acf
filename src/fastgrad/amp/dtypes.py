"""The 16-bit dtypes autocast computes in, by name.

float16 is NumPy's own.  NumPy has no bfloat16; the `ml_dtypes` package adds
one (`pip install ml_dtypes`, or fastgrad[bf16]), and `fastgrad.bfloat16` is
that dtype.  Autocast itself needs neither: `autocast(dtype="bfloat16")` (the
default) works with NumPy alone, since its arrays stay float32.
"""
import numpy as np

BFLOAT16 = "bfloat16"
FLOAT16 = "float16"
_NAMES = {"bfloat16": BFLOAT16, "bf16": BFLOAT16, "float16": FLOAT16, "half": FLOAT16, "fp16": FLOAT16}
MISSING_ML_DTYPES = ("NumPy has no bfloat16 dtype; fastgrad.bfloat16 is the one from the ml_dtypes package: "
                     "pip install ml_dtypes (or fastgrad[bf16]).  autocast(dtype='bfloat16') works without it.")


def bfloat16_dtype():
    """ml_dtypes' bfloat16 (a NumPy scalar type); ImportError naming the package when it is missing."""
    try:
        import ml_dtypes
    except ImportError:
        raise ImportError(MISSING_ML_DTYPES) from None
    return ml_dtypes.bfloat16


def compute_dtype_name(op, dtype):
    """"bfloat16" or "float16" for any way of naming them, else ValueError naming `op`."""
    if isinstance(dtype, str):
        name = _NAMES.get(dtype.strip().lower())
        if name is not None:
            return name
    else:
        try:
            np_dtype = np.dtype(dtype)
        except TypeError:
            np_dtype = None
        if np_dtype is not None and np_dtype.name in _NAMES:  # float16, or ml_dtypes' bfloat16
            return _NAMES[np_dtype.name]
    raise ValueError(f"{op}: argument 'dtype' must be bfloat16 or float16 (a name, numpy.float16 or "
                     f"fastgrad.bfloat16), got {dtype!r}")
