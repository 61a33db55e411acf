"""CuPy arrays: fused CuPy kernels for float32/float64, cuBLAS for matmul, twins otherwise.

Everything stays on the GPU: the kernels of cupy_kernels/ run on the arrays
where they are, and what they do not cover runs as the reference twin in
the `cupy` namespace (still on the GPU).  CuPy is imported only when a CuPy
array is first seen (or asked for with device="cuda").
"""
import numpy as np

from . import reference
from .base import Backend
from .cupy_kernels import FUNCTIONS

_FLOAT_CHARS = ("f", "d")  # float32, float64
_SCALARS = (int, float, bool, str, np.generic)
_HOST_ARRAYS = np.ndarray  # what may not come along with CuPy arrays


def _float_arrays(args):
    """True when the floating arrays among args are all float32 or all float64.

    Numbers (NumPy scalars included) are parameters, not arrays: they take the
    arrays' dtype inside the kernel, as the C kernels convert them once.
    Integer and boolean arrays (class targets) may come along."""
    dtype = None
    for a in args:
        if a is None or isinstance(a, _SCALARS):
            continue
        d = getattr(a, "dtype", None)
        if d is None or getattr(d, "kind", None) in ("i", "u", "b"):
            continue
        if getattr(d, "char", None) not in _FLOAT_CHARS or (dtype is not None and d != dtype):
            return False
        dtype = d
    return dtype is not None


def _flattened(values):
    """The arguments with lists (the optimizer steps' lists of arrays) spread out."""
    if not any(type(v) is list for v in values):
        return values
    out = []
    for v in values:
        out.extend(v if type(v) is list else (v,))
    return tuple(out)


def _fused_or_reference(name, fused):
    has_twin = name in reference.TWINS

    def method(self, *args, **kwargs):
        values = _flattened(args + tuple(kwargs.values()))
        for a in values:
            if isinstance(a, _HOST_ARRAYS):
                raise TypeError(f"{name}: got a NumPy array (device cpu) among CuPy arrays (device cuda); "
                                "move it to the GPU first (tensor.cuda(), or fastgrad.tensor(..., device='cuda'))")
        if _float_arrays(values):
            return fused(*args, **kwargs)
        if has_twin:
            return getattr(Backend, name)(self, *args, **kwargs)
        dtypes = ", ".join(sorted({str(a.dtype) for a in args if hasattr(a, "dtype")}))
        raise TypeError(f"{name}: the CuPy kernel takes float32 or float64 arrays of one dtype, got {dtypes}")

    method.__name__ = name
    method.__doc__ = fused.__doc__
    return method


class CupyBackend(Backend):
    """Kernels for CuPy arrays: cached CuPy fused kernels; matmul through cuBLAS."""

    name = "cupy"

    def __init__(self, cupy):
        super().__init__(cupy)

    def matmul(self, x, y):
        """x @ y through cupy.matmul (cuBLAS for float32/float64)."""
        return self.xp.matmul(x, y)

    # Gradient norms for clipping: one reduction per array, results left on the GPU.
    @staticmethod
    def sum_squares(arrays):
        """sum of x**2 over all arrays, in double, as a 0-d float64 CuPy array."""
        from .cupy_kernels.optim import sum_squares

        return sum_squares(arrays)

    @staticmethod
    def max_abs(arrays):
        """max |x| over all arrays (NaN when any element is NaN), as a 0-d float64 CuPy array."""
        from .cupy_kernels.optim import max_abs

        return max_abs(arrays)

    @staticmethod
    def scale_(arrays, factor):
        """x *= factor in place for every array; factor may be a number or a 0-d CuPy array."""
        from .cupy_kernels.optim import scale_

        scale_(arrays, factor)


for _name, _fused in FUNCTIONS.items():
    setattr(CupyBackend, _name, _fused_or_reference(_name, _fused))

_instance = []


def cupy_backend():
    """The one CupyBackend (imports CuPy on first call)."""
    if not _instance:
        import cupy

        _instance.append(CupyBackend(cupy))
    return _instance[0]
