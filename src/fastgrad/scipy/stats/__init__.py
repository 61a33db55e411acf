"""scipy.stats distributions with gradients (HIPS autograd's set): norm, t,
beta, gamma, chi2, poisson, dirichlet, multivariate_normal.  Each module
holds the distribution's functions: `stats.norm.logpdf(x, loc, scale)`."""
from . import beta, chi2, dirichlet, gamma, multivariate_normal, norm, poisson, t  # noqa: F401
