"""RelaxedBernoulli, LogitRelaxedBernoulli, RelaxedOneHotCategorical, ExpRelaxedCategorical and
Multinomial against torch.distributions (float64 values and gradients, temperature included),
numerical gradients of rsample, the laws of their samples, shapes, expand and validation."""
import numpy as np
import pytest

import fastgrad as fg
from distribution_parity import (TRIGAMMA_TOL, assert_moments, assert_shapes_match, check_cases, gradcheck_seeded,
                                 leaves, made_by_both, positive, probabilities)
from fastgrad import distributions as D


def _simplex(r, shape):
    x = positive(r, shape)
    return x / x.sum(-1, keepdims=True)


def _counts(r, shape, n):
    """Count vectors of total n along the last axis."""
    k = shape[-1]
    picks = r.integers(0, k, shape[:-1] + (n,))
    return (picks[..., None] == np.arange(k)).sum(-2).astype(float)


# name: (arrays(rng) -> [params..., value], make(d, *params))
LOG_PROB = {
    "RelaxedBernoulli probs": (lambda r: [np.array(0.7), probabilities(r, 3), r.uniform(0.05, 0.95, (4, 3))],
                               lambda d, t, p: d.RelaxedBernoulli(t, probs=p)),
    "RelaxedBernoulli logits": (lambda r: [positive(r, 3), r.standard_normal((2, 3)), r.uniform(0.05, 0.95, (2, 3))],
                                lambda d, t, l: d.RelaxedBernoulli(t, logits=l)),
    "LogitRelaxedBernoulli": (lambda r: [np.array(0.4), r.standard_normal(3), r.standard_normal((4, 3)) * 3],
                              lambda d, t, l: d.relaxed_bernoulli.LogitRelaxedBernoulli(t, logits=l)),
    "RelaxedOneHotCategorical probs": (lambda r: [np.array(0.6), _simplex(r, (2, 4)), _simplex(r, (3, 2, 4))],
                                       lambda d, t, p: d.RelaxedOneHotCategorical(t, probs=p)),
    "RelaxedOneHotCategorical logits": (lambda r: [np.array(1.3), r.standard_normal(4), _simplex(r, (3, 4))],
                                        lambda d, t, l: d.RelaxedOneHotCategorical(t, logits=l)),
    "ExpRelaxedCategorical": (lambda r: [np.array(0.5), r.standard_normal((2, 3)), np.log(_simplex(r, (2, 3)))],
                              lambda d, t, l: d.relaxed_categorical.ExpRelaxedCategorical(t, logits=l)),
    "Multinomial probs": (lambda r: [_simplex(r, (2, 4)), _counts(r, (3, 2, 4), 7)],
                          lambda d, p: d.Multinomial(7, probs=p)),
    "Multinomial logits": (lambda r: [r.standard_normal(4), _counts(r, (5, 4), 6)],
                           lambda d, l: d.Multinomial(6, logits=l)),
    "Multinomial impossible class": (lambda r: [np.array([-np.inf, 0.3, 1.0]), np.array([[0.0, 2.0, 3.0]])],
                                     lambda d, l: d.Multinomial(5, logits=l)),
}
SUMMARIES = {
    "Multinomial mean": (lambda r: [_simplex(r, (2, 4))], lambda d, p: d.Multinomial(7, probs=p).mean),
    "Multinomial variance": (lambda r: [r.standard_normal((2, 4))], lambda d, l: d.Multinomial(7, logits=l).variance),
    # PyTorch takes lgamma(n + 1) of n in float32 (1.6e-8 off); the values are checked against SciPy below
    "Multinomial entropy gradients": (lambda r: [_simplex(r, (2, 4))], lambda d, p: _centred(
        d.Multinomial(5, probs=p).entropy())),
    "RelaxedBernoulli probs from logits": (lambda r: [r.standard_normal(3)],
                                           lambda d, l: d.RelaxedBernoulli(fg_or_torch_scalar(d), logits=l).probs),
}


def _centred(value):
    """value - value's own number: zero, with value's gradient."""
    return value - value.detach()


def test_multinomial_entropy_matches_scipy(rng):
    stats = pytest.importorskip("scipy.stats")
    p = _simplex(rng, (3, 4))
    got = D.Multinomial(6, probs=fg.tensor(p)).entropy().numpy()
    np.testing.assert_allclose(got, [stats.multinomial(6, row).entropy() for row in p], rtol=1e-12)


def fg_or_torch_scalar(d):
    """A temperature tensor of the library whose distributions module is d."""
    if d is D:
        return fg.tensor(0.5, dtype=fg.float64)
    import torch
    return torch.tensor(0.5, dtype=torch.float64)


def _log_prob_case(name):
    arrays, make = LOG_PROB[name]
    return arrays, lambda d, *a: make(d, *a[:-1]).log_prob(a[-1])


