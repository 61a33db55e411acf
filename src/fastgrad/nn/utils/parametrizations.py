"""weight_norm and spectral_norm as parametrizations (PyTorch's `torch.nn.utils.parametrizations`):
state_dict keys parametrizations.<name>.original0 / original1 (g and v) for weight_norm and
parametrizations.<name>.original plus parametrizations.<name>.0._u / _v for spectral_norm."""
from . import parametrize
from .spectral_norm import _SpectralNorm, default_dim
from .weight_norm import _WeightNorm

__all__ = ["weight_norm", "spectral_norm"]


def weight_norm(module, name="weight", dim=0):
    """module.<name> = g * v / ||v|| (norm over every axis but dim; whole tensor for dim None), with
    g = parametrizations.<name>.original0 and v = original1.  Returns the module.

    >>> layer = weight_norm(fastgrad.nn.Linear(20, 40))
    >>> list(layer.state_dict())
    ['bias', 'parametrizations.weight.original0', 'parametrizations.weight.original1']
    """
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """module.<name> = original / sigma(original), sigma estimated by power iteration (15 iterations at
    registration, then n_power_iterations per training forward).  Returns the module."""
    weight = getattr(module, name, None)
    if weight is None or not hasattr(weight, "ndim"):
        raise ValueError(f"spectral_norm: module '{type(module).__name__}' has no parameter or buffer with name "
                         f"'{name}'")
    dim = default_dim(module) if dim is None else dim
    parametrize.register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module
