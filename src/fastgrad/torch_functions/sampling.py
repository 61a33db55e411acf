"""PyTorch's sampling functions normal and poisson, and the default generator's seed,
initial_seed, get_rng_state and set_rng_state (fastgrad.manual_seed and fastgrad.Generator are in creation.py and
generator.py).

    import fastgrad as torch
    torch.normal(torch.zeros(3), 1.0)            # one draw per mean
    torch.normal(2.0, 3.0, size=(2, 4))
    torch.poisson(rates, generator=torch.Generator().manual_seed(0))

As in PyTorch, a sample's gradient with respect to the mean, std or rates is zero (it is not
reparameterized: write mean + std * randn_like(mean) for that).
"""
import numpy as np

from .. import creation
from ..autograd.tensor import Tensor
from ..creation import _dtype, _leaf, _rng, tensor as _new_tensor
from ..generator import Generator
from ..ops.selection import where

__all__ = ["Generator", "binomial", "get_rng_state", "initial_seed", "normal", "poisson", "seed", "set_rng_state"]


def _check_generator(op, generator):
    if generator is not None and not isinstance(generator, np.random.Generator):
        raise TypeError(f"{op}: argument 'generator' must be a fastgrad.Generator, got {type(generator).__name__}")
    return _rng(generator)


def _zero_gradient(sample, *inputs):
    """sample (an array) as a Tensor that depends on the tensor inputs with a zero gradient,
    so that backward reaches them as in PyTorch."""
    out = Tensor(sample)
    everywhere = np.ones(sample.shape, dtype=bool)
    for t in inputs:
        if isinstance(t, Tensor) and t.requires_grad:
            out = where(everywhere, out, t)   # the sample's values; t gets a zero gradient
    return out


def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    """Samples of N(mean, std**2).  normal(mean, std) with a tensor mean and/or std (they
    broadcast) draws one per element, in their floating dtype; normal(mean, std, size) with
    numbers draws `size` samples in `dtype` (the default dtype when None)."""
    creation._no_out(out, "normal")
    rng = _check_generator("normal", generator)
    tensors = [t for t in (mean, std) if isinstance(t, Tensor)]
    if not tensors:
        if size is None:
            raise TypeError("normal: with a number mean and std, give size= (the shape of the sample)")
        scale = float(std)
        if scale < 0:
            raise ValueError(f"normal: argument 'std' must be non-negative, got {std}")
        shape = creation._shape((size,), "normal")
        return _leaf((float(mean) + scale * rng.standard_normal(shape)).astype(_dtype(dtype)), requires_grad, device)
    if size is not None:
        raise TypeError("normal: size= is for a number mean and std; a tensor mean or std sets the shape")
    for name, t in (("mean", mean), ("std", std)):
        if isinstance(t, Tensor) and t.dtype.kind != "f":
            raise TypeError(f"normal: argument '{name}' must be a floating-point tensor, got {t.dtype}")
    m = mean._data if isinstance(mean, Tensor) else np.asarray(mean, dtype=tensors[0].dtype)
    s = std._data if isinstance(std, Tensor) else np.asarray(std, dtype=tensors[0].dtype)
    if np.any(np.asarray(s) < 0):
        raise ValueError("normal: argument 'std' must be non-negative")
    try:
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
    except ValueError:
        raise ValueError(f"normal: mean of shape {np.shape(m)} and std of shape {np.shape(s)} do not "
                         "broadcast") from None
    dtype = np.result_type(*(t.dtype for t in tensors))
    sample = (m + s * rng.standard_normal(shape)).astype(dtype)
    return _zero_gradient(sample, mean, std)


def poisson(input, generator=None):
    """A Poisson sample for each rate in input (non-negative), in input's dtype."""
    x = input if isinstance(input, Tensor) else _new_tensor(input)
    if x.dtype.kind != "f":
        raise TypeError(f"poisson: argument 'input' must be a floating-point tensor of rates, got {x.dtype}")
    rates = np.asarray(x._data)
    if rates.size and not np.all(rates >= 0):
        raise ValueError("poisson: argument 'input' must hold non-negative rates")
    rng = _check_generator("poisson", generator)
    return _zero_gradient(rng.poisson(rates).astype(x.dtype), x)


def binomial(count, prob, generator=None):
    """One Binomial(count, prob) sample (successes in count trials of probability prob) per
    element of the broadcast count and prob, floating tensors, in count's dtype."""
    n, p = (v if isinstance(v, Tensor) else _new_tensor(v) for v in (count, prob))
    for name, v in (("count", n), ("prob", p)):
        if v.dtype.kind != "f":
            raise TypeError(f"binomial: argument '{name}' must be a floating-point tensor, got {v.dtype}")
    trials, chances = np.asarray(n._data), np.asarray(p._data)
    if trials.size and (np.any(trials < 0) or np.any(trials != np.floor(trials))):
        raise ValueError("binomial: argument 'count' must hold non-negative whole numbers")
    if chances.size and not np.all((chances >= 0) & (chances <= 1)):
        raise ValueError("binomial: argument 'prob' must lie in [0, 1]")
    rng = _check_generator("binomial", generator)
    return _zero_gradient(rng.binomial(trials.astype(np.int64), chances).astype(n.dtype), n, p)


def seed():
    """Seed the default generator from the operating system; returns the seed."""
    return creation.default_generator().seed()


def initial_seed():
    """The seed the default generator last started from."""
    return creation.default_generator().initial_seed()


def get_rng_state():
    """The default generator's state as a uint8 tensor; set_rng_state(state) later draws the
    same numbers again.

    >>> state = torch.get_rng_state(); a = torch.rand(2); torch.set_rng_state(state)
    >>> torch.equal(a, torch.rand(2))   # True
    """
    return creation.default_generator().get_state()


def set_rng_state(new_state):
    """Restore the default generator to a state from get_rng_state."""
    creation.default_generator().set_state(new_state)
