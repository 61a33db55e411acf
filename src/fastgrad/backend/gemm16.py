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

An op whose operands take part in several products (the linear layer: x and W
in the forward, W and the output gradient in the backward) rounds each one
once with `rounded_operand` and multiplies the copies with `gemm_rounded`:
the same values as gemm16, without a fresh 16-bit copy per product.
"""
import numpy as np

from .. import _C
from . import onednn
from .gemm import gemm

_F32 = np.dtype(np.float32)
_U16 = np.dtype(np.uint16)
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
    _check_dtype("gemm16", dtype)
    bits = a.ndim == 2 and b.ndim == 2 and uses_onednn(a.shape[0] * a.shape[1] * b.shape[-1], dtype)
    if bits and a.shape[1] != b.shape[0]:
        raise ValueError(f"gemm: shapes {a.shape} and {b.shape} do not align: "
                         f"'a' has {a.shape[1]} columns, 'b' has {b.shape[0]} rows")
    return gemm_rounded(rounded_operand(a, dtype, bits), rounded_operand(b, dtype, bits))


def uses_onednn(work, dtype):
    """Whether a 16-bit product of `work` multiply-adds runs on oneDNN (bfloat16, big enough,
    oneDNN in use): then its operands are bfloat16 bits, else rounded float32 values."""
    return dtype == BFLOAT16 and work >= ONEDNN_MIN_WORK and onednn.resolve() == "onednn"


def rounded_operand(a, dtype, bits):
    """The float32 array `a` as a 16-bit GEMM reads it, for gemm_rounded: its bfloat16 bits
    (uint16) when `bits` (oneDNN's operand), else float32 values rounded to `dtype`.  A
    transposed (Fortran-ordered) matrix stays transposed, so no strided copy is made.

    Example::

        w16 = rounded_operand(w, "bfloat16", bits=False)   # float32, every value a bfloat16
        gemm_rounded(x16, w16.T)                           # x @ w.T in 16-bit operands
    """
    _check_dtype("rounded_operand", dtype)
    if type(a) is not np.ndarray or a.dtype != _F32:
        raise TypeError(f"rounded_operand: argument 'a' must be a float32 numpy.ndarray, got "
                        f"{type(a).__name__} of dtype {getattr(a, 'dtype', None)}")
    if bits:
        if dtype != BFLOAT16:
            raise ValueError("rounded_operand: bits=True is for bfloat16 (oneDNN's operands)")
        return _keeping_layout(_C.bf16_bits, a)
    if dtype == BFLOAT16:
        return _keeping_layout(_C.bf16_round, a)
    return _round_float16(a)


def gemm_rounded(a16, b16):
    """a16 @ b16 for operands from rounded_operand (both bits or both float32): oneDNN's
    bfloat16 matmul on bits, a float32 GEMM on rounded values; float32 result."""
    if a16.dtype == _U16 or b16.dtype == _U16:
        if a16.dtype != b16.dtype:
            raise TypeError(f"gemm_rounded: operands must both be bfloat16 bits or both float32, got "
                            f"{a16.dtype} and {b16.dtype}")
        return _onednn_bf16(a16, b16)
    with np.errstate(over="ignore", invalid="ignore"):  # inf and NaN come out as a 16-bit GEMM's would
        return gemm(a16, b16)


def _check_dtype(op, dtype):
    if dtype != BFLOAT16 and dtype != FLOAT16:
        raise ValueError(f"{op}: argument 'dtype' must be {BFLOAT16!r} or {FLOAT16!r}, got {dtype!r}")


def _round_float16(x):
    with np.errstate(over="ignore"):  # past float16's range is infinity, as in a float16 GEMM
        return x.astype(np.float16, order="K").astype(np.float32, order="K")


def _keeping_layout(convert, x):
    """convert(x) where a transposed (Fortran-ordered) matrix stays transposed, so no strided copy is made."""
    if x.ndim >= 2 and not x.flags.c_contiguous and np.swapaxes(x, -1, -2).flags.c_contiguous:
        return np.swapaxes(convert(np.swapaxes(x, -1, -2)), -1, -2)
    return convert(x)


def _onednn_bf16(a_bits, b_bits):
    out, implementation = _C.gemm_bf16(a_bits, b_bits)
    if implementation:
        last_onednn_implementation[0] = implementation
    return out
