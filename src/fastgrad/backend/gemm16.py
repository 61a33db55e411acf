"""Matrix products with 16-bit operands and float32 accumulation (mixed precision).

`gemm16(a, b, dtype)` is a @ b with np.matmul's shape rules where both float32
operands are first rounded to `dtype` (bfloat16 or float16) and the products
are summed in float32; the result is float32.  This is what a 16-bit GEMM
computes: the product of two 16-bit values is exact in float32, so rounding
the operands and running a float32 GEMM gives the same numbers, up to the
order of the additions.

bfloat16 2-d products of at least ONEDNN_MIN_WORK multiply-adds go to oneDNN's
matmul when it is in use (onednn.py); every other case is emulated that way.  float16 is always emulated (no CPU
here has a fast float16 GEMM).  Operands that are not float32 NumPy arrays go
to gemm() unchanged: autocast leaves float64 alone.
"""
import numpy as np

from .. import _C
from . import onednn
from .gemm import gemm

_F32 = np.dtype(np.float32)
BFLOAT16 = "bfloat16"
FLOAT16 = "float16"

# Products of fewer multiply-adds are emulated even where oneDNN is in use: a oneDNN call (its
# threads, the bf16 copies) costs more than it saves there, and the values are the same.
ONEDNN_MIN_WORK = 64 * 64 * 64

# The name of oneDNN's implementation that ran the last bf16 GEMM (for tests and `fastgrad info`).
last_onednn_implementation = [""]


def gemm16(a, b, dtype):
    """a @ b with both operands rounded to `dtype` ("bfloat16" or "float16"), float32 sums.

    Example::

        x = np.random.rand(4, 3).astype(np.float32); w = np.random.rand(3, 2).astype(np.float32)
        gemm16(x, w, "bfloat16")      # float32 (4, 2), bf16 products, float32 accumulation
    """
    if not (type(a) is np.ndarray and type(b) is np.ndarray and a.dtype == _F32 and b.dtype == _F32):
        return gemm(a, b)
    if dtype == BFLOAT16:
        if (a.ndim == 2 and b.ndim == 2 and a.shape[0] * a.shape[1] * b.shape[-1] >= ONEDNN_MIN_WORK
                and onednn.resolve() == "onednn"):
            return _onednn_bf16(a, b)
        a, b = _keeping_layout(_C.bf16_round, a), _keeping_layout(_C.bf16_round, b)
    elif dtype == FLOAT16:
        a, b = _round_float16(a), _round_float16(b)
    else:
        raise ValueError(f"gemm16: argument 'dtype' must be {BFLOAT16!r} or {FLOAT16!r}, got {dtype!r}")
    with np.errstate(over="ignore", invalid="ignore"):  # inf and NaN come out as a 16-bit GEMM's would
        return gemm(a, b)


def _round_float16(x):
    with np.errstate(over="ignore"):  # past float16's range is infinity, as in a float16 GEMM
        return x.astype(np.float16, order="K").astype(np.float32, order="K")


def _keeping_layout(convert, x):
    """convert(x) where a transposed (Fortran-ordered) matrix stays transposed, so no strided copy is made."""
    if x.ndim >= 2 and not x.flags.c_contiguous and np.swapaxes(x, -1, -2).flags.c_contiguous:
        return np.swapaxes(convert(np.swapaxes(x, -1, -2)), -1, -2)
    return convert(x)


def _onednn_bf16(a, b):
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"gemm: shapes {a.shape} and {b.shape} do not align: "
                         f"'a' has {a.shape[1]} columns, 'b' has {b.shape[0]} rows")
    out, implementation = _C.gemm_bf16(_keeping_layout(_C.bf16_bits, a), _keeping_layout(_C.bf16_bits, b))
    if implementation:
        last_onednn_implementation[0] = implementation
    return out
