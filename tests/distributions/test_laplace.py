"""Laplace against torch.distributions.Laplace (float64 values and gradients), numerical gradients
of log_prob and rsample, sample moments, shapes and argument validation."""
import numpy as np
import pytest

import fastgrad as fg
from distribution_parity import (assert_moments, assert_shapes_match, check_cases, gradcheck_log_prob_and_rsample,
                                 positive, summary_cases)
from fastgrad import distributions as D

CASES = {
    "log_prob": (lambda r: [r.standard_normal((3, 1)), positive(r, 4), r.standard_normal((2, 3, 4))],
                 lambda d, loc, scale, x: d.Laplace(loc, scale).log_prob(x)),
    "cdf": (lambda r: [r.standard_normal(4), positive(r, 4), r.standard_normal((3, 4))],
            lambda d, loc, scale, x: d.Laplace(loc, scale).cdf(x)),
    "icdf": (lambda r: [r.standard_normal(4), positive(r, 4), r.uniform(0.01, 0.99, (3, 4))],
             lambda d, loc, scale, u: d.Laplace(loc, scale).icdf(u)),
    "kl Laplace": (lambda r: [r.standard_normal((2, 3)), positive(r, (2, 3)), r.standard_normal(3), positive(r, 3)],
                   lambda d, a, b, c, e: d.kl_divergence(d.Laplace(a, b), d.Laplace(c, e))),
    "kl Normal": (lambda r: [r.standard_normal(3), positive(r, 3), r.standard_normal(3), positive(r, 3)],
                  lambda d, a, b, c, e: d.kl_divergence(d.Laplace(a, b), d.Normal(c, e))),
    "kl from Normal": (lambda r: [r.standard_normal(3), positive(r, 3), r.standard_normal(3), positive(r, 3)],
                       lambda d, a, b, c, e: d.kl_divergence(d.Normal(a, b), d.Laplace(c, e))),
    **summary_cases("Laplace", lambda r: [r.standard_normal((2, 3)), positive(r, 3)], lambda d, loc, scale: d.Laplace(loc, scale)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pytorch(name, rng):
    check_cases(CASES, name, rng)


def test_numerical_gradients(rng):
    gradcheck_log_prob_and_rsample(D.Laplace, [rng.standard_normal(3), positive(rng, 3)], rng.standard_normal((2, 3)))


def test_sample_moments_and_shapes():
    torch = pytest.importorskip("torch")
    loc, scale = np.array([-1.0, 0.0, 3.0]), np.array([0.5, 1.0, 2.0])
    fg.manual_seed(0)
    samples = D.Laplace(fg.tensor(loc), fg.tensor(scale)).sample((20000,)).numpy()
    assert_moments(samples, loc, 2 * scale ** 2)
    assert_shapes_match(D.Laplace(fg.tensor(loc), 1.0), torch.distributions.Laplace(torch.tensor(loc), 1.0))


@pytest.mark.parametrize("call, words", [
    (lambda: D.Laplace(0.0, -1.0), "Laplace.*scale"),
    (lambda: D.Laplace(fg.tensor([float("nan")]), 1.0), "Laplace.*loc"),
])
def test_bad_arguments(call, words):
    with pytest.raises(ValueError, match=words):
        call()
