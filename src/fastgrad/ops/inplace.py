"""In-place arithmetic (+=, -=, *=, /=) and item assignment (x[idx] = v).

When a graph is being recorded the op runs out of place and the tensor is
re-pointed at the result, with a fresh version counter: its old array stays
intact for any backward that saved it, so the gradients stay exact.  (Views
taken before such an update keep showing the old values.)  Otherwise the
array is written in place and the version counter goes up, so a pending
backward that saved this tensor raises instead of using changed values.
"""
from ..autograd.grad_mode import STATE
from ..autograd.tensor import Tensor
from .elementwise import Add, Div, Mul, Sub
from .indexing import IndexPut, plain_index
from .shape import Astype

_IN_PLACE = {Add: "__iadd__", Sub: "__isub__", Mul: "__imul__", Div: "__itruediv__"}


def _records(self, other):
    return STATE.enabled and (self._requires_grad or (isinstance(other, Tensor) and other._requires_grad))


def _check_leaf(self, op):
    if self._node is None and self._requires_grad:
        raise RuntimeError(f"{op}: a leaf tensor that requires grad is being used in an in-place "
                           "operation; wrap it in fastgrad.no_grad() or use an out-of-place op")


def _rebind(self, result):
    if result.dtype != self.dtype:
        result = Astype.apply(result, self.dtype)
    self.data = result.data
    self._node = result._node
    self._requires_grad = result._requires_grad
    self._version = [self._version[0] + 1]


def _make_inplace(fn):
    name = _IN_PLACE[fn]  # the ndarray method of the same name does the no-graph case

    def method(self, other):
        if _records(self, other):
            _check_leaf(self, name)
            result = fn.apply(self, other)
            if result.shape != self.shape:
                raise ValueError(f"{name}: result of shape {tuple(result.shape)} does not fit the "
                                 f"tensor's shape {tuple(self.shape)}")
            _rebind(self, result)
        else:
            data = self.data
            getattr(data, name)(other.data if isinstance(other, Tensor) else other)
            self._version[0] += 1
        return self

    method.__name__ = name
    return method


iadd = _make_inplace(Add)
isub = _make_inplace(Sub)
imul = _make_inplace(Mul)
itruediv = _make_inplace(Div)


def setitem(self, idx, value):
    """x[idx] = value, differentiable with respect to x and value."""
    idx = plain_index(idx)
    if _records(self, value):
        _check_leaf(self, "__setitem__")
        _rebind(self, IndexPut.apply(self, value, idx))
    else:
        self.data[idx] = value.data if isinstance(value, Tensor) else value
        self._version[0] += 1
