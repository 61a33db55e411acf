"""Probability distributions with PyTorch's names (`torch.distributions`): Normal, Uniform,
Bernoulli and Categorical, their log-densities, entropies, moments and samples (reparameterized,
differentiable samples via rsample where the distribution allows it), and kl_divergence.

    from fastgrad.distributions import Normal, kl_divergence
    q = Normal(mu, sigma)
    z = q.rsample()                       # gradients flow into mu and sigma
    loss = -p_model.log_prob(x).sum() + kl_divergence(q, Normal(0.0, 1.0)).sum()

Draws come from fastgrad's generator (fastgrad.manual_seed).
"""
from . import constraints
from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .kl import kl_divergence, register_kl
from .normal import Normal
from .uniform import Uniform

__all__ = ["Bernoulli", "Categorical", "Distribution", "Normal", "Uniform", "constraints", "kl_divergence",
           "register_kl"]
