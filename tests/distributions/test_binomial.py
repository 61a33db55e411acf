"""Binomial against torch.distributions.Binomial (float64 values and gradients, probs and logits),
numerical gradients of log_prob, sample moments, shapes and argument validation."""
import numpy as np
import pytest

import fastgrad as fg
from distribution_parity import assert_moments, assert_shapes_match, check_cases, leaves, probabilities
from fastgrad import distributions as D

pytest.importorskip("scipy")   # lgamma


def _counts(rng, shape):
    return rng.integers(0, 6, shape).astype(float)


CASES = {
    "log_prob probs": (lambda r: [np.array([[5.0], [7.0], [9.0]]), probabilities(r, 4), _counts(r, (2, 3, 4))],
                       lambda d, n, p, k: d.Binomial(n, p).log_prob(k)),
    "log_prob logits": (lambda r: [r.standard_normal((3, 4)) * 3, _counts(r, (3, 4))],
                        lambda d, l, k: d.Binomial(8, logits=l).log_prob(k)),
    "entropy probs": (lambda r: [probabilities(r, (2, 3))], lambda d, p: d.Binomial(6, p).entropy()),
    "entropy logits": (lambda r: [r.standard_normal(5) * 2], lambda d, l: d.Binomial(4, logits=l).entropy()),
    "mean": (lambda r: [probabilities(r, 4)], lambda d, p: d.Binomial(7, p).mean),
    "variance": (lambda r: [probabilities(r, 4)], lambda d, p: d.Binomial(7, p).variance),
    "stddev": (lambda r: [probabilities(r, 4)], lambda d, p: d.Binomial(7, p).stddev),
    "mode": (lambda r: [np.array([3.0, 4.0, 10.0, 2.0]), probabilities(r, 4)], lambda d, n, p: d.Binomial(n, p).mode),
    "logits from probs": (lambda r: [probabilities(r, 4)], lambda d, p: d.Binomial(3, p).logits),
    "kl Binomial": (lambda r: [probabilities(r, (2, 3)), probabilities(r, 3)],
                    lambda d, p, q: d.kl_divergence(d.Binomial(5, p), d.Binomial(5, q))),
    "kl Binomial more trials": (lambda r: [np.array([5, 6, 5]), probabilities(r, 3), probabilities(r, 3)],
                                lambda d, n, p, q: d.kl_divergence(d.Binomial(n, p), d.Binomial(5, q))),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pytorch(name, rng):
    check_cases(CASES, name, rng)


def test_numerical_gradients(rng):
    (p,) = leaves(probabilities(rng, 3))
    k = fg.tensor(_counts(rng, (2, 3)))
    assert fg.gradcheck(lambda q: D.Binomial(6, q).log_prob(k), [p])
    assert fg.gradcheck(lambda q: D.Binomial(4, logits=q).entropy(), [p])


def test_sample_moments_shapes_and_support():
    torch = pytest.importorskip("torch")
    n, p = np.array([1.0, 10.0, 40.0]), np.array([0.3, 0.5, 0.9])
    fg.manual_seed(0)
    samples = D.Binomial(fg.tensor(n), fg.tensor(p)).sample((20000,)).numpy()
    assert np.all(samples == np.round(samples)) and samples.min() >= 0 and np.all(samples <= n)
    assert_moments(samples, n * p, n * p * (1 - p))
    assert_shapes_match(D.Binomial(10, fg.tensor(p)), torch.distributions.Binomial(10, torch.tensor(p)))
    for expand in (True, False):
        np.testing.assert_array_equal(D.Binomial(3, fg.tensor(p)).enumerate_support(expand).numpy(),
                                      torch.distributions.Binomial(3, torch.tensor(p)).enumerate_support(expand))


@pytest.mark.parametrize("call, error, words", [
    (lambda: D.Binomial(5), ValueError, "Binomial: either `probs` or `logits`"),
    (lambda: D.Binomial(-1, 0.5), ValueError, "Binomial.*total_count"),
    (lambda: D.Binomial(2.5, 0.5), ValueError, "Binomial.*total_count"),
    (lambda: D.Binomial(5, 1.5), ValueError, "Binomial.*probs"),
    (lambda: D.Binomial(3, 0.5).log_prob(fg.tensor(4.0)), ValueError, "support"),
    (lambda: D.Binomial(fg.tensor([2.0, 3.0]), 0.5).entropy(), NotImplementedError, "total_count differs"),
    (lambda: D.kl_divergence(D.Binomial(2, 0.5), D.Binomial(3, 0.5)), NotImplementedError, "total_count"),
])
def test_bad_arguments(call, error, words):
    with pytest.raises(error, match=words):
        call()
