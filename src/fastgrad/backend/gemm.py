"""The one place matrix products of NumPy arrays go.

`gemm(a, b, out=None, trans_a=False, trans_b=False, alpha=1.0, beta=0.0)`
computes alpha * op(a) @ op(b) + beta * out, where op transposes the last two
axes when asked.  Every matmul and linear forward/backward on NumPy arrays
calls this, so the BLAS behind it is chosen in one place (see blas.py):
MKL's cblas_?gemm for float32/float64 when it is in use, np.matmul otherwise
and for every other dtype.
"""
import numpy as np

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def _resolve_then_call(a, b, out, alpha, beta):
    """First use: choose the BLAS (FASTGRAD_BLAS / auto), then run with it."""
    from . import blas

    blas.resolve()
    if _blas_gemm is None or _blas_gemm is _resolve_then_call:
        return NotImplemented
    return _blas_gemm(a, b, out, alpha, beta)


# _C.blas_gemm while MKL is in use, None for np.matmul; decided on first use.
_blas_gemm = _resolve_then_call


def _use_blas(blas_gemm):
    global _blas_gemm
    _blas_gemm = blas_gemm


def gemm(a, b, out=None, trans_a=False, trans_b=False, alpha=1.0, beta=0.0):
    """out = alpha * op(a) @ op(b) + beta * out, with np.matmul's shape rules.

    op(x) is x with its last two axes swapped when `trans_x` is true (a view,
    never a copy).  1-d operands are vectors, leading axes broadcast, as in
    np.matmul.  With beta == 0 the old contents of `out` are ignored; beta != 0
    needs `out`.  Returns `out`, or a fresh array when `out` is None.

    Example::

        w = np.ones((3, 4), np.float32); x = np.ones((2, 4), np.float32)
        y = gemm(x, w, trans_b=True)         # x @ w.T, shape (2, 3)
        gemm(x, w, out=y, trans_b=True, beta=1.0)   # y += x @ w.T
    """
    if trans_a:
        a = _transposed("a", a)
    if trans_b:
        b = _transposed("b", b)
    blas_gemm = _blas_gemm
    if (blas_gemm is not None and type(a) is np.ndarray and type(b) is np.ndarray
            and a.dtype in _FLOATS and b.dtype == a.dtype
            and (out is None or (type(out) is np.ndarray and out.dtype == a.dtype))):
        result = blas_gemm(a, b, out, alpha, beta)
        if result is not NotImplemented:
            return result
    return _numpy_gemm(a, b, out, alpha, beta)


def _transposed(name, x):
    ndim = np.ndim(x)
    if ndim < 2:
        raise ValueError(f"gemm: trans_{name}=True needs at least 2 axes, argument '{name}' has {ndim}")
    return np.swapaxes(x, -1, -2)


def _numpy_gemm(a, b, out, alpha, beta):
    try:
        if beta == 0:
            result = np.matmul(a, b, out=out)
            if type(result) is not np.ndarray:  # a 0-d product comes back as a scalar
                result = np.asarray(result)
            if alpha != 1:
                result *= alpha
            return result
        if out is None:
            raise ValueError("gemm: beta != 0 adds to 'out', so 'out' must be given")
        product = np.matmul(a, b)
        if alpha != 1:
            product *= alpha
        if beta != 1:
            out *= beta
        out += product
        return out
    except (ValueError, TypeError):
        _explain_bad_arguments(a, b, out)
        raise


def _explain_bad_arguments(a, b, out):
    """Raise the same clear error the BLAS path gives, when one applies."""
    shape_a, shape_b = np.shape(a), np.shape(b)
    if len(shape_a) == 0 or len(shape_b) == 0:
        name = "a" if len(shape_a) == 0 else "b"
        raise ValueError(f"gemm: argument '{name}' is 0-d; matrix products need at least 1-d operands")
    k = shape_a[-1]
    kb = shape_b[0] if len(shape_b) == 1 else shape_b[-2]
    if k != kb:
        raise ValueError(f"gemm: shapes {shape_a} and {shape_b} do not align: "
                         f"'a' has {k} columns, 'b' has {kb} rows")
    try:
        batch = np.broadcast_shapes(shape_a[:-2], shape_b[:-2])
    except ValueError:
        raise ValueError(f"gemm: batch axes of shapes {shape_a} and {shape_b} do not broadcast") from None
    if out is not None:
        if not isinstance(out, np.ndarray):
            raise TypeError(f"gemm: argument 'out' must be a numpy.ndarray, got {type(out).__name__}")
        expected = batch + shape_a[-2:-1] + shape_b[-1:] if len(shape_b) > 1 else batch + shape_a[-2:-1]
        if out.shape != expected:
            raise ValueError(f"gemm: argument 'out' has shape {out.shape}, expected {expected}")
        if not out.flags.writeable:
            raise ValueError("gemm: argument 'out' is read-only")
