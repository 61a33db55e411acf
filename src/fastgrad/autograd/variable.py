"""Variable: PyTorch's deprecated wrapper, kept for older scripts.  Since PyTorch 0.4 a Variable
is a Tensor: Variable(t, requires_grad=True) returns a new leaf sharing t's data, and every
Tensor is an instance of Variable."""
import warnings

import numpy as np

from .tensor import Tensor


class _VariableType(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableType):
    """Variable(data, requires_grad=False): a leaf Tensor sharing data's memory."""

    def __new__(cls, data=None, requires_grad=False, volatile=False):
        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with torch.no_grad():` instead.",
                          UserWarning, stacklevel=2)
        if data is None:
            return Tensor(np.zeros(0, np.float32), requires_grad=bool(requires_grad))
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable: data has to be a Tensor, but got {type(data).__name__}")
        return data.detach().requires_grad_(bool(requires_grad))
