"""VonMises(loc, concentration): the circular normal distribution on angles, density
exp(k cos(x - loc)) / (2 pi I0(k)) (needs SciPy for the Bessel function I0, as fastgrad.scipy does)."""
import math

import numpy as np

from ..creation import default_generator
from . import constraints
from .distribution import Distribution, _shape, broadcast_all, host, on_device_of
from .location_scale import CenteredAtLoc


def log_i0(x):
    """log I0(x) = log(I0(x) exp(-x)) + x for x >= 0, finite for large x; differentiable."""
    from ..scipy.special import ive
    return ive(0, x).log() + x


def _i1_over_i0(x):
    from ..scipy.special import ive
    return ive(1, x) / ive(0, x)


def sample_von_mises(loc, concentration, shape, generator):
    """Draws of shape `shape` (float64) by Best and Fisher's rejection sampler, wrapped into [-pi, pi)."""
    kappa = np.broadcast_to(concentration, shape).astype(np.float64)
    tau = 1 + np.sqrt(1 + 4 * kappa ** 2)
    rho = (tau - np.sqrt(2 * tau)) / (2 * kappa)
    r = np.where(kappa < 1e-5, 1 / kappa + kappa, (1 + rho ** 2) / (2 * rho))
    x = np.zeros(shape)
    done = np.zeros(shape, dtype=bool)
    while not done.all():
        u1, u2, u3 = generator.random((3,) + tuple(shape))
        z = np.cos(np.pi * u1)
        f = (1 + r * z) / (r + z)
        c = kappa * (r - f)
        with np.errstate(divide="ignore", invalid="ignore"):
            accept = ~done & (((c * (2 - c) - u2) > 0) | (np.log(c / u2) + 1 - c >= 0))
        x = np.where(accept, np.sign(u3 - 0.5) * np.arccos(np.clip(f, -1, 1)), x)
        done |= accept
    return (x + np.pi + np.broadcast_to(loc, shape)) % (2 * np.pi) - np.pi


class VonMises(CenteredAtLoc, Distribution):
    """VonMises(loc, concentration k), element by element, on angles; mean and mode loc, circular
    variance 1 - I1(k) / I0(k). Samples lie in [-pi, pi); not reparameterized.

    >>> import fastgrad as fg
    >>> VonMises(fg.tensor([0.0]), fg.tensor([1.0])).sample((4,)).shape
    (4, 1)
    """
    arg_constraints = {"loc": constraints.real, "concentration": constraints.positive}
    support = constraints.real

    def __init__(self, loc, concentration, validate_args=None):
        self.loc, self.concentration = broadcast_all(loc, concentration)
        super().__init__(batch_shape=tuple(self.loc.shape), validate_args=validate_args)

    @property
    def variance(self):
        return 1 - _i1_over_i0(self.concentration)

    def sample(self, sample_shape=()):
        """Rejection-sampled angles in loc's dtype, cut from the graph."""
        shape = self._extended_shape(_shape(sample_shape))
        draws = sample_von_mises(host(self.loc), host(self.concentration), shape, default_generator())
        return on_device_of(self.loc, draws)

    def log_prob(self, value):
        """k cos(value - loc) - log(2 pi) - log I0(k)."""
        value = self._checked(value)
        return self.concentration * (value - self.loc).cos() - math.log(2 * math.pi) - log_i0(self.concentration)
