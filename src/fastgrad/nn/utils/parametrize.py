"""Parametrizations: a module's tensor computed from other tensors at every access (PyTorch's
`torch.nn.utils.parametrize`).

    register_parametrization(layer, "weight", Symmetric())
    layer.weight        # Symmetric()(layer.parametrizations.weight.original), recomputed each time

The tensor's original value moves to `module.parametrizations[name].original` (or
`original0`, `original1`, ... when the first parametrization's right_inverse returns several
tensors), so state_dict keys are PyTorch's.  The module's class is swapped for a subclass
named Parametrized<Class> whose `name` is a property; `remove_parametrizations` undoes it.
"""
import copy
from contextlib import contextmanager

from ...autograd.grad_mode import no_grad
from ...autograd.tensor import Tensor
from ..modules.container import ModuleDict, ModuleList
from ..modules.module import Module
from ..parameter import Parameter

__all__ = ["register_parametrization", "is_parametrized", "remove_parametrizations", "cached",
           "ParametrizationList", "type_before_parametrizations", "transfer_parametrizations_and_params"]

_cache_enabled = 0
_cache = {}


@contextmanager
def cached():
    """Inside this context each parametrized tensor is computed once, at its first access."""
    global _cache_enabled
    _cache_enabled += 1
    try:
        yield
    finally:
        _cache_enabled -= 1
        if not _cache_enabled:
            _cache.clear()


def _register_tensor(module, name, value):
    if isinstance(value, Parameter):
        module.register_parameter(name, value)
    else:
        module.register_buffer(name, value)


