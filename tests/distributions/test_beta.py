"""Beta against torch.distributions.Beta (float64 values and gradients), numerical gradients of
log_prob, sample moments, shapes and argument validation (rsample: test_gamma_rsample.py)."""
import numpy as np
import pytest

import fastgrad as fg
from distribution_parity import (TRIGAMMA_TOL, assert_moments, assert_shapes_match, check_cases, leaves, positive,
                                 summary_cases)
from fastgrad import distributions as D

pytest.importorskip("scipy")   # lgamma and digamma


CASES = {
    "log_prob": (lambda r: [positive(r, (3, 1)), positive(r, 4), r.uniform(0.01, 0.99, (2, 3, 4))],
                 lambda d, a, b, x: d.Beta(a, b).log_prob(x)),
    "mode": (lambda r: [np.array([1.5, 2.0, 0.5, 3.0, 1.0]), np.array([2.5, 1.0, 2.0, 0.7, 1.0])],
             lambda d, a, b: d.Beta(a, b).mode),
    "kl Beta": (lambda r: [positive(r, (2, 3)), positive(r, (2, 3)), positive(r, 3), positive(r, 3)],
                lambda d, a, b, c, e: d.kl_divergence(d.Beta(a, b), d.Beta(c, e))),
    "kl Beta to Gamma": (lambda r: [positive(r, 3), positive(r, 3), positive(r, 3), positive(r, 3)],
                         lambda d, a, b, c, e: d.kl_divergence(d.Beta(a, b), d.Gamma(c, e))),
    "kl Beta to Exponential": (lambda r: [positive(r, 3), positive(r, 3), positive(r, 3)],
                               lambda d, a, b, c: d.kl_divergence(d.Beta(a, b), d.Exponential(c))),
    "kl Beta to Normal": (lambda r: [positive(r, 3), positive(r, 3), r.standard_normal(3), positive(r, 3)],
                          lambda d, a, b, c, e: d.kl_divergence(d.Beta(a, b), d.Normal(c, e))),
    "kl Beta to Uniform": (lambda r: [positive(r, 4), positive(r, 4), np.array([-1.0, 0.0, 0.2, -0.5]),
                                      np.array([2.0, 1.0, 1.0, 0.9])],
                           lambda d, a, b, c, e: d.kl_divergence(d.Beta(a, b), d.Uniform(c, e))),
    "kl Exponential to Beta": (lambda r: [positive(r, 3), positive(r, 3), positive(r, 3)],
                               lambda d, a, c, e: d.kl_divergence(d.Exponential(a), d.Beta(c, e))),
    "kl Uniform to Beta": (lambda r: [np.array([-0.5, 0.0, 0.3, 0.1, 0.2]), np.array([0.5, 1.0, 0.9, 1.2, 0.4]),
                                      positive(r, 5), positive(r, 5)],
                           lambda d, a, b, c, e: d.kl_divergence(d.Uniform(a, b), d.Beta(c, e))),
    **summary_cases("Beta", lambda r: [positive(r, (2, 3)), positive(r, 3)], lambda d, a, b: d.Beta(a, b)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pytorch(name, rng):
    check_cases(CASES, name, rng, TRIGAMMA_TOL)


def test_numerical_gradients(rng):
    a, b, x = leaves(positive(rng, 3), positive(rng, 3), rng.uniform(0.1, 0.9, (2, 3)))
    assert fg.gradcheck(lambda p, q, v: D.Beta(p, q).log_prob(v), [a, b, x])
    assert fg.gradcheck(lambda p, q: D.kl_divergence(D.Beta(p, q), D.Beta(q, p + 1)), [a, b])


def test_sample_moments_and_shapes():
    torch = pytest.importorskip("torch")
    a, b = np.array([0.5, 2.0, 7.0]), np.array([1.0, 3.0, 0.5])
    fg.manual_seed(0)
    samples = D.Beta(fg.tensor(a), fg.tensor(b)).sample((20000,)).numpy()
    assert samples.min() >= 0 and samples.max() <= 1
    total = a + b
    assert_moments(samples, a / total, a * b / (total ** 2 * (total + 1)))
    assert_shapes_match(D.Beta(fg.tensor(a), 1.0), torch.distributions.Beta(torch.tensor(a), 1.0))


@pytest.mark.parametrize("call, words", [
    (lambda: D.Beta(0.0, 1.0), "Beta.*concentration1"),
    (lambda: D.Beta(1.0, fg.tensor([1.0, -2.0])), "Beta.*concentration0"),
    (lambda: D.Beta(1.0, 1.0).log_prob(fg.tensor(1.5)), "support"),
])
def test_bad_arguments(call, words):
    with pytest.raises(ValueError, match=words):
        call()
