"""Pruning a module's parameters as torch.nn.utils.prune does: the parameter `name` becomes
`name + "_orig"` (still the parameter trained), a buffer `name + "_mask"` holds which of its
entries are kept, and a forward pre-hook sets `module.<name> = mask * orig` before each call.
Pruning the same parameter again prunes among the entries (or channels) still kept; `remove`
makes the pruning permanent.

    prune.l1_unstructured(model.fc1, "weight", amount=0.3)      # the 30% smallest |w| set to 0
    prune.ln_structured(model.conv1, "weight", amount=2, n=2, dim=0)   # 2 output channels
    prune.global_unstructured([(m, "weight") for m in layers], prune.L1Unstructured, amount=0.2)
    prune.remove(model.fc1, "weight")

`amount` is a number of entries (an int) or a fraction of them (a float in [0, 1], rounded).
Masks are chosen in NumPy; entries of equal importance may be picked in another order than
PyTorch's (both prune the right number of the smallest).
"""
import numbers

import numpy as np

from ...autograd.grad_mode import no_grad
from ...autograd.tensor import Tensor
from ...creation import rand
from ..parameter import Parameter

__all__ = ["BasePruningMethod", "PruningContainer", "Identity", "RandomUnstructured", "L1Unstructured",
           "RandomStructured", "LnStructured", "CustomFromMask", "identity", "random_unstructured", "l1_unstructured",
           "random_structured", "ln_structured", "global_unstructured", "custom_from_mask", "remove", "is_pruned"]


def _check_amount(amount):
    if isinstance(amount, bool) or not isinstance(amount, numbers.Real) or (
            isinstance(amount, numbers.Integral) and amount < 0) or (
            not isinstance(amount, numbers.Integral) and not 0.0 <= amount <= 1.0):
        raise ValueError(f"amount={amount} should either be a float in the range [0, 1] or a non-negative integer")


def _count(amount, size):
    """How many of `size` entries to prune."""
    if isinstance(amount, numbers.Integral):
        if amount > size:
            raise ValueError(f"amount={amount} should be smaller than the number of parameters to prune={size}")
        return int(amount)
    return int(round(amount * size))


def _values(t):
    return np.asarray(t._data if isinstance(t, Tensor) else t)


class BasePruningMethod:
    """A way of choosing a mask; also the forward pre-hook that applies it (see the module docstring)."""

    PRUNING_TYPE = None   # "unstructured", "structured" or "global"
    _tensor_name = None

    def __call__(self, module, inputs):
        setattr(module, self._tensor_name, self.apply_mask(module))

    def compute_mask(self, t, default_mask):
        """The new mask (an array like t) given the importance scores t and the current mask."""
        raise NotImplementedError

    def apply_mask(self, module):
        orig = getattr(module, self._tensor_name + "_orig")
        return getattr(module, self._tensor_name + "_mask").astype(orig.dtype) * orig

    @classmethod
    def apply(cls, module, name, *args, importance_scores=None, **kwargs):
        """Prune module.<name> with a new cls(*args, **kwargs), combined with earlier prunings of it."""
        method = cls(*args, **kwargs)
        method._tensor_name = name
        earlier = [(key, hook) for key, hook in module._forward_pre_hooks.items()
                   if isinstance(hook, BasePruningMethod) and hook._tensor_name == name]
        if earlier:
            key, old = earlier[0]
            del module._forward_pre_hooks[key]
            container = old if isinstance(old, PruningContainer) else PruningContainer(old)
            container.add_pruning_method(method)
            method = container
        orig = getattr(module, name)
        scores = orig if importance_scores is None else importance_scores
        if tuple(scores.shape) != tuple(orig.shape):
            raise ValueError(f"importance_scores should have the same shape as parameter {name} of {module}")
        if earlier:
            default_mask = _values(getattr(module, name + "_mask")).copy()
        else:
            if name not in module._parameters:
                raise ValueError(f"prune: module {type(module).__name__} has no parameter named '{name}'")
            module.register_parameter(name + "_orig", orig)
            del module._parameters[name]
            default_mask = np.ones(orig.shape, orig.dtype)
        mask = method.compute_mask(_values(scores), default_mask)
        module.register_buffer(name + "_mask", Tensor(np.asarray(mask, dtype=orig.dtype)))
        setattr(module, name, method.apply_mask(module))
        module.register_forward_pre_hook(method)
        return method

    def prune(self, t, default_mask=None, importance_scores=None):
        """t times the mask this method computes for it (a new tensor)."""
        scores = t if importance_scores is None else importance_scores
        mask = self.compute_mask(_values(scores), np.ones(t.shape, t.dtype) if default_mask is None
                                 else _values(default_mask))
        return t * Tensor(np.asarray(mask, dtype=t.dtype))

    def remove(self, module):
        """Make the pruning permanent: module.<name> becomes a parameter holding mask * orig."""
        name = self._tensor_name
        with no_grad():
            weight = self.apply_mask(module)
        if name in module.__dict__:
            delattr(module, name)
        orig = module._parameters.pop(name + "_orig")
        del module._buffers[name + "_mask"]
        setattr(module, name, Parameter(weight._data, requires_grad=orig.requires_grad))


