"""LowRankMultivariateNormal against torch.distributions.LowRankMultivariateNormal (float64 values
and gradients of log_prob, entropy, variance, scale_tril, covariance and precision matrices, and
the KL pairs with itself and MultivariateNormal), numerical gradients of log_prob and rsample,
sample moments, shapes, expand and argument validation."""
import numpy as np
import pytest

import fastgrad as fg
from distribution_parity import assert_moments, assert_shapes_match, check_cases, gradcheck_seeded, leaves, positive
from fastgrad import distributions as D

TOL = dict(rtol=1e-9, atol=1e-11)     # Cholesky factorizations and triangular solves on the way


def lower(r, shape, n):
    """Lower-triangular factors with a positive diagonal, of shape shape + (n, n)."""
    return np.tril(r.standard_normal(shape + (n, n)) * 0.3, -1) + np.eye(n) * positive(r, shape + (n,))[..., None, :]


def _params(r, loc_shape=(2, 4), factor_shape=(4, 2), diag_shape=(4,)):
    return [r.standard_normal(loc_shape), r.standard_normal(factor_shape) * 0.7, positive(r, diag_shape)]


def _lowrank(d, loc, factor, diag):
    return d.LowRankMultivariateNormal(loc, factor, diag)


def _mvn(d, loc, tril):
    return d.MultivariateNormal(loc, scale_tril=tril.tril())


CASES = {
    "log_prob": (lambda r: _params(r) + [r.standard_normal((3, 2, 4))],
                 lambda d, *a: _lowrank(d, *a[:3]).log_prob(a[3])),
    "log_prob batched factor": (lambda r: _params(r, (4,), (2, 4, 3), (2, 4)) + [r.standard_normal((5, 2, 4))],
                                lambda d, *a: _lowrank(d, *a[:3]).log_prob(a[3])),
    "entropy": (lambda r: _params(r, (4,), (3, 4, 2), (4,)), lambda d, *a: _lowrank(d, *a).entropy()),
    "variance": (_params, lambda d, *a: _lowrank(d, *a).variance),
    "scale_tril": (_params, lambda d, *a: _lowrank(d, *a).scale_tril),
    "covariance_matrix": (_params, lambda d, *a: _lowrank(d, *a).covariance_matrix),
    "precision_matrix": (_params, lambda d, *a: _lowrank(d, *a).precision_matrix),
    "mean and mode": (_params, lambda d, *a: _lowrank(d, *a).mean + 2 * _lowrank(d, *a).mode),
    "kl LowRank LowRank": (lambda r: _params(r) + _params(r, (4,), (4, 3), (2, 4)),
                           lambda d, *a: d.kl_divergence(_lowrank(d, *a[:3]), _lowrank(d, *a[3:]))),
    "kl MultivariateNormal LowRank": (lambda r: [r.standard_normal(4), lower(r, (), 4)] + _params(r),
                                      lambda d, *a: d.kl_divergence(_mvn(d, *a[:2]), _lowrank(d, *a[2:]))),
    "kl LowRank MultivariateNormal": (lambda r: _params(r) + [r.standard_normal(4), lower(r, (2,), 4)],
                                      lambda d, *a: d.kl_divergence(_lowrank(d, *a[:3]), _mvn(d, *a[3:]))),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pytorch(name, rng):
    check_cases(CASES, name, rng, TOL)


def test_numerical_gradients(rng):
    params = leaves(*_params(rng))
    (value,) = leaves(rng.standard_normal((3, 2, 4)))
    assert fg.gradcheck(lambda *a: _lowrank(D, *a[:3]).log_prob(a[3]), params + [value])
    assert gradcheck_seeded(lambda *a: _lowrank(D, *a).rsample((3,)), params)


def test_sample_moments_shapes_and_expand(rng):
    torch = pytest.importorskip("torch")
    loc, factor, diag = np.array([1.0, -2.0, 0.5]), np.array([[1.0, 0.5], [-0.5, 1.0], [0.3, 0.0]]), np.array([0.2, 0.5, 1.0])
    mine = D.LowRankMultivariateNormal(fg.tensor(loc), fg.tensor(factor), fg.tensor(diag))
    theirs = torch.distributions.LowRankMultivariateNormal(torch.tensor(loc), torch.tensor(factor), torch.tensor(diag))
    fg.manual_seed(0)
    samples = mine.sample((40000,)).numpy()
    covariance = factor @ factor.T + np.diag(diag)
    assert_moments(samples, loc, np.diag(covariance))
    u = samples[:, 0] + samples[:, 1]                                    # checks an off-diagonal entry
    assert_moments(u[:, None], [loc[0] + loc[1]], [covariance[0, 0] + covariance[1, 1] + 2 * covariance[0, 1]])
    assert_shapes_match(mine, theirs)
    wide, wide_theirs = mine.expand((2, 5)), theirs.expand((2, 5))
    assert wide.batch_shape == tuple(wide_theirs.batch_shape) and wide.event_shape == tuple(wide_theirs.event_shape)
    value = wide_theirs.sample()
    np.testing.assert_allclose(wide.log_prob(fg.tensor(value.numpy())).numpy(), wide_theirs.log_prob(value).numpy(),
                               rtol=1e-9)


@pytest.mark.parametrize("call, words", [
    (lambda: D.LowRankMultivariateNormal(fg.tensor(0.0), fg.ones(1, 1), fg.ones(1)), "loc.*one-dimensional"),
    (lambda: D.LowRankMultivariateNormal(fg.zeros(3), fg.ones(3), fg.ones(3)), "cov_factor.*2-dimensional"),
    (lambda: D.LowRankMultivariateNormal(fg.zeros(3), fg.ones(2, 1), fg.ones(3)), "cov_factor must be a batch of 3"),
    (lambda: D.LowRankMultivariateNormal(fg.zeros(3), fg.ones(3, 1), fg.ones(2)), "cov_diag must be a batch"),
    (lambda: D.LowRankMultivariateNormal(fg.zeros(2, 3), fg.ones(4, 3, 1), fg.ones(3)), "incompatible batch shapes"),
    (lambda: D.LowRankMultivariateNormal(fg.zeros(3), fg.ones(3, 1), fg.tensor([1.0, 0.0, 1.0])), "cov_diag"),
    (lambda: D.kl_divergence(D.LowRankMultivariateNormal(fg.zeros(3), fg.ones(3, 1), fg.ones(3)),
                             D.LowRankMultivariateNormal(fg.zeros(2), fg.ones(2, 1), fg.ones(2))), "event shapes"),
])
def test_bad_arguments(call, words):
    with pytest.raises(ValueError, match=words):
        call()
