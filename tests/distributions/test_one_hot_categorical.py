"""OneHotCategorical against torch.distributions.OneHotCategorical (float64 values and gradients),
numerical gradients, sample frequencies, shapes, enumerate_support and argument validation."""
import numpy as np
import pytest

import fastgrad as fg
from distribution_parity import assert_moments, assert_shapes_match, check_cases, leaves, positive, summary_cases
from fastgrad import distributions as D


def _one_hot(rng, shape, k):
    return np.eye(k)[rng.integers(0, k, shape)]


CASES = {
    "log_prob probs": (lambda r: [positive(r, (3, 4)), _one_hot(r, (2, 3), 4)],
                       lambda d, p, x: d.OneHotCategorical(probs=p).log_prob(x)),
    "log_prob logits": (lambda r: [r.standard_normal(5), _one_hot(r, (3,), 5)],
                        lambda d, l, x: d.OneHotCategorical(logits=l).log_prob(x)),
    "mode": (lambda r: [r.standard_normal((3, 4))], lambda d, l: d.OneHotCategorical(logits=l).mode),
    "kl OneHotCategorical": (lambda r: [positive(r, (2, 4)), r.standard_normal(4)],
                             lambda d, p, l: d.kl_divergence(d.OneHotCategorical(p), d.OneHotCategorical(logits=l))),
    **summary_cases("OneHotCategorical", lambda r: [r.standard_normal((2, 3))],
                    lambda d, l: d.OneHotCategorical(logits=l)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pytorch(name, rng):
    check_cases(CASES, name, rng)


def test_numerical_gradients(rng):
    logits, probs = leaves(rng.standard_normal((2, 4)), positive(rng, (2, 4)))
    x = fg.tensor(_one_hot(rng, (2,), 4))
    assert fg.gradcheck(lambda l: D.OneHotCategorical(logits=l).log_prob(x), [logits])
    assert fg.gradcheck(lambda p: D.OneHotCategorical(probs=p).entropy(), [probs])


def test_sample_frequencies_shapes_and_support():
    torch = pytest.importorskip("torch")
    probs = np.array([[0.1, 0.0, 0.6, 0.3], [0.25, 0.25, 0.25, 0.25]])
    fg.manual_seed(0)
    samples = D.OneHotCategorical(fg.tensor(probs)).sample((20000,)).numpy()
    assert samples.dtype == np.float64 and np.all(samples.sum(-1) == 1)
    assert_moments(samples[:, 1:], probs[1:], probs[1:] * (1 - probs[1:]))
    assert not np.any(samples[:, 0, 1])                                # a zero-probability class never comes up
    mine, theirs = D.OneHotCategorical(fg.tensor(probs)), torch.distributions.OneHotCategorical(torch.tensor(probs))
    assert_shapes_match(mine, theirs)
    for expand in (True, False):
        np.testing.assert_array_equal(mine.enumerate_support(expand).numpy(), theirs.enumerate_support(expand))


@pytest.mark.parametrize("call, words", [
    (lambda: D.OneHotCategorical(probs=fg.tensor([0.5, -0.1])), "probs.*OneHotCategorical"),
    (lambda: D.OneHotCategorical(logits=fg.tensor(0.0)), "OneHotCategorical.*logits.*one-dimensional"),
    (lambda: D.OneHotCategorical(), "OneHotCategorical: either"),
    (lambda: D.OneHotCategorical(logits=fg.zeros(3)).log_prob(fg.tensor([1.0, 1.0, 0.0])), "support"),
])
def test_bad_arguments(call, words):
    with pytest.raises(ValueError, match=words):
        call()
