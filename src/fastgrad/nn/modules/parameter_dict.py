"""ParameterDict: PyTorch's dict of Parameters that belong to the owning module."""
from collections import OrderedDict
from collections.abc import Mapping

from .container import _as_parameter, _DictMethods, parameters_repr
from .module import Module

_MISSING = object()


class ParameterDict(_DictMethods, Module):
    """A dict of Parameters registered under their keys, in insertion order; a Tensor or array
    stored in it becomes a Parameter.

    >>> scales = ParameterDict({"a": Parameter(fastgrad.ones(3)), "b": fastgrad.zeros(2)})
    >>> scales["a"], len(scales), list(scales)          # Parameter, 2, ['a', 'b']
    """

    def __init__(self, parameters=None):
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key):
        if key not in self._parameters:
            raise KeyError(f"ParameterDict: no parameter named {key!r}")
        return self._parameters[key]

    def __setitem__(self, key, value):
        if not isinstance(key, str):
            raise TypeError(f"ParameterDict: keys must be str, got {type(key).__name__}")
        self.register_parameter(key, _as_parameter(value, "ParameterDict"))

    def __delitem__(self, key):
        self[key]   # the KeyError for a missing key
        del self._parameters[key]

    @property
    def _entries(self):
        return self._parameters

    def get(self, key, default=None):
        return self._parameters.get(key, default)

    def pop(self, key, default=_MISSING):
        """Remove `key` and return its parameter (or `default` when given and the key is absent)."""
        if key not in self._parameters and default is not _MISSING:
            return default
        value = self[key]
        del self[key]
        return value

    def setdefault(self, key, default=None):
        if key not in self._parameters:
            self[key] = default
        return self._parameters[key]

    def clear(self):
        self._parameters.clear()

    def copy(self):
        """A new ParameterDict holding the same Parameter objects."""
        return ParameterDict(OrderedDict(self._parameters))

    def update(self, parameters):
        """Add the entries of a mapping (a plain one in sorted key order, an OrderedDict or a
        ParameterDict in its own order, as PyTorch) or of an iterable of (key, value) pairs."""
        if isinstance(parameters, (OrderedDict, ParameterDict)):
            pairs = list(parameters.items())
        elif isinstance(parameters, Mapping):
            pairs = sorted(parameters.items())   # PyTorch's order for a plain mapping
        elif isinstance(parameters, (str, bytes)) or not hasattr(parameters, "__iter__"):
            raise TypeError(f"ParameterDict.update: expects a mapping or an iterable of (key, value) pairs, got "
                            f"{type(parameters).__name__}")
        else:
            pairs = list(parameters)
        for i, pair in enumerate(pairs):
            if not isinstance(pair, tuple) or len(pair) != 2:
                raise ValueError(f"ParameterDict.update: element {i} must be a (key, value) pair, got {pair!r}")
            self[pair[0]] = pair[1]

    def __repr__(self):
        return parameters_repr("ParameterDict", self._parameters)
