"""NumPy arrays: fused C kernels for float32/float64, reference twins otherwise."""
import numpy as np

from .. import _C
from .base import KERNELS, Backend
from .gemm import gemm

_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)
_FLOATS = (_F32, _F64)


def _c_or_reference(name):
    """Use the C kernel when every array argument is float32/float64 of one dtype and shape."""
    kernel = getattr(_C, name)
    reference = getattr(Backend, name)

    def method(self, *arrays, **kwargs):
        # Fast path first: this runs for every activation call, however small.
        # One array (most calls with keywords) is checked inline.
        if len(arrays) == 1:
            first = arrays[0]
            if type(first) is np.ndarray and (first.dtype is _F32 or first.dtype is _F64):
                return kernel(first, **kwargs)
        elif _same_float_arrays(arrays):
            return kernel(*arrays, **kwargs)
        # NumPy hands back scalars for 0-d results; the kernels take arrays.
        arrays = [np.asarray(a) for a in arrays]
        if _same_float_arrays(arrays):
            return kernel(*arrays, **kwargs)
        return reference(self, *arrays, **kwargs)

    method.__name__ = name
    return method


def _same_float_arrays(arrays):
    first = arrays[0]
    if type(first) is not np.ndarray:
        return False
    dtype, shape = first.dtype, first.shape
    if dtype is not _F32 and dtype is not _F64 and dtype not in _FLOATS:
        return False
    for a in arrays[1:]:
        if type(a) is not np.ndarray or a.shape != shape or (a.dtype is not dtype and a.dtype != dtype):
            return False
    return True


class NumpyBackend(Backend):
    name = "numpy"

    def __init__(self):
        super().__init__(np)
        # Each kernel method is first answered by a compiled check of its arrays (_C.KernelOrTwin), which
        # hands the calls the C wrapper cannot take as they are to the method itself.
        for name in C_KERNELS:
            setattr(self, name, _C.KernelOrTwin(getattr(_C, name), getattr(self, name)))

    def matmul(self, x, y):
        """x @ y through gemm (MKL or numpy's BLAS; np.matmul for other dtypes)."""
        return gemm(x, y)


# Every elementwise kernel with a C wrapper of the same name is used for NumPy
# arrays.  (Kernels with other calling conventions, such as the optimizer
# steps, are dispatched by their own callers.)
C_KERNELS = tuple(name for name in KERNELS if name.endswith(("_fwd", "_bwd")) and hasattr(_C, name))

for _name in C_KERNELS:
    setattr(NumpyBackend, _name, _c_or_reference(_name))
