"""r_ and c_ that keep the graph when an item is a Tensor.

    np.r_[x, 0.0, 1:4]     # x, then 0, then 0 1 2 (1-d pieces, joined)
    np.c_[x, y]            # 1-d pieces become columns, joined along the last axis

Without Tensors (or with a leading string directive such as 'r' or '0,2,1')
they are NumPy's own r_ and c_.
"""
import numpy as np

from .. import ops
from ..autograd.tensor import Tensor


def _is_plain(items):
    return not any(isinstance(x, Tensor) for x in items) or (items and isinstance(items[0], str))


def _piece(item):
    """One item of r_[...] as a 1-d-or-more Tensor or array."""
    if isinstance(item, slice):
        return np.r_[item]
    if isinstance(item, Tensor):
        return item if item.ndim else ops.reshape(item, (1,))
    return np.atleast_1d(np.asarray(item))


class _Join:
    """r_ (join along the first axis) or c_ (1-d pieces as columns, join along the last)."""

    def __init__(self, name, numpy_version, columns):
        self.name, self.numpy_version, self.columns = name, numpy_version, columns

    def __getitem__(self, items):
        items = items if isinstance(items, tuple) else (items,)
        if _is_plain(items):
            if any(isinstance(x, Tensor) for x in items):
                raise TypeError(f"{self.name}: string directives are not supported with Tensors; use "
                                "fastgrad.numpy.concatenate / stack, which keep the gradient")
            return self.numpy_version[items]
        pieces = _pieces(items)
        if not self.columns:
            return ops.concatenate(pieces, 0)
        return ops.concatenate([p.reshape(-1, 1) if p.ndim == 1 else p for p in pieces], -1)


def _pieces(items):
    """The items as pieces of one common dtype (NumPy's promotion)."""
    pieces = [_piece(x) for x in items]
    dtype = np.result_type(*[p.dtype for p in pieces])
    return [p if p.dtype == dtype else ops.astype(p, dtype) if isinstance(p, Tensor) else p.astype(dtype)
            for p in pieces]


r_ = _Join("r_", np.r_, columns=False)
c_ = _Join("c_", np.c_, columns=True)
