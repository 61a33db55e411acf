"""Module: the base of layers and models (PyTorch's `torch.nn.Module` interface)."""
from collections import OrderedDict, namedtuple

import numpy as np

from ...autograd.capture import replayed_call
from ...autograd.tensor import Tensor
from ..float_casts import FloatCasts
from ..parameter import Buffer, Parameter, is_lazy
from .module_hooks import add_hook, call_with_hooks

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


def _floating(dtype):
    """NumPy's floating dtypes and ml_dtypes' bfloat16 (which NumPy sees as kind 'V')."""
    return dtype.kind == "f" or dtype.name == "bfloat16"


class Module(FloatCasts):
    """Base class of every layer and model.

    Assigning a `Parameter` or a `Module` to an attribute registers it, so
    `parameters()`, `state_dict()`, `to()`, `train()`/`eval()` reach it.

    >>> class MLP(Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.fc1 = Linear(4, 8)
    ...         self.fc2 = Linear(8, 1)
    ...     def forward(self, x):
    ...         return self.fc2(self.fc1(x).relu())
    """

    training: bool

    def __init__(self):
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_backward_hooks", OrderedDict())

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} has no forward()")

    def __call__(self, *args, **kwargs):
        d = self.__dict__
        if d.get("_forward_pre_hooks") or d.get("_forward_hooks") or d.get("_backward_hooks"):
            return call_with_hooks(self, args, kwargs)
        return self.forward(*args, **kwargs)

    # ---- hooks (module_hooks.py) ----------------------------------------------

    def register_forward_pre_hook(self, hook):
        """hook(module, args) before forward; it may return new args. Returns a handle with remove()."""
        return add_hook(self._forward_pre_hooks, hook)

    def register_forward_hook(self, hook):
        """hook(module, args, output) after forward; it may return a new output. Returns a handle."""
        return add_hook(self._forward_hooks, hook)

    def register_full_backward_hook(self, hook):
        """hook(module, grad_input, grad_output) when the gradients of the module's Tensor inputs
        are computed; it may return new grad_input. Returns a handle with remove()."""
        return add_hook(self._backward_hooks, hook)

    # ---- registration ---------------------------------------------------------

    def __setattr__(self, name, value):
        d = self.__dict__
        if "_parameters" not in d:
            raise AttributeError(f"cannot assign '{name}' before Module.__init__() is called")
        params, modules, buffers = d["_parameters"], d["_modules"], d["_buffers"]
        if isinstance(value, Buffer):
            self.register_buffer(name, value.as_tensor(), value.persistent)
        elif isinstance(value, Parameter):
            self._put(params, name, value)
        elif isinstance(value, Module):
            self._put(modules, name, value)
        elif name in params:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} as parameter '{name}' "
                                "(a Parameter or None is required)")
            params[name] = None
        elif name in modules:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} as child module '{name}' "
                                "(a Module or None is required)")
            modules[name] = None
        elif name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign {type(value).__name__} as buffer '{name}' "
                                "(a Tensor or None is required)")
            buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def _put(self, table, name, value):
        """table[name] = value; an entry of that name in another table (or a plain attribute) is
        dropped, and one in `table` is replaced where it is, so that the order of parameters,
        children and state_dict keys stays as it was (as PyTorch's)."""
        if name in table:
            self.__dict__.pop(name, None)
        else:
            self._forget(name)
        table[name] = value

    def _forget(self, name):
        for key in ("_parameters", "_modules", "_buffers"):
            self.__dict__[key].pop(name, None)
        self.__dict__.pop(name, None)

    def __getattr__(self, name):
        d = self.__dict__
        for key in ("_parameters", "_buffers", "_modules"):
            table = d.get(key)
            if table is not None and name in table:
                return table[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        for key in ("_parameters", "_buffers", "_modules"):
            if name in self.__dict__[key]:
                del self.__dict__[key][name]
                self._non_persistent_buffers.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules))

    def register_parameter(self, name, param):
        """Register `param` (a Parameter or None) under `name`."""
        self._register("register_parameter", self._parameters, name, param, Parameter)

    def register_buffer(self, name, tensor, persistent=True):
        """Register a non-learnable Tensor (e.g. running statistics); saved in state_dict if persistent."""
        self._register("register_buffer", self._buffers, name, tensor, Tensor)
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)

    def add_module(self, name, module):
        """Register a child module under `name`."""
        self._register("add_module", self._modules, name, module, Module)

    def _register(self, method, table, name, value, kind):
        """table[name] = value (an instance of `kind`, or None) after checking both; `name` then
        means only that entry (a parameter, buffer or module of that name is dropped)."""
        if value is not None and not isinstance(value, kind):
            raise TypeError(f"{method}: '{name}' must be a {kind.__name__} or None, got {type(value).__name__}")
        _check_name(method, name)
        self._put(table, name, value)

    register_module = add_module

    # ---- traversal ------------------------------------------------------------

    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """(name, module) for this module and every descendant, each once."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            yield from module.named_modules(memo, prefix + ("." if prefix else "") + name, remove_duplicate)

    def modules(self):
        for _, m in self.named_modules():
            yield m

    def named_children(self):
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self):
        for _, m in self.named_children():
            yield m

    def _named_members(self, table, prefix, recurse, remove_duplicate=True):
        seen = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse \
            else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in module.__dict__[table].items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """(qualified name, Parameter) pairs, shared parameters once."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self, fn):
        """Call fn(module) on every child (recursively), then on self; returns self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ---- modes and gradients --------------------------------------------------

    def train(self, mode=True):
        """Training mode (dropout active, batch statistics) when True; evaluation mode when False."""
        if not isinstance(mode, bool):
            raise ValueError(f"train: mode must be a bool, got {type(mode).__name__}")
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self):
        """Evaluation mode: the same as train(False)."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    @replayed_call
    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all parameters (to None, or to zeros in place)."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad[...] = 0

    # ---- dtype ----------------------------------------------------------------

    def to(self, *args, device=None, dtype=None, non_blocking=False):
        """Move parameters (with their gradients) and buffers to a device and/or cast floating ones.

        `to("cuda")`, `to("cpu")`, `to(np.float64)`, `to("cuda", np.float32)` or
        keywords.  Parameters stay the same objects, so an optimizer made
        before the move still updates them (its state moves at its next step).
        Copies are synchronous, which non_blocking=True allows (it is a hint).

        >>> model.to(np.float64)
        """
        from ...devices import is_device, move_tensor_

        for a in args:
            if is_device(a):
                device = a
            elif isinstance(a, Tensor):
                device, dtype = a.device, a.dtype
            else:
                try:
                    np.dtype(a)
                except TypeError:
                    raise ValueError(f"to: expected a device ('cpu', 'cuda', 'cuda:N') or a dtype, "
                                     f"got {a!r}") from None
                dtype = a
        if dtype is not None:
            dtype = np.dtype(dtype)
            if not _floating(dtype):
                raise TypeError(f"to: only floating dtypes are supported, got {dtype}")
        for t in list(self.parameters()) + list(self.buffers()):
            if device is not None:
                move_tensor_(t, device)
            if dtype is not None and _floating(t._data.dtype) and t._data.dtype != dtype:
                t._data = t._data.astype(dtype)
                if t.grad is not None:
                    t.grad = t.grad._data.astype(dtype)
                t._version[0] += 1
        return self

    def _place_on(self, device):
        """The factory argument device= of layers: their parameters and buffers, made on the
        host, move to `device` (nothing moves for None)."""
        if device is not None:
            from ...devices import parse_device

            parse_device(device)   # the name is checked even when there is nothing to move
            self.to(device=device)

    def cuda(self, device=None):
        """Move to the GPU (CuPy): the same as to("cuda") or to("cuda:N")."""
        return self.to("cuda" if device is None else f"cuda:{int(device)}")

    def cpu(self):
        """Move to the host (NumPy arrays)."""
        return self.to("cpu")

    def bfloat16(self):
        """Cast floating parameters and buffers to bfloat16 (needs ml_dtypes: fastgrad[bf16])."""
        from ...amp.dtypes import bfloat16_dtype

        return self.to(bfloat16_dtype())

    def type(self, dst_type):
        """Cast floating parameters and buffers to dst_type (a dtype)."""
        return self.to(dst_type)

    def share_memory(self):
        """Move parameters and buffers into shared memory (Tensor.share_memory_): processes forked
        afterwards update this very model (Hogwild training)."""
        for t in list(self.parameters()) + list(self.buffers()):
            t.share_memory_()
        return self

    def compile(self, *args, **kwargs):
        """PyTorch's Module.compile (torch.compile in place): here the module runs eagerly, as
        fastgrad.compile(module) does."""
        from ...torch_functions.runtime import compile as compile_function

        compile_function(self, *args, **kwargs)

    # ---- lookup by qualified name ---------------------------------------------

    def get_submodule(self, target):
        """The module at a dotted path ('' is self): model.get_submodule("encoder.layers.0")."""
        module = self
        for name in target.split(".") if target else ():
            child = module._modules.get(name) if isinstance(module, Module) else None
            if child is None:
                raise AttributeError(f"get_submodule: {type(module).__name__} has no submodule {name!r} "
                                     f"(in {target!r})")
            module = child
        return module

    def get_parameter(self, target):
        """The parameter at a dotted path: model.get_parameter("encoder.0.weight")."""
        return self._get_tensor("get_parameter", target, "_parameters", "parameter")

    def get_buffer(self, target):
        """The buffer at a dotted path: model.get_buffer("bn.running_mean")."""
        return self._get_tensor("get_buffer", target, "_buffers", "buffer")

    def _get_tensor(self, op, target, table, kind):
        path, _, name = target.rpartition(".")
        module = self.get_submodule(path)
        if name not in getattr(module, table):
            raise AttributeError(f"{op}: {type(module).__name__} has no {kind} {name!r} (in {target!r})")
        return getattr(module, table)[name]

    # ---- state dict -----------------------------------------------------------

    def state_dict(self, destination=None, prefix="", keep_vars=False):
        """Ordered {qualified name: Tensor} of parameters and persistent buffers (data shared)."""
        if destination is None:
            destination = OrderedDict()
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers:
                destination[prefix + name] = b if keep_vars else b.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination, prefix + name + ".", keep_vars)
        return destination

    def load_state_dict(self, state_dict, strict=True):
        """Copy values into this module's parameters and buffers, in place.

        strict=True raises on missing or unexpected keys; a shape mismatch always
        raises.  Returns (missing_keys, unexpected_keys)."""
        for name, module in self.named_modules():  # lazy modules take their shapes from the checkpoint
            if hasattr(module, "materialize_from_state_dict"):
                module.materialize_from_state_dict(state_dict, name + "." if name else "")
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        if strict and (missing or unexpected):
            if unexpected:
                errors.append("Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected))
            if missing:
                errors.append("Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing))
        for key, target in own.items():
            if key not in state_dict or (is_lazy(target) and is_lazy(state_dict[key])):
                continue
            value = state_dict[key]
            if is_lazy(value) or is_lazy(target):
                errors.append(f"{key}: cannot copy between an uninitialized parameter or buffer (of a lazy module "
                              "that has not run forward yet) and an initialized one")
                continue
            value = value._data if isinstance(value, Tensor) else value
            shape = tuple(getattr(value, "shape", np.shape(value)))
            if shape != tuple(target.shape):
                errors.append(f"size mismatch for {key}: copying a param with shape {shape} from checkpoint, "
                              f"the shape in current model is {tuple(target.shape)}")
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(errors))
        for key, target in own.items():
            if key in state_dict and not (is_lazy(target) and is_lazy(state_dict[key])):
                value = state_dict[key]
                value = value._data if isinstance(value, Tensor) else value
                target._data[...] = np.asarray(value) if isinstance(target._data, np.ndarray) else value
                target._version[0] += 1
        return IncompatibleKeys(missing, unexpected)

    # ---- repr -----------------------------------------------------------------

    def extra_repr(self):
        """The text inside the parentheses of this module's repr (layers override it)."""
        return ""

    def __repr__(self):
        lines = []
        extra = self.extra_repr()
        if extra:
            lines = extra.split("\n")
        for name, module in self._modules.items():
            child = repr(module).replace("\n", "\n  ")
            lines.append(f"({name}): {child}")
        name = type(self).__name__
        if not self._modules:
            return f"{name}({extra})"
        return name + "(\n  " + "\n  ".join(lines) + "\n)"


def _check_name(op, name):
    if not isinstance(name, str):
        raise TypeError(f"{op}: name must be a str, got {type(name).__name__}")
    if "." in name or name == "":
        raise KeyError(f"{op}: name {name!r} must be non-empty and contain no '.'")
