"""MixtureSameFamily(mixture_distribution, component_distribution): a mixture of k components
of one family, the last batch axis of the components indexing them, weighted by a Categorical."""
import numpy as np

from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..backend import namespace_of
from . import constraints
from .categorical import Categorical
from .distribution import Distribution, _shape
from .forwarded import forwarded


class MixtureSameFamily(Distribution):
    """p(x) = sum_j pi_j p_j(x): pi from mixture_distribution (a Categorical of batch shape B, or
    one broadcasting to it), the p_j the components (batch shape B + (k,)).

    >>> import fastgrad as fg
    >>> from fastgrad.distributions import Categorical, Normal
    >>> mix = MixtureSameFamily(Categorical(logits=fg.zeros(2)), Normal(fg.tensor([-1.0, 1.0]), 1.0))
    >>> mix.mean.item(), mix.variance.item()
    (0.0, 2.0)
    """
    arg_constraints = {}
    has_rsample = False

    def __init__(self, mixture_distribution, component_distribution, validate_args=None):
        if not isinstance(mixture_distribution, Categorical):
            raise ValueError(f"MixtureSameFamily: mixture_distribution must be a Categorical, got "
                             f"{type(mixture_distribution).__name__}")
        if not isinstance(component_distribution, Distribution):
            raise ValueError(f"MixtureSameFamily: component_distribution must be a Distribution, got "
                             f"{type(component_distribution).__name__}")
        if not component_distribution.batch_shape:
            raise ValueError("MixtureSameFamily: component_distribution needs a batch axis of components, got "
                             "batch_shape ()")
        mixture_batch, batch = mixture_distribution.batch_shape, component_distribution.batch_shape[:-1]
        for m, c in zip(reversed(mixture_batch), reversed(batch)):
            if m != 1 and c != 1 and m != c:
                raise ValueError(f"MixtureSameFamily: mixture_distribution.batch_shape {mixture_batch} is not "
                                 f"compatible with component_distribution.batch_shape {component_distribution.batch_shape}")
        k_mixture, k_components = mixture_distribution.logits.shape[-1], component_distribution.batch_shape[-1]
        if k_mixture != k_components:
            raise ValueError(f"MixtureSameFamily: mixture_distribution has {k_mixture} components but "
                             f"component_distribution.batch_shape[-1] is {k_components}")
        self._mixture_distribution, self._component_distribution = mixture_distribution, component_distribution
        self._num_component = k_mixture
        self._event_ndims = len(component_distribution.event_shape)
        super().__init__(batch_shape=batch, event_shape=component_distribution.event_shape, validate_args=validate_args)

    mixture_distribution = forwarded("_mixture_distribution")
    component_distribution = forwarded("_component_distribution")

    @property
    def support(self):
        return constraints.mixture_same_family(self._component_distribution.support)

    def expand(self, batch_shape, _instance=None):
        batch_shape = _shape(batch_shape)
        new = Distribution.expand(self, batch_shape, _instance)      # the shape check and the other attributes
        new._component_distribution = self._component_distribution.expand(batch_shape + (self._num_component,))
        new._mixture_distribution = self._mixture_distribution.expand(batch_shape)
        return new

    def _pad(self, x):
        """x with a component axis before its event axes."""
        return x.unsqueeze(-1 - self._event_ndims)

    def _pad_mixture_dimensions(self, probs):
        """The mixture weights shaped to broadcast against the components' per-component values."""
        mixture_ndims = len(self._mixture_distribution.batch_shape)
        pad = 0 if mixture_ndims == 1 else len(self._batch_shape) - mixture_ndims
        shape = tuple(probs.shape)
        return probs.reshape(*shape[:-1], *(1,) * pad, shape[-1], *(1,) * self._event_ndims)

    @property
    def mean(self):
        """sum_j pi_j mean_j."""
        probs = self._pad_mixture_dimensions(self._mixture_distribution.probs)
        return (probs * self._component_distribution.mean).sum(-1 - self._event_ndims)

    @property
    def variance(self):
        """sum_j pi_j var_j + sum_j pi_j (mean_j - mean)^2 (the law of total variance)."""
        probs = self._pad_mixture_dimensions(self._mixture_distribution.probs)
        axis = -1 - self._event_ndims
        within = (probs * self._component_distribution.variance).sum(axis)
        between = (probs * (self._component_distribution.mean - self._pad(self.mean)) ** 2).sum(axis)
        return within + between

    def cdf(self, value):
        """sum_j pi_j F_j(value)."""
        value = self._checked(value)
        return (self._component_distribution.cdf(self._pad(value)) * self._mixture_distribution.probs).sum(-1)

    def log_prob(self, value):
        """logsumexp_j (log pi_j + log p_j(value))."""
        value = self._checked(value)
        per_component = self._component_distribution.log_prob(self._pad(value))
        return (per_component + self._mixture_distribution.logits.log_softmax(-1)).logsumexp(-1)

    def sample(self, sample_shape=()):
        """A component index per draw from the mixture, then that component's draw; cut from the graph."""
        sample_shape = _shape(sample_shape)
        with no_grad():
            mixture = self._mixture_distribution
            if mixture.batch_shape != self._batch_shape:       # a mixture broadcast over the batch: one pick per element
                mixture = mixture.expand(self._batch_shape)
            picked = mixture.sample(sample_shape)._data
            draws = self._component_distribution.sample(sample_shape)
            axis = len(sample_shape) + len(self._batch_shape)
            index = picked.reshape(picked.shape + (1,) * (1 + self._event_ndims))
            target = draws.shape[:axis] + (1,) + draws.shape[axis + 1:]
            index = np.broadcast_to(index, target)
            xp = namespace_of(draws._data)
            return Tensor(xp.take_along_axis(draws._data, xp.asarray(index), axis=axis)).squeeze(axis)

    def __repr__(self):
        return (f"MixtureSameFamily(\n  {self._mixture_distribution!r},\n  {self._component_distribution!r})")
