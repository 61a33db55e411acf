"""Comparisons and logic: they return boolean tensors that carry no gradient."""
import operator

from ..autograd import capture
from ..autograd._graph import promotion_free
from ..autograd.tensor import Tensor, new_tensor
from .promotion import operands


def _plain(a):
    return a._data if isinstance(a, Tensor) else a


def _compare(fn, promoted=False):
    # promoted: the operands are first cast to PyTorch's result dtype (ops/promotion.py), so that a
    # float32 tensor is compared with a float64 0-d tensor in float32, as PyTorch does.
    def compare(x, y):
        if promoted and not promotion_free(x, y):
            x, y = operands(x, y)
        return new_tensor(capture.run(_compared, fn, _plain(x), _plain(y)), False, None)

    compare.__name__ = fn.__name__
    compare.__doc__ = f"Elementwise {fn.__name__}; a boolean tensor without gradient."
    return compare


def _compared(fn, x, y):
    return _asarray(fn(x, y))


def _inverted(x):
    truth = _truth_of(x)
    return _asarray(not truth if isinstance(truth, bool) else ~truth)


def _truth_of(a):
    """a as booleans (non-zero is true), as PyTorch's logical_* read numbers; booleans unchanged."""
    is_bool = isinstance(a, bool) or str(getattr(a, "dtype", "")).rsplit(".", 1)[-1] == "bool"
    return a if is_bool else a != 0


def _truth(fn):
    def on_truth(x, y):
        return fn(_truth_of(x), _truth_of(y))

    on_truth.__name__ = fn.__name__
    return on_truth


def _asarray(a):
    import numpy as np

    return np.asarray(a) if isinstance(a, (np.generic, bool)) else a


eq = _compare(operator.eq, promoted=True)
ne = _compare(operator.ne, promoted=True)
lt = _compare(operator.lt, promoted=True)
le = _compare(operator.le, promoted=True)
gt = _compare(operator.gt, promoted=True)
ge = _compare(operator.ge, promoted=True)
logical_and = _compare(_truth(operator.and_))
logical_or = _compare(_truth(operator.or_))
logical_xor = _compare(_truth(operator.xor))


def logical_not(x):
    return new_tensor(capture.run(_inverted, _plain(x)), False, None)
