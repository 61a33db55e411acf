"""Comparisons and logic: they return boolean tensors that carry no gradient."""
import operator

from ..autograd import capture
from ..autograd.tensor import Tensor, new_tensor


def _plain(a):
    return a._data if isinstance(a, Tensor) else a


def _compare(fn):
    def compare(x, y):
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


eq = _compare(operator.eq)
ne = _compare(operator.ne)
lt = _compare(operator.lt)
le = _compare(operator.le)
gt = _compare(operator.gt)
ge = _compare(operator.ge)
logical_and = _compare(_truth(operator.and_))
logical_or = _compare(_truth(operator.or_))
logical_xor = _compare(_truth(operator.xor))


def logical_not(x):
    return new_tensor(capture.run(_inverted, _plain(x)), False, None)
