"""weight_norm, spectral_norm and orthogonal as parametrizations (PyTorch's `torch.nn.utils.parametrizations`):
state_dict keys parametrizations.<name>.original0 / original1 (g and v) for weight_norm and
parametrizations.<name>.original plus parametrizations.<name>.0._u / _v for spectral_norm, and
parametrizations.<name>.original plus parametrizations.<name>.0.base for orthogonal."""
from ...autograd.tensor import Tensor
from . import parametrize
from .orthogonal import MAPS, Orthogonal
from .spectral_norm import _SpectralNorm, default_dim
from .weight_norm import _WeightNorm

__all__ = ["weight_norm", "spectral_norm", "orthogonal"]


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


def orthogonal(module, name="weight", orthogonal_map=None, *, use_trivialization=True):
    """Make module.<name> (a matrix, or a batch of them) orthogonal: W^T W = I (W W^T = I when
    it is wide), computed at each access from parametrizations.<name>.original by
    `orthogonal_map`: "matrix_exp" (the default for square matrices), "cayley" or "householder"
    (the default otherwise); see fastgrad.nn.utils.orthogonal.  With use_trivialization (the
    default) the weight is base @ map(original), base an orthogonal buffer set by assignment
    (module.<name> = Q), and right after registration the weight is the current one made orthogonal
    (by QR).  Returns the module.

    >>> layer = orthogonal(fastgrad.nn.Linear(4, 4))
    >>> w = layer.weight
    >>> bool(((w @ w.T - fastgrad.eye(4)).abs() < 1e-5).all())
    True
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"orthogonal: module '{type(module).__name__}' has no parameter or buffer with name "
                         f"'{name}'")
    if weight.ndim < 2:
        raise ValueError(f"orthogonal: expected a matrix or batch of matrices, got a tensor of {weight.ndim} "
                         f"dimensions")
    if orthogonal_map is None:
        orthogonal_map = "matrix_exp" if weight.shape[-2] == weight.shape[-1] else "householder"
    if orthogonal_map not in MAPS:
        raise ValueError(f'orthogonal: orthogonal_map has to be one of "matrix_exp", "cayley", "householder", '
                         f"got {orthogonal_map!r}")
    parametrization = Orthogonal(weight, orthogonal_map, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, parametrization, unsafe=True)
    return module
