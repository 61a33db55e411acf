"""LogNormal against torch.distributions.LogNormal (float64 values and gradients), numerical
gradients of log_prob and rsample, sample moments, shapes and argument validation."""
import numpy as np
import pytest

import fastgrad as fg
from distribution_parity import (assert_moments, assert_shapes_match, check_cases, gradcheck_log_prob_and_rsample,
                                 positive, summary_cases)
from fastgrad import distributions as D

CASES = {
    "log_prob": (lambda r: [r.standard_normal((3, 1)), positive(r, 4), positive(r, (2, 3, 4))],
                 lambda d, loc, scale, x: d.LogNormal(loc, scale).log_prob(x)),
    "cdf": (lambda r: [r.standard_normal(4), positive(r, 4), positive(r, (3, 4))],
            lambda d, loc, scale, x: d.LogNormal(loc, scale).cdf(x)),
    "mode": (lambda r: [r.standard_normal(4), positive(r, 4)], lambda d, loc, scale: d.LogNormal(loc, scale).mode),
    "kl LogNormal": (lambda r: [r.standard_normal((2, 3)), positive(r, (2, 3)), r.standard_normal(3), positive(r, 3)],
                     lambda d, a, b, c, e: d.kl_divergence(d.LogNormal(a, b), d.LogNormal(c, e))),
    **summary_cases("LogNormal", lambda r: [r.standard_normal((2, 3)), positive(r, 3) / 2],
                    lambda d, loc, scale: d.LogNormal(loc, scale)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pytorch(name, rng):
    check_cases(CASES, name, rng)


def test_icdf_matches_pytorch(rng):
    pytest.importorskip("scipy")   # erfinv
    check_cases({"icdf": (lambda r: [r.standard_normal(4), positive(r, 4), r.uniform(0.02, 0.98, (3, 4))],
                          lambda d, loc, scale, u: d.LogNormal(loc, scale).icdf(u))}, "icdf", rng,
                dict(rtol=1e-9, atol=1e-12))


def test_numerical_gradients(rng):
    gradcheck_log_prob_and_rsample(D.LogNormal, [rng.standard_normal(3), positive(rng, 3)], positive(rng, (2, 3)))


def test_sample_moments_and_shapes():
    torch = pytest.importorskip("torch")
    loc, scale = np.array([-1.0, 0.0, 1.0]), np.array([0.2, 0.5, 0.3])
    fg.manual_seed(0)
    samples = D.LogNormal(fg.tensor(loc), fg.tensor(scale)).sample((20000,)).numpy()
    assert samples.min() > 0
    assert_moments(samples, np.exp(loc + scale ** 2 / 2), np.expm1(scale ** 2) * np.exp(2 * loc + scale ** 2))
    assert_shapes_match(D.LogNormal(fg.tensor(loc), 1.0), torch.distributions.LogNormal(torch.tensor(loc), 1.0))


@pytest.mark.parametrize("call, words", [
    (lambda: D.LogNormal(0.0, -1.0), "LogNormal.*scale"),
    (lambda: D.LogNormal(0.0, 1.0).log_prob(fg.tensor(-1.0)), "support"),
])
def test_bad_arguments(call, words):
    with pytest.raises(ValueError, match=words):
        call()
