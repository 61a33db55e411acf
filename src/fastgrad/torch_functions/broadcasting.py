"""PyTorch's broadcast_tensors and atleast_1d / atleast_2d / atleast_3d: tensors given a common
shape, or at least 1, 2 or 3 dimensions.  All are differentiable (broadcasting sums the
gradient back; adding axes of length 1 passes it through).

    import fastgrad as torch
    a, b = torch.broadcast_tensors(x, y)
    m = torch.atleast_2d(v)              # (n,) -> (1, n)
"""
import numpy as np

from ..autograd.tensor import Tensor
from ..creation import tensor as _new_tensor
from ..ops import shape as _shape

__all__ = ["atleast_1d", "atleast_2d", "atleast_3d", "broadcast_tensors"]


def _as_tensor(op, x):
    if x is None:
        raise TypeError(f"{op}: expects tensors, got None")
    return x if isinstance(x, Tensor) else _new_tensor(x)


def broadcast_tensors(*tensors):
    """The tensors expanded to their common broadcast shape, as a tuple.

    >>> a, b = torch.broadcast_tensors(torch.ones(2, 1), torch.ones(3))   # both (2, 3)
    """
    tensors = [_as_tensor("broadcast_tensors", t) for t in tensors]
    try:
        shape = np.broadcast_shapes(*(tuple(t.shape) for t in tensors))
    except ValueError:
        shapes = ", ".join(str(tuple(t.shape)) for t in tensors)
        raise RuntimeError(f"broadcast_tensors: shapes {shapes} do not broadcast together") from None
    return tuple(t if tuple(t.shape) == shape else _shape.broadcast_to(t, shape) for t in tensors)


def _at_least(op, ndim, place):
    def function(*tensors):
        one = len(tensors) == 1 and not isinstance(tensors[0], (list, tuple))
        if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
            tensors = tuple(tensors[0])
        shaped = tuple(_shape.reshape(t, place(tuple(t.shape))) if t.ndim < ndim else t
                       for t in (_as_tensor(op, t) for t in tensors))
        return shaped[0] if one else shaped

    function.__name__ = op
    return function


atleast_1d = _at_least("atleast_1d", 1, lambda shape: (1,))
atleast_1d.__doc__ = """input as a tensor of at least 1 dimension: a 0-d tensor becomes (1,).  Given several tensors
    (or one list of them), a tuple.

    >>> torch.atleast_1d(torch.tensor(2.)).shape   # (1,)
    """
atleast_2d = _at_least("atleast_2d", 2, lambda shape: (1,) * (2 - len(shape)) + shape)
atleast_2d.__doc__ = """input as a tensor of at least 2 dimensions: () -> (1, 1), (n,) -> (1, n).  Given several
    tensors (or one list of them), a tuple.

    >>> torch.atleast_2d(torch.ones(3)).shape   # (1, 3)
    """
atleast_3d = _at_least("atleast_3d", 3,
                       lambda shape: {0: (1, 1, 1), 1: (1,) + shape + (1,), 2: shape + (1,)}[len(shape)])
atleast_3d.__doc__ = """input as a tensor of at least 3 dimensions: () -> (1, 1, 1), (n,) -> (1, n, 1),
    (m, n) -> (m, n, 1).  Given several tensors (or one list of them), a tuple.

    >>> torch.atleast_3d(torch.ones(2, 3)).shape   # (2, 3, 1)
    """
