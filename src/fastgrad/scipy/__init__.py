"""fastgrad.scipy: SciPy's functions with gradients, under HIPS autograd's
module names (special, stats, signal, linalg, integrate, misc).

    import fastgrad.scipy.special as special
    grad(lambda x: np.sum(special.gammaln(x)))(x)     # digamma(x)

Needs SciPy (`pip install scipy`): the values are SciPy's, the derivatives
are written with fastgrad.numpy so they can be differentiated again.
"""
from ._require import require_scipy as _require_scipy

_require_scipy()
