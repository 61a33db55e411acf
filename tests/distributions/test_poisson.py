"""Poisson against torch.distributions.Poisson (float64 values and gradients), numerical gradients
of log_prob, sample moments, shapes and argument validation."""
import numpy as np
import pytest

import fastgrad as fg
from distribution_parity import assert_moments, assert_shapes_match, check_cases, leaves, positive, probabilities
from fastgrad import distributions as D

pytest.importorskip("scipy")   # lgamma

CASES = {
    "log_prob": (lambda r: [positive(r, (3, 1)) * 3, r.integers(0, 8, (2, 3, 4)).astype(float)],
                 lambda d, rate, k: d.Poisson(rate).log_prob(k)),
    "mean": (lambda r: [positive(r, 4) * 3], lambda d, rate: d.Poisson(rate).mean),
    "variance": (lambda r: [positive(r, 4) * 3], lambda d, rate: d.Poisson(rate).variance),
    "mode": (lambda r: [positive(r, 4) * 3], lambda d, rate: d.Poisson(rate).mode),
    "kl Poisson": (lambda r: [positive(r, (2, 3)), positive(r, 3)],
                   lambda d, a, b: d.kl_divergence(d.Poisson(a), d.Poisson(b))),
    "kl Bernoulli to Poisson": (lambda r: [probabilities(r, (2, 3)), positive(r, 3)],
                                lambda d, p, rate: d.kl_divergence(d.Bernoulli(p), d.Poisson(rate))),
    "kl Poisson to Bernoulli": (lambda r: [positive(r, 3), probabilities(r, 3)],
                                lambda d, rate, p: d.kl_divergence(d.Poisson(rate), d.Bernoulli(p))),
    "kl Poisson to Binomial": (lambda r: [positive(r, 3), probabilities(r, 3)],
                               lambda d, rate, p: d.kl_divergence(d.Poisson(rate), d.Binomial(4, p))),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pytorch(name, rng):
    check_cases(CASES, name, rng)


def test_numerical_gradients(rng):
    rate = leaves(positive(rng, 3))
    k = fg.tensor(rng.integers(0, 5, (2, 3)).astype(float))
    assert fg.gradcheck(lambda r: D.Poisson(r).log_prob(k), rate)


def test_sample_moments_and_shapes():
    torch = pytest.importorskip("torch")
    rate = np.array([0.3, 2.0, 15.0])
    fg.manual_seed(0)
    samples = D.Poisson(fg.tensor(rate)).sample((20000,)).numpy()
    assert samples.dtype == np.float64 and np.all(samples == np.round(samples)) and samples.min() >= 0
    assert_moments(samples, rate, rate)
    assert_shapes_match(D.Poisson(fg.tensor(rate)), torch.distributions.Poisson(torch.tensor(rate)))
    with pytest.raises(NotImplementedError):
        D.Poisson(1.0).entropy()                      # as in PyTorch


@pytest.mark.parametrize("call, words", [
    (lambda: D.Poisson(-1.0), "Poisson.*rate"),
    (lambda: D.Poisson(1.0).log_prob(fg.tensor(1.5)), "support"),
    (lambda: D.Poisson(1.0).log_prob(fg.tensor(-1.0)), "support"),
])
def test_bad_arguments(call, words):
    with pytest.raises(ValueError, match=words):
        call()
