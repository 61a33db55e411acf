"""autocast: matrix products in 16 bits with float32 accumulation, inside a `with` block."""
from ..autograd.context_decorator import ContextDecorator
from ..backend import mixed_precision
from .dtypes import BFLOAT16, compute_dtype_name


class autocast(ContextDecorator):
    """Run matmul, linear and convolutions in 16-bit precision, as torch.autocast("cpu", ...).

    Inside the block, the products of those ops round their float32 operands
    to `dtype` and accumulate in float32; their backward GEMMs do the same,
    wherever backward() is called.  Everything else runs in float32:
    elementwise ops, reductions, softmax and the losses; parameters, saved
    activations and gradients stay float32, so the optimizer updates float32
    master weights.  float64 operands are left alone, as are non-NumPy arrays.

    With oneDNN installed and a CPU with AVX512-BF16 or AMX, bfloat16
    products run on oneDNN's bfloat16 GEMM (about twice float32's speed);
    otherwise they are emulated (operands rounded to bfloat16, a float32
    GEMM): the same values at float32 speed.  float16 is always emulated.

    Unlike PyTorch, the ops' outputs are float32 arrays (the 16-bit GEMM's
    float32 result, not rounded to 16 bits): fastgrad's fused kernels are
    float32 kernels.  Values agree with PyTorch's within 16-bit rounding.

        y = alpha(x) @ w   computed as   f32( sum_k round16(x[i, k]) * round16(w[k, j]) )

    device_type: "cpu" (the only one).  dtype: bfloat16 (default) or float16,
    by name ("bfloat16", "float16") or as numpy.float16 / fastgrad.bfloat16.
    enabled=False turns autocast off inside the block (also when nested).
    Each operand is rounded to 16 bits once per op: the linear layer's
    backward reuses the copies of x and W its forward made.  With
    cache_enabled (the default, as in PyTorch) the 16-bit copy of a parameter
    is also shared by every op of the block that reads it; it is made anew
    after an in-place change of the parameter (its version counter moved) and
    dropped when the outermost block exits, so an optimizer step between
    blocks is always seen.  cache_enabled=False makes a copy per op; the values
    are the same either way.

    Example::

        model = fastgrad.nn.Linear(784, 10)
        with fastgrad.autocast("cpu", dtype="bfloat16"):
            loss = fastgrad.nn.functional.cross_entropy(model(x), y)   # bf16 GEMM, float32 loss
        loss.backward()                     # bf16 GEMMs; model.weight.grad is float32

    Also a decorator: ``@fastgrad.autocast()`` runs a function under autocast.
    """

    def __init__(self, device_type="cpu", dtype=None, enabled=True, cache_enabled=None):
        if device_type != "cpu":
            raise ValueError(f"autocast: argument 'device_type' must be 'cpu', got {device_type!r}; "
                             "fastgrad's autocast runs the products of NumPy arrays")
        if not isinstance(enabled, bool):
            raise TypeError(f"autocast: argument 'enabled' must be a bool, got {type(enabled).__name__}")
        if cache_enabled is not None and not isinstance(cache_enabled, bool):
            raise TypeError(f"autocast: argument 'cache_enabled' must be a bool or None, "
                            f"got {type(cache_enabled).__name__}")
        self.device_type = device_type
        self.fast_dtype = BFLOAT16 if dtype is None else compute_dtype_name("autocast", dtype)
        self.enabled = enabled
        self.cache_enabled = True if cache_enabled is None else cache_enabled
        self._saved = []

    def __enter__(self):
        dtype = self.fast_dtype if self.enabled else None
        self._saved.append(mixed_precision.enter_autocast(dtype, self.cache_enabled))
        return self

    def __exit__(self, *exc_info):
        mixed_precision.exit_autocast(self._saved.pop())
        return False


def is_autocast_enabled(device_type="cpu"):
    """Whether autocast is on in this thread for `device_type` ("cpu"; for "cuda" always
    False: fastgrad's autocast runs the CPU's products only)."""
    return _on_cpu("is_autocast_enabled", device_type) and mixed_precision.STATE.dtype is not None


def get_autocast_dtype(device_type="cpu"):
    """The 16-bit dtype autocast computes in now on `device_type` ("bfloat16" or "float16"),
    or None when it is off (always None for "cuda")."""
    return mixed_precision.STATE.dtype if _on_cpu("get_autocast_dtype", device_type) else None


def _on_cpu(op, device_type):
    if device_type not in ("cpu", "cuda"):
        raise ValueError(f"{op}: argument 'device_type' must be 'cpu' or 'cuda', got {device_type!r}")
    return device_type == "cpu"
