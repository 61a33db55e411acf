"""MixtureSameFamily against torch.distributions.MixtureSameFamily (float64 values and gradients of
log_prob, cdf, mean and variance in the mixture logits or probs and the component parameters),
numerical gradients, sample moments and shapes, expand, support and argument validation."""
import numpy as np
import pytest

import fastgrad as fg
from distribution_parity import assert_moments, assert_shapes_match, check_cases, leaves, made_by_both, positive
from fastgrad import distributions as D


def _normal_mixture(d, logits, loc, scale):
    return d.MixtureSameFamily(d.Categorical(logits=logits), d.Normal(loc, scale))


def _normal_mixture_probs(d, probs, loc, scale):
    return d.MixtureSameFamily(d.Categorical(probs=probs), d.Normal(loc, scale))


def _vector_mixture(d, logits, loc, scale):
    return d.MixtureSameFamily(d.Categorical(logits=logits), d.Independent(d.Normal(loc, scale), 1))


def _mvn_mixture(d, logits, loc, tril):
    return d.MixtureSameFamily(d.Categorical(logits=logits), d.MultivariateNormal(loc, scale_tril=tril))


def _lower(r, shape, n):
    m = np.tril(r.standard_normal(shape + (n, n)) * 0.3)
    idx = np.arange(n)
    m[..., idx, idx] = positive(r, shape + (n,))
    return m


# name: (arrays(rng) -> [params..., value], make)
MIXTURES = {
    "Normal": (lambda r: [r.standard_normal((2, 3)), r.standard_normal((2, 3)), positive(r, (2, 3)),
                          r.standard_normal((4, 2))], _normal_mixture),
    "Normal probs": (lambda r: [positive(r, 3), r.standard_normal(3), positive(r, 3), r.standard_normal(5)],
                     _normal_mixture_probs),
    "Normal broadcast mixture": (lambda r: [r.standard_normal(3), r.standard_normal((2, 3)), positive(r, (2, 3)),
                                            r.standard_normal((4, 2))], _normal_mixture),
    "Independent Normal": (lambda r: [r.standard_normal((2, 3)), r.standard_normal((2, 3, 4)), positive(r, (2, 3, 4)),
                                      r.standard_normal((5, 2, 4))], _vector_mixture),
    "MultivariateNormal": (lambda r: [r.standard_normal(3), r.standard_normal((3, 2)), _lower(r, (3,), 2),
                                      r.standard_normal((4, 2))], _mvn_mixture),
}


def _case(name, part):
    arrays, make = MIXTURES[name]
    if part in ("log_prob", "cdf"):
        return arrays, lambda d, *a: getattr(make(d, *a[:-1]), part)(a[-1])
    return (lambda r: arrays(r)[:-1]), lambda d, *a: getattr(make(d, *a), part)


PARTS = [(n, p) for n in MIXTURES for p in ("log_prob", "mean", "variance")] + [
    (n, "cdf") for n in ("Normal", "Normal probs", "Normal broadcast mixture")]


@pytest.mark.parametrize("name, part", PARTS, ids=[f"{n} {p}" for n, p in PARTS])
def test_matches_pytorch(name, part, rng):
    check_cases({name: _case(name, part)}, name, rng, dict(rtol=1e-9, atol=1e-12))


def test_numerical_gradients_of_log_prob(rng):
    arrays = MIXTURES["Normal"][0](rng)
    params, (value,) = leaves(*arrays[:-1]), leaves(arrays[-1])
    assert fg.gradcheck(lambda *a: _normal_mixture(D, *a[:-1]).log_prob(a[-1]), params + [value])