class PruningContainer(BasePruningMethod):
    """Successive prunings of one parameter: each new one prunes among what the earlier kept."""

    def __init__(self, *methods):
        self._pruning_methods = ()
        for m in methods:
            self.add_pruning_method(m)

    def add_pruning_method(self, method):
        if not isinstance(method, BasePruningMethod):
            raise TypeError(f"{type(method).__name__} is not a BasePruningMethod subclass")
        if self._tensor_name is not None and method._tensor_name != self._tensor_name:
            raise ValueError(f"can only add pruning methods acting on the parameter named '{self._tensor_name}' "
                             f"to this container; got '{method._tensor_name}'")
        self._tensor_name = method._tensor_name
        self._pruning_methods += (method,)

    def __len__(self):
        return len(self._pruning_methods)

    def __iter__(self):
        return iter(self._pruning_methods)

    def __getitem__(self, i):
        return self._pruning_methods[i]

    def compute_mask(self, t, default_mask):
        method = self._pruning_methods[-1]
        mask = np.array(default_mask, copy=True)
        if method.PRUNING_TYPE == "unstructured":
            kept = mask == 1
        elif method.PRUNING_TYPE == "structured":
            dim = method.dim % t.ndim
            others = tuple(d for d in range(t.ndim) if d != dim)
            kept = tuple(slice(None) if d != dim else mask.sum(axis=others) != 0 for d in range(t.ndim))
        else:
            kept = (slice(None),) * t.ndim
        mask[kept] = method.compute_mask(t[kept], mask[kept])
        return mask


class Identity(BasePruningMethod):
    """Prunes nothing (the mask of ones), so that a parameter can be handled as pruned."""
    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t, default_mask):
        return default_mask

    @classmethod
    def apply(cls, module, name):
        return super().apply(module, name)


class _Unstructured(BasePruningMethod):
    """Prunes the `amount` entries that come first in `_order(t)` (flat indices)."""
    PRUNING_TYPE = "unstructured"

    def __init__(self, amount):
        _check_amount(amount)
        self.amount = amount

    def compute_mask(self, t, default_mask):
        k = _count(self.amount, t.size)
        mask = np.array(default_mask, copy=True)
        if k:
            mask.reshape(-1)[self._order(t)[:k]] = 0
        return mask


class RandomUnstructured(_Unstructured):
    """Prunes `amount` entries chosen at random (fastgrad's generator)."""

    def _order(self, t):
        return np.argsort(-_values(rand(t.size, dtype=np.float64)), kind="stable")

    @classmethod
    def apply(cls, module, name, amount):
        return super().apply(module, name, amount=amount)


class L1Unstructured(_Unstructured):
    """Prunes the `amount` entries of smallest absolute value."""

    def _order(self, t):
        return np.argsort(np.abs(t).reshape(-1), kind="stable")

    @classmethod
    def apply(cls, module, name, amount, importance_scores=None):
        return super().apply(module, name, amount=amount, importance_scores=importance_scores)


class _Structured(BasePruningMethod):
    """Prunes whole slices along `dim` (channels): those `keep` does not pick."""
    PRUNING_TYPE = "structured"

    def __init__(self, amount, dim=-1):
        _check_amount(amount)
        self.amount, self.dim = amount, dim

    def compute_mask(self, t, default_mask):
        if t.ndim <= 1:
            raise ValueError(f"Structured pruning can only be applied to multidimensional tensors. Found tensor of "
                             f"shape {t.shape} with {t.ndim} dims")
        if not -t.ndim <= self.dim < t.ndim:
            raise IndexError(f"Invalid index {self.dim} for tensor of size {t.shape}")
        dim = self.dim % t.ndim
        size = t.shape[dim]
        k = _count(self.amount, size)
        if k == 0:
            return default_mask
        kept = self.keep(t, dim, size - k)
        mask = np.zeros(t.shape, default_mask.dtype)
        mask[(slice(None),) * dim + (kept,)] = 1
        return mask * default_mask


