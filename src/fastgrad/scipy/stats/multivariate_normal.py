"""The multivariate normal N(mean, cov): logpdf pdf entropy (in x, mean and cov).

x may hold several points in its leading axes.  With allow_singular=True a
singular covariance is handled through its pseudo-inverse and the product
of its nonzero eigenvalues (the density on the subspace it spans)."""
import numpy as _onp
import scipy.stats as _st

from ... import numpy as np


def _log_det_and_inverse(cov, allow_singular):
    if not allow_singular:
        return np.linalg.slogdet(cov)[1], np.linalg.inv(cov)
    w, v = np.linalg.eigh(cov)
    data = getattr(w, "_data", w)
    keep = _onp.abs(data) > 1e-10 * _onp.max(_onp.abs(data))
    safe = np.where(keep, w, 1.0)
    log_det = np.sum(np.where(keep, np.log(safe), 0.0))
    inverse = np.dot(v * np.where(keep, 1.0 / safe, 0.0), np.transpose(v))
    return log_det, inverse


def logpdf(x, mean, cov, allow_singular=False):
    log_det, inverse = _log_det_and_inverse(cov, allow_singular)
    rank = _onp.shape(cov)[-1]
    if allow_singular:
        w = _onp.linalg.eigvalsh(_onp.asarray(getattr(cov, "_data", cov)))
        rank = int(_onp.sum(_onp.abs(w) > 1e-10 * _onp.max(_onp.abs(w))))
    centered = x - mean
    quad = np.einsum("...i,ij,...j->...", centered, inverse, centered)
    return -0.5 * (rank * _onp.log(2 * _onp.pi) + log_det + quad)


def pdf(x, mean, cov, allow_singular=False):
    return np.exp(logpdf(x, mean, cov, allow_singular))


def entropy(mean, cov):
    d = _onp.shape(cov)[-1]
    return 0.5 * (d * (1 + _onp.log(2 * _onp.pi)) + np.linalg.slogdet(cov)[1])


rvs = _st.multivariate_normal.rvs
