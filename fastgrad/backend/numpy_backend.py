"""NumPy arrays: fused C kernels for float32/float64, reference twins otherwise."""
import numpy as np

from .. import _C
from .base import KERNELS, Backend
from .gemm import gemm

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def _c_or_reference(name):
    """Use the C kernel when every array argument is float32/float64 of one dtype."""
    kernel = getattr(_C, name)

    def method(self, *arrays, **kwargs):
        # NumPy hands back scalars for 0-d results; the kernels take arrays.
        arrays = [a if type(a) is np.ndarray else np.asarray(a) for a in arrays]
        dtype = arrays[0].dtype
        if dtype in _FLOATS and all(a.dtype == dtype and a.shape == arrays[0].shape for a in arrays[1:]):
            return kernel(*arrays, **kwargs)
        return getattr(Backend, name)(self, *arrays, **kwargs)

    method.__name__ = name
    return method


class NumpyBackend(Backend):
    name = "numpy"

    def __init__(self):
        super().__init__(np)

    def matmul(self, x, y):
        """x @ y through gemm (MKL or numpy's BLAS; np.matmul for other dtypes)."""
        return gemm(x, y)


# Every elementwise kernel with a C wrapper of the same name is used for NumPy
# arrays.  (Kernels with other calling conventions, such as the optimizer
# steps, are dispatched by their own callers.)
C_KERNELS = tuple(name for name in KERNELS if name.endswith(("_fwd", "_bwd")) and hasattr(_C, name))

for _name in C_KERNELS:
    setattr(NumpyBackend, _name, _c_or_reference(_name))
