"""Gamma against torch.distributions.Gamma (float64 values and gradients), numerical gradients of
log_prob, sample moments, shapes and argument validation (rsample: test_gamma_rsample.py)."""
import numpy as np
import pytest

import fastgrad as fg
from distribution_parity import (TRIGAMMA_TOL, assert_moments, assert_shapes_match, check_cases, leaves, positive,
                                 summary_cases)
from fastgrad import distributions as D

pytest.importorskip("scipy")   # lgamma and digamma


CASES = {
    "log_prob": (lambda r: [positive(r, (3, 1)), positive(r, 4), positive(r, (2, 3, 4))],
                 lambda d, c, rate, x: d.Gamma(c, rate).log_prob(x)),
    "mode": (lambda r: [r.uniform(0.5, 3.0, 6), positive(r, 6)], lambda d, c, rate: d.Gamma(c, rate).mode),
    "kl Gamma": (lambda r: [positive(r, (2, 3)), positive(r, (2, 3)), positive(r, 3), positive(r, 3)],
                 lambda d, a, b, c, e: d.kl_divergence(d.Gamma(a, b), d.Gamma(c, e))),
    "kl Exponential to Gamma": (lambda r: [positive(r, 3), positive(r, 3), positive(r, 3)],
                                lambda d, a, c, e: d.kl_divergence(d.Exponential(a), d.Gamma(c, e))),
    "kl Gamma to Exponential": (lambda r: [positive(r, 3), positive(r, 3), positive(r, 3)],
                                lambda d, a, b, c: d.kl_divergence(d.Gamma(a, b), d.Exponential(c))),
    "kl Gamma to Normal": (lambda r: [positive(r, 3), positive(r, 3), r.standard_normal(3), positive(r, 3)],
                           lambda d, a, b, c, e: d.kl_divergence(d.Gamma(a, b), d.Normal(c, e))),
    "kl Gamma to Uniform": (lambda r: [positive(r, 3), positive(r, 3), np.zeros(3), np.ones(3)],
                            lambda d, a, b, c, e: d.kl_divergence(d.Gamma(a, b), d.Uniform(c, e))),
    "kl Normal to Gamma": (lambda r: [r.standard_normal(3), positive(r, 3), positive(r, 3), positive(r, 3)],
                           lambda d, a, b, c, e: d.kl_divergence(d.Normal(a, b), d.Gamma(c, e))),
    "kl Uniform to Gamma": (lambda r: [np.array([-0.5, 0.0, 0.3, 1.0]), np.array([1.0, 2.0, 0.9, 3.0]), positive(r, 4),
                                       positive(r, 4)],
                            lambda d, a, b, c, rate: d.kl_divergence(d.Uniform(a, b), d.Gamma(c, rate))),
    **summary_cases("Gamma", lambda r: [positive(r, (2, 3)), positive(r, 3)], lambda d, c, r: d.Gamma(c, r)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pytorch(name, rng):
    check_cases(CASES, name, rng, TRIGAMMA_TOL)


def test_numerical_gradients(rng):
    c, r, x = leaves(positive(rng, 3), positive(rng, 3), positive(rng, (2, 3)))
    assert fg.gradcheck(lambda a, b, v: D.Gamma(a, b).log_prob(v), [c, r, x])
    assert fg.gradcheck(lambda a, b: D.Gamma(a, b).entropy(), [c, r])


def test_sample_moments_and_shapes():
    torch = pytest.importorskip("torch")
    c, r = np.array([0.5, 2.0, 7.0]), np.array([1.0, 3.0, 0.5])
    fg.manual_seed(0)
    samples = D.Gamma(fg.tensor(c), fg.tensor(r)).sample((20000,)).numpy()
    assert samples.min() > 0
    assert_moments(samples, c / r, c / r ** 2)
    assert_shapes_match(D.Gamma(fg.tensor(c), 1.0), torch.distributions.Gamma(torch.tensor(c), 1.0))
    assert D.Gamma(fg.tensor(1e-3), 1.0).sample((1000,)).numpy().min() > 0      # tiny draws stay positive


@pytest.mark.parametrize("call, words", [
    (lambda: D.Gamma(-1.0, 1.0), "Gamma.*concentration"),
    (lambda: D.Gamma(1.0, fg.tensor([1.0, 0.0])), "Gamma.*rate"),
    (lambda: D.Gamma(1.0, 1.0).log_prob(fg.tensor(-0.5)), "support"),
])
def test_bad_arguments(call, words):
    with pytest.raises(ValueError, match=words):
        call()
