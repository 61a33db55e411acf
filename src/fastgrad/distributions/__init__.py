"""Probability distributions with PyTorch's names (`torch.distributions`): their log-densities,
entropies, moments and samples (reparameterized, differentiable samples via rsample where the
distribution allows it), Distribution.expand, and kl_divergence between the pairs PyTorch defines.

    Normal, LogNormal, Laplace, Uniform, Exponential, Gamma, Beta, Dirichlet, MultivariateNormal,
    StudentT, Cauchy, Gumbel, HalfNormal, HalfCauchy, Chi2, Weibull, Pareto, Kumaraswamy, VonMises,
    ContinuousBernoulli, LowRankMultivariateNormal, RelaxedBernoulli, RelaxedOneHotCategorical
    Bernoulli, Binomial, Poisson, Categorical, OneHotCategorical, Geometric, NegativeBinomial, Multinomial
    InverseGamma, FisherSnedecor, GeneralizedPareto, LogisticNormal, Wishart, LKJCholesky,
    OneHotCategoricalStraightThrough, ExponentialFamily (entropy from the log-normalizer)
    Independent, TransformedDistribution (with fastgrad.distributions.transforms), MixtureSameFamily
    biject_to / transform_to: from a constraint to a transform onto it

    from fastgrad.distributions import Normal, kl_divergence
    q = Normal(mu, sigma)
    z = q.rsample()                       # gradients flow into mu and sigma
    loss = -p_model.log_prob(x).sum() + kl_divergence(q, Normal(0.0, 1.0)).sum()

Draws come from fastgrad's generator (fastgrad.manual_seed). Those whose densities or moments use
lgamma, digamma or Bessel functions (Gamma, Beta, Dirichlet, Poisson, Binomial, StudentT, Chi2,
Weibull, Kumaraswamy, NegativeBinomial, Multinomial, VonMises) need SciPy, as fastgrad.special does.
"""
from . import constraints
from .bernoulli import Bernoulli
from .beta import Beta
from .binomial import Binomial
from .categorical import Categorical
from .dirichlet import Dirichlet
from .distribution import Distribution
from .exponential import Exponential
from .gamma import Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .log_normal import LogNormal
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .one_hot_categorical import OneHotCategorical
from .poisson import Poisson
from .uniform import Uniform
from . import kl_discrete, kl_multivariate, kl_univariate  # noqa: E402,F401  (register their pairs)

__all__ = ["Bernoulli", "Beta", "Binomial", "Categorical", "Dirichlet", "Distribution", "Exponential", "Gamma",
           "Independent", "Laplace", "LogNormal", "MultivariateNormal", "Normal", "OneHotCategorical", "Poisson",
           "Uniform", "constraints", "kl_divergence", "register_kl"]
from . import transforms  # noqa: E402
from .transformed_distribution import TransformedDistribution  # noqa: E402
__all__ += ["TransformedDistribution", "transforms"]
from . import kl_transformed  # noqa: E402,F401  (registers its pair)
from .cauchy import Cauchy  # noqa: E402
from .chi2 import Chi2  # noqa: E402
from .geometric import Geometric  # noqa: E402
from .gumbel import Gumbel  # noqa: E402
from .half_cauchy import HalfCauchy  # noqa: E402
from .half_normal import HalfNormal  # noqa: E402
from .negative_binomial import NegativeBinomial  # noqa: E402
from .pareto import Pareto  # noqa: E402
from .student_t import StudentT  # noqa: E402
from .weibull import Weibull  # noqa: E402
__all__ += ["Cauchy", "Chi2", "Geometric", "Gumbel", "HalfCauchy", "HalfNormal", "NegativeBinomial", "Pareto",
            "StudentT", "Weibull"]
from . import kl_extreme_value  # noqa: E402,F401  (registers its pairs)
from .mixture_same_family import MixtureSameFamily  # noqa: E402
__all__ += ["MixtureSameFamily"]
from .multinomial import Multinomial  # noqa: E402
from .relaxed_bernoulli import RelaxedBernoulli  # noqa: E402
from .relaxed_categorical import RelaxedOneHotCategorical  # noqa: E402
__all__ += ["Multinomial", "RelaxedBernoulli", "RelaxedOneHotCategorical"]
from .low_rank_multivariate_normal import LowRankMultivariateNormal  # noqa: E402
__all__ += ["LowRankMultivariateNormal"]
from .continuous_bernoulli import ContinuousBernoulli  # noqa: E402
from .kumaraswamy import Kumaraswamy  # noqa: E402
from .von_mises import VonMises  # noqa: E402
__all__ += ["ContinuousBernoulli", "Kumaraswamy", "VonMises"]
from . import kl_continuous_bernoulli  # noqa: E402,F401  (registers its pairs)
from .constraint_registry import biject_to, transform_to  # noqa: E402
from .transforms import *  # noqa: E402,F401,F403  (PyTorch's namespace lists every transform)
__all__ += ["biject_to", "transform_to"] + transforms.__all__
from .exponential_family import ExponentialFamily  # noqa: E402
from . import kl_exponential_family  # noqa: E402,F401  (registers the Bregman divergence)
from .fisher_snedecor import FisherSnedecor  # noqa: E402
from .generalized_pareto import GeneralizedPareto  # noqa: E402
from .inverse_gamma import InverseGamma  # noqa: E402
from .lkj_cholesky import LKJCholesky  # noqa: E402
from .logistic_normal import LogisticNormal  # noqa: E402
from .one_hot_categorical_straight_through import OneHotCategoricalStraightThrough  # noqa: E402
from .wishart import Wishart  # noqa: E402
__all__ += ["ExponentialFamily", "FisherSnedecor", "GeneralizedPareto", "InverseGamma", "LKJCholesky", "LogisticNormal",
            "OneHotCategoricalStraightThrough", "Wishart"]
