"""Where autocast reaches the ops: the 16-bit compute dtype in effect, and the backend that uses it.

`fastgrad.autocast` sets the compute dtype of the current thread.  The ops that
autocast runs in 16 bits (matmul, linear, convolutions: PyTorch's CPU list)
start their forward with `b = autocast_backend(ctx, b)`: while autocast is on
and the arrays are NumPy arrays, that is a backend whose matmul rounds float32
operands to the 16-bit dtype and accumulates in float32 (gemm16.py), and it is
recorded as the node's backend so that the backward's GEMMs run the same way,
wherever backward() is called.  Everything else (elementwise ops, reductions,
softmax, losses, optimizer steps) keeps running in float32, and every array a
Tensor holds stays float32: parameters, activations and gradients.
"""
import threading

from .gemm16 import gemm16
from .numpy_backend import NumpyBackend


class _State(threading.local):
    dtype = None  # None, "bfloat16" or "float16"


STATE = _State()


class MixedPrecisionBackend(NumpyBackend):
    """The NumPy backend with matmul in 16-bit operands, float32 accumulation."""

    def __init__(self, compute_dtype):
        super().__init__()
        self.compute_dtype = compute_dtype

    def matmul(self, x, y):
        """x @ y with float32 operands rounded to the compute dtype, summed in float32."""
        return gemm16(x, y, self.compute_dtype)

    def __repr__(self):
        return f"<fastgrad backend numpy, matmul in {self.compute_dtype}>"


_BACKENDS = {dtype: MixedPrecisionBackend(dtype) for dtype in ("bfloat16", "float16")}


def autocast_backend(ctx, b):
    """The backend an autocast-eligible op runs with: `b` unless autocast is on and `b`
    is the NumPy backend; then the 16-bit one, also recorded on `ctx` for the backward."""
    dtype = STATE.dtype
    if dtype is None or type(b) is not NumpyBackend:
        return b
    lowered = _BACKENDS[dtype]
    ctx.backend = lowered
    return lowered