class RandomStructured(_Structured):
    """Prunes `amount` slices along `dim` chosen at random."""

    def keep(self, t, dim, count):
        return np.argsort(-_values(rand(t.shape[dim], dtype=np.float64)), kind="stable")[:count]

    @classmethod
    def apply(cls, module, name, amount, dim=-1):
        return super().apply(module, name, amount=amount, dim=dim)


class LnStructured(_Structured):
    """Prunes the `amount` slices along `dim` of smallest L`n` norm."""

    def __init__(self, amount, n, dim=-1):
        super().__init__(amount, dim)
        self.n = n

    def keep(self, t, dim, count):
        slices = np.moveaxis(t, dim, 0).reshape(t.shape[dim], -1)
        norms = np.linalg.norm(slices, ord=2 if self.n == "fro" else self.n, axis=1)
        return np.argsort(-norms, kind="stable")[:count]

    @classmethod
    def apply(cls, module, name, amount, n, dim, importance_scores=None):
        return super().apply(module, name, amount=amount, n=n, dim=dim, importance_scores=importance_scores)


class CustomFromMask(BasePruningMethod):
    """Prunes where a given mask is 0."""
    PRUNING_TYPE = "global"

    def __init__(self, mask):
        self.mask = mask

    def compute_mask(self, t, default_mask):
        mask = _values(self.mask)
        if mask.shape != default_mask.shape:
            raise ValueError(f"custom_from_mask: the mask has shape {mask.shape}, the parameter {default_mask.shape}")
        return default_mask * mask.astype(default_mask.dtype)

    @classmethod
    def apply(cls, module, name, mask):
        return super().apply(module, name, mask=mask)


def identity(module, name):
    """Mark module.<name> as pruned without pruning anything (a mask of ones); returns module."""
    Identity.apply(module, name)
    return module


def random_unstructured(module, name, amount):
    """Prune `amount` random entries of module.<name>; returns module."""
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(module, name, amount, importance_scores=None):
    """Prune the `amount` entries of module.<name> of smallest |importance| (the entries themselves
    by default); returns module."""
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def random_structured(module, name, amount, dim):
    """Prune `amount` random slices of module.<name> along `dim`; returns module."""
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(module, name, amount, n, dim, importance_scores=None):
    """Prune the `amount` slices of module.<name> along `dim` of smallest L`n` norm; returns module."""
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def custom_from_mask(module, name, mask):
    """Prune module.<name> where `mask` is 0; returns module."""
    CustomFromMask.apply(module, name, mask)
    return module


def global_unstructured(parameters, pruning_method, importance_scores=None, **kwargs):
    """Prune the (module, name) parameters together: the method (unstructured, e.g. L1Unstructured
    with amount=0.2) chooses among all their entries at once."""
    parameters = list(parameters)
    if not parameters:
        raise ValueError("global_unstructured: no parameters to prune")
    importance_scores = importance_scores or {}
    scores = np.concatenate([_values(importance_scores.get((m, n), getattr(m, n))).reshape(-1) for m, n in parameters])
    default = np.concatenate([_values(m._buffers[n + "_mask"]).reshape(-1) if n + "_mask" in m._buffers
                              else np.ones(int(np.prod(getattr(m, n).shape))) for m, n in parameters])
    method = pruning_method(**kwargs)
    if method.PRUNING_TYPE != "unstructured":
        raise TypeError(f"Only 'unstructured' PRUNING_TYPE supported for the `pruning_method`. Found method "
                        f"{pruning_method} of type {method.PRUNING_TYPE}")
    method._tensor_name = "temp"
    mask = PruningContainer(method).compute_mask(scores, default)
    start = 0
    for m, n in parameters:
        shape = getattr(m, n).shape
        size = int(np.prod(shape))
        custom_from_mask(m, n, mask[start:start + size].reshape(shape))
        start += size


def remove(module, name):
    """Make the pruning of module.<name> permanent (it becomes a plain parameter again); returns module."""
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"Parameter '{name}' of module {module} has to be pruned before pruning can be removed")


def is_pruned(module):
    """Whether any submodule of module (or module itself) has a pruned parameter."""
    return any(isinstance(hook, BasePruningMethod) for m in module.modules() for hook in m._forward_pre_hooks.values())
