"""MultivariateNormal against torch.distributions.MultivariateNormal (float64 values and gradients
for covariance_matrix, precision_matrix and scale_tril), numerical gradients of log_prob and
rsample, sample moments, shapes and argument validation."""
import numpy as np
import pytest

import fastgrad as fg
from distribution_parity import assert_moments, assert_shapes_match, check_cases, gradcheck_seeded, leaves
from fastgrad import distributions as D

TOL = dict(rtol=1e-9, atol=1e-11)     # a Cholesky factorization and triangular solves on the way


def spd(rng, shape, n):
    """Well-conditioned symmetric positive-definite matrices of shape shape + (n, n)."""
    a = rng.standard_normal(shape + (n, n))
    return a @ np.swapaxes(a, -1, -2) / n + np.eye(n)


def lower(rng, shape, n):
    return np.linalg.cholesky(spd(rng, shape, n))


def _mvn(d, loc, matrix, kind):
    # scale_tril through tril(): only the lower triangle counts, and PyTorch's cholesky_inverse
    # (its precision_matrix) would otherwise send gradients into the upper one
    return d.MultivariateNormal(loc, **{kind: matrix.tril() if kind == "scale_tril" else matrix})


def _cases(kind, make):
    return {
        f"{kind} log_prob": (lambda r: [r.standard_normal((2, 3)), make(r, (), 3), r.standard_normal((4, 2, 3))],
                             lambda d, loc, m, x: _mvn(d, loc, m, kind).log_prob(x)),
        f"{kind} batched matrix": (lambda r: [r.standard_normal(3), make(r, (2,), 3), r.standard_normal((2, 3))],
                                   lambda d, loc, m, x: _mvn(d, loc, m, kind).log_prob(x)),
        f"{kind} entropy": (lambda r: [r.standard_normal((2, 3)), make(r, (2,), 3)],
                            lambda d, loc, m: _mvn(d, loc, m, kind).entropy()),
        f"{kind} variance": (lambda r: [r.standard_normal(3), make(r, (2,), 3)],
                             lambda d, loc, m: _mvn(d, loc, m, kind).variance),
        f"{kind} covariance": (lambda r: [r.standard_normal(3), make(r, (), 3)],
                               lambda d, loc, m: _mvn(d, loc, m, kind).covariance_matrix),
        f"{kind} precision": (lambda r: [r.standard_normal(3), make(r, (), 3)],
                              lambda d, loc, m: _mvn(d, loc, m, kind).precision_matrix),
        f"{kind} kl": (lambda r: [r.standard_normal((2, 3)), make(r, (2,), 3), r.standard_normal(3), spd(r, (), 3)],
                       lambda d, a, m, b, s: d.kl_divergence(_mvn(d, a, m, kind),
                                                             d.MultivariateNormal(b, covariance_matrix=s))),
    }


CASES = {**_cases("covariance_matrix", spd), **_cases("precision_matrix", spd), **_cases("scale_tril", lower),
         "scale_tril from covariance": (lambda r: [r.standard_normal(3), spd(r, (2,), 3)],
                                        lambda d, loc, s: d.MultivariateNormal(loc, s).scale_tril),
         "mean": (lambda r: [r.standard_normal((2, 3)), spd(r, (), 3)],
                  lambda d, loc, s: d.MultivariateNormal(loc, s).mean)}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pytorch(name, rng):
    check_cases(CASES, name, rng, TOL)


def test_numerical_gradients(rng):
    loc, tril, x = leaves(rng.standard_normal(3), lower(rng, (), 3), rng.standard_normal((2, 3)))
    def mvn(a, l):            # the checks perturb the upper triangle too, which validation would refuse
        return D.MultivariateNormal(a, scale_tril=l, validate_args=False)

    assert fg.gradcheck(lambda a, l, v: mvn(a, l).log_prob(v), [loc, tril, x])
    assert gradcheck_seeded(lambda a, l: mvn(a, l).rsample((4,)), [loc, tril])
    (cov,) = leaves(spd(rng, (), 3))
    symmetric = lambda c: (c + c.mT) / 2      # noqa: E731  (perturbations keep the matrix symmetric)
    assert fg.gradcheck(lambda a, c: D.MultivariateNormal(a, symmetric(c)).log_prob(x.detach()), [loc, cov])


def test_sample_moments_and_shapes(rng):
    torch = pytest.importorskip("torch")
    loc, cov = np.array([1.0, -2.0, 0.5]), spd(rng, (), 3)
    fg.manual_seed(0)
    samples = D.MultivariateNormal(fg.tensor(loc), fg.tensor(cov)).sample((20000,)).numpy()
    assert_moments(samples, loc, np.diag(cov))
    u = np.array([1.0, -1.0, 2.0])                      # a projection checks the off-diagonal covariance too
    assert_moments(samples @ u, loc @ u, u @ cov @ u)
    mine = D.MultivariateNormal(fg.tensor(np.zeros((2, 3))), fg.tensor(cov))
    assert_shapes_match(mine, torch.distributions.MultivariateNormal(torch.zeros(2, 3, dtype=torch.float64),
                                                                     torch.tensor(cov)))


@pytest.mark.parametrize("call, words", [
    (lambda: D.MultivariateNormal(fg.zeros(2)), "exactly one of"),
    (lambda: D.MultivariateNormal(fg.zeros(2), fg.eye(2), scale_tril=fg.eye(2)), "exactly one of"),
    (lambda: D.MultivariateNormal(fg.tensor(0.0), fg.eye(2)), "MultivariateNormal: `loc`.*one-dimensional"),
    (lambda: D.MultivariateNormal(fg.zeros(2), fg.ones(2)), "MultivariateNormal: `covariance_matrix`.*2-dimensional"),
    (lambda: D.MultivariateNormal(fg.zeros(3), fg.eye(2)), "MultivariateNormal: `covariance_matrix` must have shape"),
    (lambda: D.MultivariateNormal(fg.zeros(2), fg.tensor([[1.0, 2.0], [2.0, 1.0]])), "covariance_matrix.*Multivariate"),
    (lambda: D.MultivariateNormal(fg.zeros(2), fg.tensor([[1.0, 0.5], [0.0, 1.0]])), "covariance_matrix.*Multivariate"),
    (lambda: D.MultivariateNormal(fg.zeros(2), precision_matrix=-fg.eye(2)), "precision_matrix.*Multivariate"),
    (lambda: D.MultivariateNormal(fg.zeros(2), scale_tril=fg.tensor([[1.0, 1.0], [0.0, 1.0]])), "scale_tril"),
    (lambda: D.MultivariateNormal(fg.zeros(2), scale_tril=fg.tensor([[1.0, 0.0], [1.0, -1.0]])), "scale_tril"),
    (lambda: D.MultivariateNormal(fg.zeros(2), fg.eye(2)).log_prob(fg.zeros(3)), "event_shape"),
    (lambda: D.kl_divergence(D.MultivariateNormal(fg.zeros(2), fg.eye(2)), D.MultivariateNormal(fg.zeros(3), fg.eye(3))),
     "event shapes"),
])
def test_bad_arguments(call, words):
    with pytest.raises(ValueError, match=words):
        call()
