"""PyTorch's legacy typed constructors: FloatTensor(2, 3) (zeros of that shape: PyTorch leaves
them uninitialized) or FloatTensor(data), and so on for each dtype."""
import numpy as np

from ..autograd.tensor import Tensor

__all__ = ["BoolTensor", "ByteTensor", "DoubleTensor", "FloatTensor", "HalfTensor", "IntTensor", "LongTensor"]


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
