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

While autocast blocks are open, the 16-bit copy of a parameter (a leaf tensor
that requires grad) is made once and reused by every product that reads it
(`rounded_weight`), as PyTorch's autocast weight cache: the copy is checked
against the tensor's array and version counter at each use, so an in-place
change (an optimizer step, `w.mul_(...)`) is converted again, and the copies
are dropped when the outermost autocast block exits.
"""
import threading

from .gemm16 import gemm16, rounded_operand
from .numpy_backend import NumpyBackend


class _State(threading.local):
    dtype = None  # None, "bfloat16" or "float16"
    depth = 0     # autocast blocks open in this thread
    cache_weights = True

    def __init__(self):
        self.weight_copies = {}  # id(tensor) -> (tensor, array, version counter, version, key, copy)


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


def enter_autocast(dtype, cache_weights=True):
    """Open an autocast block computing in `dtype` (None: autocast off), caching 16-bit
    weights or not; returns what exit_autocast puts back."""
    previous = (STATE.dtype, STATE.cache_weights)
    STATE.dtype, STATE.cache_weights = dtype, cache_weights
    STATE.depth += 1
    return previous


def exit_autocast(previous):
    """Close the innermost autocast block; the outermost one drops the cached 16-bit weights."""
    STATE.dtype, STATE.cache_weights = previous
    STATE.depth -= 1
    if STATE.depth == 0:
        STATE.weight_copies.clear()


def rounded_weight(ctx, index, w, dtype, bits):
    """rounded_operand(w, dtype, bits) for forward argument `index` of the op being recorded
    in `ctx`; when that argument is a parameter (a leaf tensor requiring grad) and an autocast
    block is open, the copy made for it earlier in the block is reused if the tensor still
    holds the same array at the same version."""
    parents = getattr(ctx, "parents", None)  # None for an op run without a graph
    tensor = parents[index] if parents is not None else None
    is_parameter = tensor is not None and getattr(tensor, "_node", True) is None  # a leaf Tensor
    if STATE.depth == 0 or not STATE.cache_weights or not is_parameter:
        return rounded_operand(w, dtype, bits)
    counter = tensor._version
    key = (dtype, bits)
    entry = STATE.weight_copies.get(id(tensor))
    if (entry is not None and entry[0] is tensor and entry[1] is w and entry[2] is counter
            and entry[3] == counter[0] and entry[4] == key):
        return entry[5]
    copy = rounded_operand(w, dtype, bits)
    STATE.weight_copies[id(tensor)] = (tensor, w, counter, counter[0], key, copy)
    return copy
