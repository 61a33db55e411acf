"""Weight normalization (Salimans & Kingma, 2016): w = g * v / ||v||, the norm taken over every
axis but `dim` (over the whole tensor when dim is None), so the direction v and the magnitude g
are learned apart.

`weight_norm(module)` is PyTorch's older hook form: the parameter `weight` is replaced by
`weight_g` and `weight_v`, and a forward pre-hook recomputes `module.weight` before each call.
`fastgrad.nn.utils.parametrizations.weight_norm` is the parametrization form (`_WeightNorm`).
"""
import warnings

from ...autograd.grad_mode import no_grad
from ..modules.module import Module
from ..parameter import Parameter


def _axis(dim, ndim):
    """PyTorch's convention: dim -1 (or None) means the norm over the whole tensor."""
    if dim is None or dim == -1:
        return None
    if not -ndim <= dim < ndim:
        raise IndexError(f"weight_norm: dim {dim} is out of range for a {ndim}-d weight")
    return dim % ndim


def norm_except_dim(v, dim):
    """The 2-norm of v over every axis but `dim`, kept as size-1 axes (a 0-d norm for dim None / -1)."""
    axis = _axis(dim, v.ndim)
    if axis is None:
        return (v * v).sum() ** 0.5
    others = tuple(a for a in range(v.ndim) if a != axis)
    return (v * v).sum(dim=others, keepdim=True) ** 0.5 if others else (v * v) ** 0.5


def weight_from(v, g, dim):
    """v * (g / ||v||), the norm over every axis but `dim`."""
    return v * (g / norm_except_dim(v, dim))


class _WeightNorm(Module):
    """The parametrization: (g, v) -> v * (g / ||v||); right_inverse splits a weight into (g, v)."""

    def __init__(self, dim=0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return weight_from(weight_v, weight_g, self.dim)

    def right_inverse(self, weight):
        return norm_except_dim(weight, self.dim).detach(), weight.detach()


class WeightNorm:
    """The forward pre-hook of weight_norm: sets module.<name> from <name>_g and <name>_v."""

    def __init__(self, name, dim):
        self.name, self.dim = name, -1 if dim is None else dim

    def compute_weight(self, module):
        return weight_from(getattr(module, self.name + "_v"), getattr(module, self.name + "_g"), self.dim)

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module))


def _hooks_of(module, kind):
    return [(key, hook) for key, hook in module._forward_pre_hooks.items() if isinstance(hook, kind)]


def weight_norm(module, name="weight", dim=0):
    """Replace module.<name> by <name>_g (the norms, over every axis but dim) and <name>_v (the
    direction), recomputed into module.<name> before each forward.  Returns the module.

    >>> layer = weight_norm(fastgrad.nn.Linear(20, 40))
    >>> tuple(layer.weight_g.shape), tuple(layer.weight_v.shape)
    ((40, 1), (40, 20))
    """
    warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                  "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning, stacklevel=2)
    if any(hook.name == name for _, hook in _hooks_of(module, WeightNorm)):
        raise RuntimeError(f"weight_norm: cannot register two weight_norm hooks on the same parameter {name}")
    weight = module._parameters.get(name)
    if weight is None:
        raise ValueError(f"weight_norm: module {type(module).__name__} has no parameter named '{name}'")
    hook = WeightNorm(name, dim)
    _axis(hook.dim, weight.ndim)
    with no_grad():
        g = norm_except_dim(weight, hook.dim)
    del module._parameters[name]
    module.register_parameter(name + "_g", Parameter(g._data, requires_grad=weight.requires_grad))
    module.register_parameter(name + "_v", Parameter(weight._data, requires_grad=weight.requires_grad))
    setattr(module, name, hook.compute_weight(module))
    module.register_forward_pre_hook(hook)
    return module


def remove_weight_norm(module, name="weight"):
    """Undo weight_norm: module.<name> becomes a parameter again, holding g * v / ||v||."""
    for key, hook in _hooks_of(module, WeightNorm):
        if hook.name == name:
            with no_grad():
                weight = hook.compute_weight(module)
            delattr(module, name)
            del module._parameters[name + "_g"]
            del module._parameters[name + "_v"]
            module.register_parameter(name, Parameter(weight._data))
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
