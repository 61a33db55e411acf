"""Containers: Sequential (chain), ModuleList and ModuleDict (indexable holders)."""
from collections import OrderedDict

from .module import Module

# type of a module -> fuse(module, next_module, x): the output of next_module(module(x)) computed
# as one operation, or None when the two must run one after the other (filled by the modules'
# files: Conv1d / Conv2d followed by ReLU, see conv.py; Linear followed by ReLU, see linear.py)
FUSED_PAIRS = {}


def runs_as_written(module):
    """Whether calling the module is calling its class's forward: no hooks, no forward set on it
    (what a fused pair checks of both its modules)."""
    d = module.__dict__
    return not (d.get("_forward_pre_hooks") or d.get("_forward_hooks") or d.get("_backward_hooks")
                or "forward" in d)


class _ModuleSequence(Module):
    """What Sequential and ModuleList share: their modules in order, len() and append."""

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module):
        self.add_module(str(len(self)), module)
        return self


class Sequential(_ModuleSequence):
    """Calls its modules in order, each on the previous one's output.  A pair that one fused
    operation computes (a Conv2d or a Linear and the ReLU after it) runs as that operation.

    >>> model = Sequential(Linear(10, 32), ReLU(), Linear(32, 1))
    """

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), module)

    def forward(self, x):
        modules = tuple(self._modules.values())
        i, n = 0, len(modules)
        while i < n:
            fuse = FUSED_PAIRS.get(type(modules[i])) if i + 1 < n else None
            y = None if fuse is None else fuse(modules[i], modules[i + 1], x)
            if y is None:
                x = modules[i](x)
                i += 1
            else:
                x = y
                i += 2
        return x

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return Sequential(OrderedDict(list(self._modules.items())[idx]))
        return list(self._modules.values())[_index(idx, len(self))]

    def __setitem__(self, idx, module):
        """model[i] = module replaces the i-th module, keeping its name (as PyTorch's)."""
        self.add_module(list(self._modules)[_index(idx, len(self))], module)

    def __delitem__(self, idx):
        """del model[i] (or a slice) removes modules; the rest are numbered again from 0 (as PyTorch's)."""
        names = list(self._modules)
        for name in (names[idx] if isinstance(idx, slice) else [names[_index(idx, len(self))]]):
            del self._modules[name]
        kept = list(self._modules.values())
        self._modules.clear()
        for i, module in enumerate(kept):
            self._modules[str(i)] = module


class ModuleList(_ModuleSequence):
    """A list of modules whose parameters belong to the owner.

    >>> layers = ModuleList([Linear(8, 8) for _ in range(3)])
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return ModuleList(list(self._modules.values())[idx])
        return self._modules[str(_index(idx, len(self)))]

    def __setitem__(self, idx, module):
        self.add_module(str(_index(idx, len(self))), module)

    def extend(self, modules):
        for m in modules:
            self.append(m)
        return self

    def __repr__(self):
        """As PyTorch prints it: a run of children that print alike is one line `(i-j): n x child`."""
        runs = []                                   # [first index, last index, the children's text]
        for i, module in enumerate(self):
            text = repr(module)
            if runs and runs[-1][2] == text:
                runs[-1][1] = i
            else:
                runs.append([i, i, text])
        name = type(self).__name__
        if not runs:
            return f"{name}()"
        lines = [(f"({first}): " if first == last else f"({first}-{last}): {last - first + 1} x ")
                 + text.replace("\n", "\n  ") for first, last, text in runs]
        return f"{name}(\n  " + "\n  ".join(lines) + "\n)"


class _DictMethods:
    """The read-only dict methods of ModuleDict and ParameterDict: len(), iteration over the keys,
    `in`, keys(), values() and items(), over the dict the container registers its entries in
    (its `_entries`: `_modules` or `_parameters`)."""

    def __len__(self):
        return len(self._entries)

    def __iter__(self):
        return iter(self._entries)

    def __contains__(self, key):
        return key in self._entries

    def keys(self):
        return self._entries.keys()

    def values(self):
        return self._entries.values()

    def items(self):
        return self._entries.items()


class ModuleDict(_DictMethods, Module):
    """A dict of modules whose parameters belong to the owner."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            for name, m in dict(modules).items():
                self.add_module(name, m)

    def __getitem__(self, key):
        return self._modules[key]

    def __setitem__(self, key, module):
        self.add_module(key, module)

    @property
    def _entries(self):
        return self._modules


def _index(idx, n):
    idx = int(idx)
    if not -n <= idx < n:
        raise IndexError(f"index {idx} is out of range for a container of {n} modules")
    return idx % n


class ParameterList(Module):
    """A list of Parameters that belong to the owner (registered as "0", "1", ...); a Tensor
    or array added to it becomes a Parameter.

    >>> weights = ParameterList([Parameter(np.ones(3, np.float32)) for _ in range(2)])
    """

    def __init__(self, values=None):
        super().__init__()
        if values is not None:
            self.extend(values)

    def __len__(self):
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters.values())

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return ParameterList(list(self._parameters.values())[idx])
        return self._parameters[str(_index(idx, len(self)))]

    def __setitem__(self, idx, param):
        self.register_parameter(str(_index(idx, len(self))), _as_parameter(param))

    def append(self, value):
        self.register_parameter(str(len(self)), _as_parameter(value))
        return self

    def extend(self, values):
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise TypeError(f"ParameterList.extend: expects an iterable of Parameters, got {type(values).__name__}")
        for value in values:
            self.append(value)
        return self

    def __repr__(self):
        return parameters_repr("ParameterList", self._parameters)


def parameters_repr(container, parameters):
    """PyTorch's repr of a ParameterList or ParameterDict: one line per parameter."""
    lines = [f"    ({name}): Parameter containing: [{p.dtype} of size {'x'.join(map(str, p.shape))}]"
             for name, p in parameters.items()]
    return f"{container}(\n" + "\n".join(lines) + "\n)" if lines else f"{container}()"


def _as_parameter(value, container="ParameterList"):
    from ..parameter import Parameter

    if isinstance(value, Parameter):
        return value
    if value is None:
        raise TypeError(f"{container}: cannot hold None (a Parameter, Tensor or array is expected)")
    return Parameter(value)
