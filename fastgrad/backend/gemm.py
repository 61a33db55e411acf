"""The one place matrix products of NumPy arrays go.

`gemm(a, b, out=None, trans_a=False, trans_b=False)` computes
op(a) @ op(b) (op = transpose of the last two axes when asked) into `out`
when given.  Every matmul and linear forward/backward on NumPy arrays calls
this, so the BLAS behind it can be chosen in one place.
"""
import numpy as np


def gemm(a, b, out=None, trans_a=False, trans_b=False):
    """op(a) @ op(b) through NumPy's BLAS, written into `out` when given."""
    if trans_a:
        a = np.swapaxes(a, -1, -2)
    if trans_b:
        b = np.swapaxes(b, -1, -2)
    return np.matmul(a, b, out=out)
