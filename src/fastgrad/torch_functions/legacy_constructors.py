"""PyTorch's legacy typed constructors: FloatTensor(2, 3) (zeros of that shape: PyTorch leaves
them uninitialized) or FloatTensor(data), and so on for each dtype; and the deprecated range
(arange with the end included) and set_default_tensor_type."""
import math
import warnings

import numpy as np

from ..autograd.tensor import Tensor

# (range is not in __all__: fastgrad's __getattr__ gives fastgrad.range, so that `from fastgrad
# import *` does not shadow Python's range)
__all__ = ["BoolTensor", "ByteTensor", "DoubleTensor", "FloatTensor", "HalfTensor", "IntTensor", "LongTensor",
           "set_default_tensor_type"]


def _typed(name, dtype):
    def constructor(*args):
        if len(args) == 1 and not isinstance(args[0], int):
            data = args[0]._data if isinstance(args[0], Tensor) else args[0]
            return Tensor(np.array(data, dtype=dtype))
        return Tensor(*args, dtype=dtype) if args else Tensor(dtype=dtype)

    constructor.__name__ = constructor.__qualname__ = name
    constructor.__doc__ = f"{name}(*sizes) or {name}(data): a {np.dtype(dtype).name} tensor, as PyTorch's."
    return constructor


FloatTensor = _typed("FloatTensor", np.float32)
DoubleTensor = _typed("DoubleTensor", np.float64)
HalfTensor = _typed("HalfTensor", np.float16)
LongTensor = _typed("LongTensor", np.int64)
IntTensor = _typed("IntTensor", np.int32)
ByteTensor = _typed("ByteTensor", np.uint8)
BoolTensor = _typed("BoolTensor", np.bool_)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False, out=None):
    """start, start + step, ... up to and including end (PyTorch's deprecated torch.range; use
    arange, which excludes end), in the default float dtype unless dtype is given."""
    from ..creation import _dtype, _leaf, _no_out

    _no_out(out, "range")
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("range: step must be non-zero")
    if (end - start) * step < 0:
        raise ValueError(f"range: the end {end} cannot be reached from {start} with step {step}")
    warnings.warn("range: torch.range is deprecated (it includes end); use arange", UserWarning, stacklevel=2)
    count = math.floor((end - start) / step) + 1
    values = start + step * np.arange(count, dtype=np.float64)
    return _leaf(values.astype(_dtype(dtype)), requires_grad, device)


_FLOATING_TYPES = {"FloatTensor": np.float32, "DoubleTensor": np.float64, "HalfTensor": np.float16}


def set_default_tensor_type(t):
    """PyTorch's older way to set the default floating dtype: t is a floating constructor
    (fastgrad.DoubleTensor) or its name ('torch.DoubleTensor'; the 'cuda.' forms are refused:
    the default device is set with set_default_device)."""
    from ..dtypes import set_default_dtype

    name = t if isinstance(t, str) else getattr(t, "__name__", repr(t))
    if ".cuda." in name:
        raise NotImplementedError(f"set_default_tensor_type: {name!r} would put new tensors on a GPU by default; use "
                                  "fastgrad.set_default_device('cuda') and set_default_dtype")
    kind = name.rsplit(".", 1)[-1]
    if kind not in _FLOATING_TYPES:
        raise TypeError(f"set_default_tensor_type: only floating types (FloatTensor, DoubleTensor, HalfTensor) can be "
                        f"the default, got {name!r}")
    set_default_dtype(_FLOATING_TYPES[kind])
