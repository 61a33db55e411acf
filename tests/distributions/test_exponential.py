"""Exponential against torch.distributions.Exponential (float64 values and gradients), numerical
gradients of log_prob and rsample, sample moments, shapes and argument validation."""
import numpy as np
import pytest

import fastgrad as fg
from distribution_parity import (assert_moments, assert_shapes_match, check_cases, gradcheck_log_prob_and_rsample,
                                 positive, summary_cases)
from fastgrad import distributions as D

CASES = {
    "log_prob": (lambda r: [positive(r, (3, 1)), positive(r, (2, 3, 4))], lambda d, rate, x: d.Exponential(rate).log_prob(x)),
    "cdf": (lambda r: [positive(r, 4), positive(r, (3, 4))], lambda d, rate, x: d.Exponential(rate).cdf(x)),
    "icdf": (lambda r: [positive(r, 4), r.uniform(0.01, 0.99, (3, 4))], lambda d, rate, u: d.Exponential(rate).icdf(u)),
    "kl Exponential": (lambda r: [positive(r, (2, 3)), positive(r, 3)],
                       lambda d, a, b: d.kl_divergence(d.Exponential(a), d.Exponential(b))),
    "kl Normal": (lambda r: [positive(r, (2, 3)), r.standard_normal(3), positive(r, 3)],
                  lambda d, a, loc, scale: d.kl_divergence(d.Exponential(a), d.Normal(loc, scale))),
    "kl from Uniform": (lambda r: [np.array([-0.5, 0.0, 0.3, 1.0]), np.array([1.0, 2.0, 0.9, 3.0]), positive(r, 4)],
                        lambda d, a, b, rate: d.kl_divergence(d.Uniform(a, b), d.Exponential(rate))),
    **summary_cases("Exponential", lambda r: [positive(r, (2, 3))], lambda d, rate: d.Exponential(rate)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pytorch(name, rng):
    check_cases(CASES, name, rng)


def test_numerical_gradients(rng):
    gradcheck_log_prob_and_rsample(D.Exponential, [positive(rng, 3)], positive(rng, (2, 3)))


def test_sample_moments_and_shapes():
    torch = pytest.importorskip("torch")
    rate = np.array([0.5, 1.0, 4.0])
    fg.manual_seed(0)
    samples = D.Exponential(fg.tensor(rate)).sample((20000,)).numpy()
    assert samples.min() >= 0
    assert_moments(samples, 1 / rate, 1 / rate ** 2)
    assert_shapes_match(D.Exponential(fg.tensor(rate)), torch.distributions.Exponential(torch.tensor(rate)))
    assert D.Exponential(2.0).batch_shape == () and D.Exponential(2.0).has_rsample


@pytest.mark.parametrize("call, words", [
    (lambda: D.Exponential(fg.tensor([1.0, -1.0])), "Exponential.*rate"),
    (lambda: D.Exponential(0.0), "Exponential.*rate"),
    (lambda: D.Exponential(1.0).log_prob(fg.tensor(-1.0)), "support"),
])
def test_bad_arguments(call, words):
    with pytest.raises(ValueError, match=words):
        call()
