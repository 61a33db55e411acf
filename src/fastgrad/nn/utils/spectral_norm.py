"""Spectral normalization (Miyato et al., 2018): w / sigma(w), sigma the largest singular value of
w read as a (w.shape[dim], -1) matrix, estimated by power iteration on two vectors u and v kept
between calls (one iteration per training forward by default; none in eval mode).

`spectral_norm(module)` is PyTorch's older hook form (parameter `weight_orig`, buffers `weight_u`,
`weight_v`); `_SpectralNorm` is the module of `nn.utils.parametrizations.spectral_norm` (buffers
`_u`, `_v`).  The first draw of u and v comes from fastgrad's generator (fastgrad.manual_seed).
"""
import numbers

import numpy as np

from ...autograd.grad_mode import no_grad
from ...autograd.tensor import Tensor
from ...creation import default_generator
from .. import functional as F
from ..modules.conv import ConvTranspose1d, ConvTranspose2d
from ..modules.module import Module
from ..parameter import Parameter
from .parametrize import _set_data


def default_dim(module):
    """PyTorch's default: axis 1 (the output channels) for transposed convolutions, else 0."""
    return 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d)) or \
        type(module).__name__.startswith("ConvTranspose") else 0


def _check(op, n_power_iterations, dim, ndim):
    if not isinstance(n_power_iterations, numbers.Integral) or n_power_iterations <= 0:
        raise ValueError(f"{op}: expected n_power_iterations to be positive, but got "
                         f"n_power_iterations={n_power_iterations}")
    if not -ndim <= dim < max(ndim, 1):
        raise IndexError(f"{op}: dim {dim} is out of range for a {ndim}-d weight")
    return dim % max(ndim, 1)


def as_matrix(weight, dim):
    """weight with axis `dim` first, flattened to (weight.shape[dim], -1)."""
    if dim != 0:
        weight = weight.permute(dim, *(d for d in range(weight.ndim) if d != dim))
    return weight.reshape(weight.shape[0], -1)


def _normalized(x, eps):
    return F.normalize(x, dim=0, eps=eps)


def random_unit_vectors(weight_mat, eps):
    """u (rows) and v (columns) drawn from N(0, 1) and normalized."""
    rng = default_generator()
    rows, cols = weight_mat.shape
    dtype = weight_mat.dtype
    with no_grad():
        u = _normalized(Tensor(rng.standard_normal(rows).astype(dtype)), eps)
        v = _normalized(Tensor(rng.standard_normal(cols).astype(dtype)), eps)
    return u, v


def sigma(weight_mat, u, v):
    """u . (W v): the estimate of W's largest singular value, differentiable in W."""
    return (u * (weight_mat @ v)).sum()


class _SpectralNorm(Module):
    """The parametrization: weight / sigma(weight); 1-d weights are just normalized."""

    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        ndim = weight.ndim
        self.dim = _check("spectral_norm", n_power_iterations, dim, ndim)
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = as_matrix(weight, self.dim)
            u, v = random_unit_vectors(weight_mat, eps)
            self.register_buffer("_u", u)
            self.register_buffer("_v", v)
            self._power_method(weight_mat, 15)

    def _power_method(self, weight_mat, iterations):
        with no_grad():
            weight_mat = weight_mat.detach()
            for _ in range(iterations):
                _set_data(self._u, _normalized(weight_mat @ self._v, self.eps))
                _set_data(self._v, _normalized(weight_mat.T @ self._u, self.eps))

    def forward(self, weight):
        if weight.ndim == 1:
            return _normalized(weight, self.eps)
        weight_mat = as_matrix(weight, self.dim)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        return weight / sigma(weight_mat, self._u.detach().clone(), self._v.detach().clone())

    def right_inverse(self, value):
        return value


class SpectralNorm:
    """The forward pre-hook of spectral_norm: sets module.<name> = <name>_orig / sigma, one power
    iteration (v first, then u) per training call."""

    def __init__(self, name="weight", n_power_iterations=1, dim=0, eps=1e-12):
        self.name, self.n_power_iterations, self.dim, self.eps = name, n_power_iterations, dim, eps

    def compute_weight(self, module, do_power_iteration):
        weight = getattr(module, self.name + "_orig")
        u, v = getattr(module, self.name + "_u"), getattr(module, self.name + "_v")
        weight_mat = as_matrix(weight, self.dim)
        if do_power_iteration:
            with no_grad():
                plain = weight_mat.detach()
                for _ in range(self.n_power_iterations):
                    _set_data(v, _normalized(plain.T @ u, self.eps))
                    _set_data(u, _normalized(plain @ v, self.eps))
        return weight / sigma(weight_mat, u.detach().clone(), v.detach().clone())

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module, do_power_iteration=module.training))


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Replace module.<name> by <name>_orig and the buffers <name>_u, <name>_v; before each forward,
    module.<name> = <name>_orig / sigma (its largest singular value's estimate).  Returns the module.

    >>> layer = spectral_norm(fastgrad.nn.Linear(20, 40))
    >>> sorted(layer.state_dict())
    ['bias', 'weight_orig', 'weight_u', 'weight_v']
    """
    for hook in module._forward_pre_hooks.values():
        if isinstance(hook, SpectralNorm) and hook.name == name:
            raise RuntimeError(f"spectral_norm: cannot register two spectral_norm hooks on the same parameter "
                               f"{name}")
    weight = module._parameters.get(name)
    if weight is None:
        raise ValueError(f"spectral_norm: module {type(module).__name__} has no parameter named '{name}'")
    dim = default_dim(module) if dim is None else dim
    dim = _check("spectral_norm", n_power_iterations, dim, weight.ndim)
    hook = SpectralNorm(name, n_power_iterations, dim, eps)
    u, v = random_unit_vectors(as_matrix(weight, dim), eps)
    del module._parameters[name]
    module.register_parameter(name + "_orig", weight)
    setattr(module, name, weight.detach())
    module.register_buffer(name + "_u", u)
    module.register_buffer(name + "_v", v)
    module.register_forward_pre_hook(hook)
    return module


def remove_spectral_norm(module, name="weight"):
    """Undo spectral_norm: module.<name> becomes a parameter holding <name>_orig / sigma (no iteration)."""
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, SpectralNorm) and hook.name == name:
            with no_grad():
                weight = hook.compute_weight(module, do_power_iteration=False)
            delattr(module, name)
            for suffix in ("_u", "_v"):
                del module._buffers[name + suffix]
            del module._parameters[name + "_orig"]
            module.register_parameter(name, Parameter(np.array(weight._data, copy=True)))
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"spectral_norm of '{name}' not found in {module}")
