"""F.one_hot: class indices as one-hot int64 vectors (not differentiable)."""
import numbers

import numpy as np

from ..autograd.tensor import Tensor
from ..backend import namespace_of, same_device


def one_hot(tensor, num_classes=-1):
    """An int64 tensor of shape tensor.shape + (num_classes,) with 1 at each index, as
    PyTorch's F.one_hot; num_classes=-1 takes the largest index + 1.

    >>> import fastgrad as fg, fastgrad.nn.functional as F
    >>> F.one_hot(fg.tensor([0, 2]), 3).tolist()
    [[1, 0, 0], [0, 0, 1]]
    """
    op = "one_hot"
    idx = tensor._data if isinstance(tensor, Tensor) else tensor
    if not hasattr(idx, "dtype"):
        idx = np.asarray(idx)
    xp = namespace_of(idx)
    kind = getattr(idx.dtype, "kind", None)
    if kind is not None and kind not in "iu" or kind is None and not xp.isdtype(idx.dtype, "integral"):
        raise TypeError(f"{op}: argument 'tensor' must hold integer class indices, got dtype {idx.dtype}")
    if not isinstance(num_classes, numbers.Integral) or isinstance(num_classes, bool) or num_classes < -1:
        raise ValueError(f"{op}: argument 'num_classes' must be an int >= -1, got {num_classes!r}")
    size = int(np.prod(idx.shape))
    low = int(xp.min(idx)) if size else 0
    high = int(xp.max(idx)) if size else -1
    if low < 0:
        raise ValueError(f"{op}: class values must be non-negative, got {low}")
    if num_classes == -1:
        if not size:
            raise ValueError(f"{op}: cannot infer num_classes from an empty tensor; pass num_classes")
        num_classes = high + 1
    elif high >= num_classes:
        raise ValueError(f"{op}: class values must be smaller than num_classes ({num_classes}), got {high}")
    classes = xp.reshape(xp.arange(num_classes, **same_device(idx)), (1,) * idx.ndim + (num_classes,))
    return Tensor(xp.astype(xp.expand_dims(idx, axis=-1) == classes, xp.int64))