@pytest.mark.parametrize("name", sorted(LOG_PROB))
def test_log_prob_matches_pytorch(name, rng):
    pytest.importorskip("scipy")
    check_cases({name: _log_prob_case(name)}, name, rng, dict(rtol=1e-9, atol=1e-12))


@pytest.mark.parametrize("name", sorted(SUMMARIES))
def test_summaries_match_pytorch(name, rng):
    pytest.importorskip("scipy")
    check_cases(SUMMARIES, name, rng, TRIGAMMA_TOL)


@pytest.mark.parametrize("name", [n for n in LOG_PROB if "Multinomial" not in n])
def test_numerical_gradients_of_rsample(name, rng):
    arrays, make = LOG_PROB[name]
    params = leaves(*arrays(rng)[:-1])
    assert gradcheck_seeded(lambda *a: make(D, *a).rsample((3,)), params)


@pytest.mark.parametrize("name", sorted(LOG_PROB))
def test_shapes_support_and_expand_match_pytorch(name, rng):
    mine, theirs = made_by_both(LOG_PROB, name, rng)
    assert_shapes_match(mine, theirs)
    assert repr(mine.support).split("(")[0] == repr(theirs.support).split("(")[0]
    assert getattr(mine.support, "upper_bound", None) == getattr(theirs.support, "upper_bound", None)
    wide, wide_theirs = mine.expand((3,) + mine.batch_shape), theirs.expand((3,) + theirs.batch_shape)
    assert wide.batch_shape == tuple(wide_theirs.batch_shape) and wide.event_shape == tuple(wide_theirs.event_shape)
    value = wide_theirs.sample((2,))
    np.testing.assert_allclose(wide.log_prob(fg.tensor(value.numpy())).numpy(), wide_theirs.log_prob(value).numpy(),
                               rtol=1e-9)


def _assert_share(hits, p, n):
    assert np.all(np.abs(hits.mean(0) - p) <= 5 * np.sqrt(p * (1 - p) / n) + 1e-12), (hits.mean(0), p)


def test_relaxed_bernoulli_is_above_one_half_with_probability_probs():
    p, n = np.array([0.1, 0.5, 0.8]), 40000
    fg.manual_seed(0)
    samples = D.RelaxedBernoulli(fg.tensor(0.3), probs=fg.tensor(p)).sample((n,)).numpy()
    assert np.all((samples > 0) & (samples < 1))
    _assert_share(samples > 0.5, p, n)


def test_relaxed_one_hot_argmax_follows_the_categorical():
    """Gumbel-max: the largest coordinate of a draw is class k with probability probs[k], at any temperature."""
    p, n = np.array([0.1, 0.2, 0.3, 0.4]), 40000
    fg.manual_seed(1)
    samples = D.RelaxedOneHotCategorical(fg.tensor(2.0), probs=fg.tensor(p)).sample((n,)).numpy()
    np.testing.assert_allclose(samples.sum(-1), 1.0, rtol=1e-12)
    _assert_share(samples.argmax(-1)[:, None] == np.arange(4), p, n)


def test_low_temperature_draws_are_nearly_one_hot():
    fg.manual_seed(2)
    samples = D.RelaxedOneHotCategorical(fg.tensor(0.01), logits=fg.tensor(np.zeros(3))).sample((200,)).numpy()
    assert np.median(samples.max(-1)) > 0.99


def test_multinomial_sample_moments():
    p, n = np.array([[0.1, 0.3, 0.6], [0.5, 0.25, 0.25]]), 9
    fg.manual_seed(3)
    samples = D.Multinomial(n, probs=fg.tensor(p)).sample((20000,)).numpy()
    assert samples.dtype == np.float64 and np.all(samples.sum(-1) == n) and samples.min() >= 0
    assert_moments(samples, n * p, n * p * (1 - p))


@pytest.mark.parametrize("call, error, words", [
    (lambda: D.Multinomial(2.5, probs=fg.tensor([0.5, 0.5])), NotImplementedError, "Multinomial: total_count"),
    (lambda: D.Multinomial(3, probs=fg.tensor([0.5, 0.5])).log_prob(fg.tensor([3.0, 1.0])), ValueError, "support"),
    (lambda: D.Multinomial(3, probs=fg.tensor([-0.5, 1.5])), ValueError, "probs"),
    (lambda: D.RelaxedBernoulli(fg.tensor(0.5), probs=fg.tensor(1.5)), ValueError, "probs"),
    (lambda: D.RelaxedBernoulli(fg.tensor(0.5)), ValueError, "either `probs` or `logits`"),
    (lambda: D.RelaxedBernoulli(fg.tensor(0.5), probs=fg.tensor(0.5)).log_prob(fg.tensor(1.5)), ValueError,
     "support"),
    (lambda: D.RelaxedOneHotCategorical(fg.tensor(0.5), logits=fg.zeros(3)).log_prob(fg.tensor([0.5, 0.6, 0.1])),
     ValueError, "support"),
])
def test_bad_arguments(call, error, words):
    with pytest.raises(error, match=words):
        call()
