"""Parameter: a Tensor that a Module registers as one of its learnable weights."""
import numpy as np

from ..autograd.tensor import Tensor


class Parameter(Tensor):
    """A leaf Tensor that requires grad and that `Module` attributes register automatically.

    >>> w = Parameter(np.zeros((3, 2), np.float32))
    >>> w.requires_grad
    True
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = np.empty((0,), dtype=_default_dtype())
        if isinstance(data, Tensor):
            data = data._data
        super().__init__(data)
        if requires_grad:
            self.requires_grad = True

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        copied = Parameter(self._data.copy(), requires_grad=self.requires_grad)
        if self.grad is not None:
            copied.grad = self.grad._data.copy()
        memo[id(self)] = copied
        return copied


def _default_dtype():
    from ..dtypes import get_default_dtype

    return get_default_dtype()