@pytest.mark.parametrize("name", sorted(MIXTURES))
def test_shapes_expand_and_support_match_pytorch(name, rng):
    mine, theirs = made_by_both(MIXTURES, name, rng)
    if name == "Normal broadcast mixture":      # PyTorch's sample fails here (its gather needs equal ranks)
        assert mine.batch_shape == tuple(theirs.batch_shape) and tuple(mine.sample((5, 4)).shape) == (5, 4, 2)
        return
    assert_shapes_match(mine, theirs)
    assert repr(mine.support) == repr(theirs.support)
    wide, wide_theirs = mine.expand((3,) + mine.batch_shape), theirs.expand((3,) + theirs.batch_shape)
    assert wide.batch_shape == tuple(wide_theirs.batch_shape) and wide.event_shape == tuple(wide_theirs.event_shape)
    value = wide_theirs.sample((2,))
    assert tuple(wide.sample((2,)).shape) == tuple(value.shape)
    np.testing.assert_allclose(wide.log_prob(fg.tensor(value.numpy())).numpy(), wide_theirs.log_prob(value).numpy(),
                               rtol=1e-9)


def test_sample_moments():
    weights = np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]])
    loc, scale = np.array([[-3.0, 0.0, 4.0], [1.0, 2.0, -2.0]]), np.array([[0.5, 1.0, 2.0], [1.0, 0.3, 0.7]])
    mix = D.MixtureSameFamily(D.Categorical(probs=fg.tensor(weights)), D.Normal(fg.tensor(loc), fg.tensor(scale)))
    fg.manual_seed(0)
    samples = mix.sample((40000,)).numpy()
    mean = (weights * loc).sum(-1)
    variance = (weights * (scale ** 2 + loc ** 2)).sum(-1) - mean ** 2
    assert_moments(samples, mean, variance)
    np.testing.assert_allclose(mix.mean.numpy(), mean, rtol=1e-12)
    np.testing.assert_allclose(mix.variance.numpy(), variance, rtol=1e-12)


def test_vector_samples_come_from_one_component():
    """Each draw of a mixture of well-separated 2-d components lies near one component's mean
    in both coordinates at once, chosen in the mixture's proportions."""
    loc = np.array([[-10.0, -10.0], [10.0, 10.0]])
    mix = D.MixtureSameFamily(D.Categorical(probs=fg.tensor([0.25, 0.75])),
                              D.Independent(D.Normal(fg.tensor(loc), 0.1), 1))
    fg.manual_seed(1)
    samples = mix.sample((4000,)).numpy()
    assert samples.shape == (4000, 2)
    assert np.all(np.sign(samples[:, 0]) == np.sign(samples[:, 1]))
    share = (samples[:, 0] > 0).mean()
    assert abs(share - 0.75) <= 5 * np.sqrt(0.75 * 0.25 / 4000)


def test_has_no_rsample():
    mix = D.MixtureSameFamily(D.Categorical(logits=fg.zeros(2)), D.Normal(fg.zeros(2), 1.0))
    assert not mix.has_rsample
    with pytest.raises(NotImplementedError, match="rsample"):
        mix.rsample()


@pytest.mark.parametrize("call, words", [
    (lambda: D.MixtureSameFamily(D.Normal(0.0, 1.0), D.Normal(fg.zeros(2), 1.0)), "must be a Categorical"),
    (lambda: D.MixtureSameFamily(D.Categorical(logits=fg.zeros(2)), "normal"), "must be a Distribution"),
    (lambda: D.MixtureSameFamily(D.Categorical(logits=fg.zeros(3)), D.Normal(fg.zeros(2), 1.0)),
     "3 components but component_distribution.batch_shape"),
    (lambda: D.MixtureSameFamily(D.Categorical(logits=fg.zeros(4, 2)), D.Normal(fg.zeros(3, 2), 1.0)),
     "not compatible"),
    (lambda: D.MixtureSameFamily(D.Categorical(logits=fg.zeros(2)), D.Normal(0.0, 1.0)), "batch axis of components"),
    (lambda: D.MixtureSameFamily(D.Categorical(logits=fg.zeros(2)), D.Exponential(fg.ones(2))).log_prob(
        fg.tensor(-1.0)), "support"),
])
def test_bad_arguments(call, words):
    with pytest.raises(ValueError, match=words):
        call()