def _set_data(target, value):
    """Write value's numbers into target, keeping the same Tensor object (PyTorch's set_)."""
    data = value._data if isinstance(value, Tensor) else value
    if tuple(target.shape) != tuple(data.shape) or target.dtype != data.dtype:
        target._data = data.copy() if hasattr(data, "copy") else data
    else:
        target._data[...] = data
    target._version[0] += 1


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor, applied in order to its original(s).

    `original` holds the tensor the first parametrization reads (or `original0`, `original1`,
    ... when its right_inverse splits the value into several)."""

    def __init__(self, modules, original, unsafe=False):
        if len(modules) == 0:
            raise ValueError("ParametrizationList requires one or more modules")
        super().__init__(modules)
        self.unsafe = unsafe
        shape, dtype = tuple(original.shape), original.dtype
        with no_grad():
            new = original
            for module in reversed(list(self)):
                if hasattr(module, "right_inverse"):
                    try:
                        new = module.right_inverse(new)
                    except NotImplementedError:   # as in PyTorch: the original is then kept as it is
                        pass
        if not isinstance(new, Tensor) and not isinstance(new, (tuple, list)):
            raise ValueError(f"'right_inverse' must return a Tensor or a sequence of tensors (list, tuple), got "
                             f"{type(new).__name__}")
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if self.is_tensor:
            if not unsafe and (tuple(new.shape) != shape or new.dtype != dtype):
                raise ValueError(f"when 'right_inverse' returns a Tensor, it must have the original's shape "
                                 f"{shape} and dtype {dtype}; got {tuple(new.shape)} and {new.dtype}")
            if new is not original:
                _set_data(original, new)
            _register_tensor(self, "original", original)
        else:
            for i, part in enumerate(new):
                if not isinstance(part, Tensor):
                    raise ValueError(f"'right_inverse' must return a sequence of tensors; element {i} is a "
                                     f"{type(part).__name__}")
                if isinstance(original, Parameter):
                    part = Parameter(part.detach()._data, requires_grad=original.requires_grad)
                _register_tensor(self, f"original{i}", part)
        if not unsafe:
            value = self()
            if not isinstance(value, Tensor):
                raise ValueError(f"a parametrization must return a Tensor, got {type(value).__name__}")
            if tuple(value.shape) != shape or value.dtype != dtype:
                raise ValueError(f"registering a parametrization may not change the tensor's shape or dtype: "
                                 f"{shape} {dtype} became {tuple(value.shape)} {value.dtype} (pass unsafe=True "
                                 "to allow it)")

    def right_inverse(self, value):
        """Set the original(s) so that the parametrization gives `value`."""
        with no_grad():
            for module in reversed(list(self)):
                if hasattr(module, "right_inverse"):
                    value = module.right_inverse(value)
                elif module is not self[0] or not self.is_tensor:
                    raise RuntimeError(f"parametrization {type(module).__name__} does not implement right_inverse")
            if self.is_tensor:
                if not isinstance(value, Tensor):
                    raise ValueError(f"'right_inverse' must return a Tensor, got {type(value).__name__}")
                _set_data(self.original, value)
            else:
                if not isinstance(value, (tuple, list)) or len(value) != self.ntensors:
                    raise ValueError(f"'right_inverse' must return a sequence of {self.ntensors} tensors")
                for i, part in enumerate(value):
                    _set_data(getattr(self, f"original{i}"), part)

    def forward(self):
        modules = list(self)
        if self.is_tensor:
            x = modules[0](self.original)
        else:
            x = modules[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for module in modules[1:]:
            x = module(x)
        return x


def _value(module, name):
    parametrization = module.parametrizations[name]
    if not _cache_enabled:
        return parametrization()
    key = (id(module), name)
    if key not in _cache:
        _cache[key] = parametrization()
    return _cache[key]


def _inject_class(module):
    """Swap module's class for Parametrized<Class>, whose __setattr__ routes the parametrized
    names to their properties."""
    cls = type(module)

    def setattr_routed(self, name, value):
        if name in type(self).__dict__.get("_parametrized_names", ()):
            object.__setattr__(self, name, value)   # the property's setter
        else:
            cls.__setattr__(self, name, value)

    def getstate(self):
        raise RuntimeError("serialization of parametrized modules is only supported through state_dict()")

    def deepcopy(self, memo):
        """A copy with a Parametrized class of its own (removing a parametrization from one
        copy leaves the other's untouched)."""
        replica = object.__new__(cls)
        memo[id(self)] = replica
        replica.__dict__.update(copy.deepcopy(self.__dict__, memo))
        _inject_class(replica)
        for name in type(self)._parametrized_names:
            _inject_property(replica, name)
        return replica

    injected = type(f"Parametrized{cls.__name__}", (cls,),
                    {"__setattr__": setattr_routed, "__getstate__": getstate, "__deepcopy__": deepcopy})
    injected._parametrized_names = set()
    module.__class__ = injected


def _inject_property(module, name):
    def getter(self):
        return _value(self, name)

    def setter(self, value):
        self.parametrizations[name].right_inverse(value)

    setattr(type(module), name, property(getter, setter))
    type(module)._parametrized_names.add(name)


def is_parametrized(module, tensor_name=None):
    """Whether `module` has a parametrization (on `tensor_name`, when given)."""
    parametrizations = module.__dict__.get("_modules", {}).get("parametrizations")
    if parametrizations is None or not isinstance(parametrizations, ModuleDict):
        return False
    return len(parametrizations) > 0 if tensor_name is None else tensor_name in parametrizations


def register_parametrization(module, tensor_name, parametrization, *, unsafe=False):
    """Make `module.<tensor_name>` the output of `parametrization` (a Module) applied to the
    tensor's original value, which is kept in module.parametrizations[tensor_name].original.
    A second call on the same name chains the parametrizations.  Returns the module."""
    if not isinstance(parametrization, Module):
        raise TypeError(f"register_parametrization: the parametrization must be a Module, got "
                        f"{type(parametrization).__name__}")
    if is_parametrized(module, tensor_name):
        plist = module.parametrizations[tensor_name]
        if not unsafe:
            current = getattr(module, tensor_name)
            value = parametrization(current)
            if not isinstance(value, Tensor) or tuple(value.shape) != tuple(current.shape) or \
                    value.dtype != current.dtype:
                raise ValueError(f"register_parametrization: the new parametrization may not change the "
                                 f"tensor's shape or dtype ({tuple(current.shape)}, {current.dtype})")
        plist.append(parametrization)
        plist.unsafe |= unsafe
        return module
    if tensor_name in module._buffers or tensor_name in module._parameters:
        original = getattr(module, tensor_name)
        if original is None:
            raise ValueError(f"register_parametrization: module's '{tensor_name}' is None")
        plist = ParametrizationList([parametrization], original, unsafe=unsafe)
        delattr(module, tensor_name)
        if not is_parametrized(module):
            _inject_class(module)
            module.parametrizations = ModuleDict()
        _inject_property(module, tensor_name)
        module.parametrizations[tensor_name] = plist
        return module
    raise ValueError(f"register_parametrization: module '{type(module).__name__}' has no parameter or buffer "
                     f"named '{tensor_name}'")


def remove_parametrizations(module, tensor_name, leave_parametrized=True):
    """Undo register_parametrization on `tensor_name`: the tensor becomes a plain parameter (or
    buffer) again, holding its current parametrized value (leave_parametrized=True) or its
    original.  Returns the module."""
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"remove_parametrizations: module {type(module).__name__} does not have a "
                         f"parametrization on {tensor_name}")
    plist = module.parametrizations[tensor_name]
    if plist.is_tensor:
        original = plist.original
        if leave_parametrized:
            with no_grad():
                value = getattr(module, tensor_name)
            _set_data(original, value.detach())
    else:
        if not leave_parametrized:
            raise ValueError("remove_parametrizations: cannot leave unparametrized (leave_parametrized=False) a "
                             "tensor that is parametrized in terms of a sequence of tensors")
        with no_grad():
            value = getattr(module, tensor_name)
        requires_grad = plist.original0.requires_grad
        original = Parameter(value.detach()._data.copy(), requires_grad=requires_grad) if \
            isinstance(plist.original0, Parameter) else value.detach()
    cls = type(module)
    delattr(cls, tensor_name)
    cls._parametrized_names.discard(tensor_name)
    delattr(module.parametrizations, tensor_name)
    _register_tensor(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = cls.__bases__[0]
    return module


def type_before_parametrizations(module):
    """The module's class before any parametrization was registered."""
    return type(module).__bases__[0] if is_parametrized(module) else type(module)



def transfer_parametrizations_and_params(from_module, to_module, tensor_name=None):
    """Register on `to_module` the parametrizations of `from_module` (those of `tensor_name`, or
    all), the same parametrization modules, with originals that share from_module's data.  A
    parametrized name that to_module lacks is first created as a Parameter holding from_module's
    current value.  Returns to_module.

    >>> src = fastgrad.nn.utils.parametrizations.orthogonal(fastgrad.nn.Linear(3, 3))
    >>> dst = transfer_parametrizations_and_params(src, fastgrad.nn.Linear(3, 3))
    >>> bool((dst.weight == src.weight).all())
    True
    """
    if not is_parametrized(from_module):
        return to_module
    names = list(from_module.parametrizations) if tensor_name is None else [tensor_name]
    for name in names:
        if not is_parametrized(from_module, name):
            raise ValueError(f"transfer_parametrizations_and_params: '{name}' is not parametrized in "
                             f"{type(from_module).__name__}")
        source = from_module.parametrizations[name]
        if not hasattr(to_module, name):
            with no_grad():
                setattr(to_module, name, Parameter(getattr(from_module, name).detach()._data.copy()))
        for parametrization in source:
            register_parametrization(to_module, name, parametrization)
        target = to_module.parametrizations[name]
        keys = ["original"] if source.is_tensor else [f"original{i}" for i in range(source.ntensors)]
        for key in keys:   # PyTorch's set_: the originals share their data
            theirs, ours = getattr(source, key), getattr(target, key)
            ours._data, ours._version = theirs._data, theirs._version
    return to_module
