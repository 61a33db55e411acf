"""fastgrad.distributions against torch.distributions in float64: log_prob, entropy, cdf, moments and
kl_divergence with their gradients in every parameter (and in the value where it is continuous),
reparameterized samples and their gradients, sample statistics, shapes, and argument validation."""
import math

import numpy as np
import pytest

import fastgrad as fg
from fastgrad import distributions as D

from distribution_parity import check, check_cases, positive as _positive, probabilities as _probs

# name: (arrays(rng), build(lib_distributions, *leaves) -> value to compare)
CASES = {
    "Normal log_prob": (lambda r: [r.standard_normal((3, 1)), _positive(r, (4,)), r.standard_normal((2, 3, 4))],
                        lambda d, loc, scale, x: d.Normal(loc, scale).log_prob(x)),
    "Normal log_prob scalar params": (lambda r: [np.array(0.5), np.array(1.5), r.standard_normal(6)],
                                      lambda d, loc, scale, x: d.Normal(loc, scale).log_prob(x)),
    "Normal entropy": (lambda r: [r.standard_normal((2, 3)), _positive(r, (2, 3))],
                       lambda d, loc, scale: d.Normal(loc, scale).entropy()),
    "Normal cdf": (lambda r: [r.standard_normal(5), _positive(r, 5), r.standard_normal((2, 5))],
                   lambda d, loc, scale, x: d.Normal(loc, scale).cdf(x)),
    "Normal moments": (lambda r: [r.standard_normal(4), _positive(r, 4)],
                       lambda d, loc, scale: d.Normal(loc, scale).variance + d.Normal(loc, scale).stddev * 3
                       + d.Normal(loc, scale).mean * 5 + d.Normal(loc, scale).mode),
    "Uniform log_prob": (lambda r: [r.uniform(-2, 0, (3, 1)), r.uniform(0.5, 2, (4,)), r.uniform(-1, 0.5, (2, 3, 4))],
                         lambda d, lo, hi, x: d.Uniform(lo, hi, validate_args=False).log_prob(x)),
    "Uniform entropy and moments": (lambda r: [r.uniform(-2, 0, 5), r.uniform(0.5, 2, 5)],
                                    lambda d, lo, hi: d.Uniform(lo, hi).entropy() + d.Uniform(lo, hi).mean
                                    + 2 * d.Uniform(lo, hi).stddev + d.Uniform(lo, hi).variance),
    "Uniform cdf": (lambda r: [r.uniform(-2, 0, 5), r.uniform(0.5, 2, 5), r.uniform(-1, 0.5, (3, 5))],
                    lambda d, lo, hi, x: d.Uniform(lo, hi, validate_args=False).cdf(x)),
    "Bernoulli probs log_prob": (lambda r: [_probs(r, (3, 4)), r.integers(0, 2, (2, 3, 4)).astype(float)],
                                 lambda d, p, x: d.Bernoulli(probs=p).log_prob(x)),
    "Bernoulli logits log_prob": (lambda r: [r.standard_normal((3, 4)) * 3, r.integers(0, 2, (3, 4)).astype(float)],
                                  lambda d, l, x: d.Bernoulli(logits=l).log_prob(x)),
    "Bernoulli probs entropy": (lambda r: [_probs(r, (3, 4))], lambda d, p: d.Bernoulli(probs=p).entropy()),
    "Bernoulli logits entropy": (lambda r: [r.standard_normal(6) * 4], lambda d, l: d.Bernoulli(logits=l).entropy()),
    "Bernoulli moments": (lambda r: [r.standard_normal(6)],
                          lambda d, l: d.Bernoulli(logits=l).mean + d.Bernoulli(logits=l).variance * 2
                          + d.Bernoulli(logits=l).stddev),
    "Bernoulli logits from probs": (lambda r: [_probs(r, 5)], lambda d, p: d.Bernoulli(probs=p).logits),
    "Categorical probs log_prob": (lambda r: [_positive(r, (2, 3, 4)), r.integers(0, 4, (5, 2, 3))],
                                   lambda d, p, x: d.Categorical(probs=p).log_prob(x)),
    "Categorical logits log_prob": (lambda r: [r.standard_normal((3, 5)), r.integers(0, 5, (3,))],
                                    lambda d, l, x: d.Categorical(logits=l).log_prob(x)),
    "Categorical log_prob broadcast value": (lambda r: [r.standard_normal((3, 5)), r.integers(0, 5, (4, 1))],
                                             lambda d, l, x: d.Categorical(logits=l).log_prob(x)),
    "Categorical unbatched": (lambda r: [_positive(r, 6), r.integers(0, 6, (7,))],
                              lambda d, p, x: d.Categorical(probs=p).log_prob(x)),
    "Categorical probs entropy": (lambda r: [_positive(r, (2, 3, 4))], lambda d, p: d.Categorical(probs=p).entropy()),
    "Categorical logits entropy": (lambda r: [r.standard_normal((4, 6)) * 3],
                                   lambda d, l: d.Categorical(logits=l).entropy()),
    "Categorical probs from logits": (lambda r: [r.standard_normal((2, 5))], lambda d, l: d.Categorical(logits=l).probs),
    "Categorical logits from probs": (lambda r: [_positive(r, (2, 5))], lambda d, p: d.Categorical(probs=p).logits),
}

KL_CASES = {
    "Normal Normal": (lambda r: [r.standard_normal((3, 1)), _positive(r, (3, 1)), r.standard_normal(4), _positive(r, 4)],
                      lambda d, a, b, c, e: d.kl_divergence(d.Normal(a, b), d.Normal(c, e))),
    "Uniform Uniform": (lambda r: [r.uniform(-1, 0, 6), r.uniform(0.5, 1, 6),
                                   np.array([-2, -2, -0.5, -2, -0.9, -2.0]), np.array([2, 0.7, 2, 2, 3, 0.6])],
                        lambda d, a, b, c, e: d.kl_divergence(d.Uniform(a, b), d.Uniform(c, e))),
    "Uniform Normal": (lambda r: [r.uniform(-1, 0, (2, 3)), r.uniform(0.5, 1, (2, 3)), r.standard_normal(3),
                                  _positive(r, 3)],
                       lambda d, a, b, c, e: d.kl_divergence(d.Uniform(a, b), d.Normal(c, e))),
    "Normal Uniform": (lambda r: [r.standard_normal(3), _positive(r, 3), np.full(3, -1.0), np.full(3, 1.0)],
                       lambda d, a, b, c, e: d.kl_divergence(d.Normal(a, b), d.Uniform(c, e))),
    "Bernoulli Bernoulli": (lambda r: [_probs(r, (2, 3)), _probs(r, (2, 3))],
                            lambda d, p, q: d.kl_divergence(d.Bernoulli(p), d.Bernoulli(q))),
    "Bernoulli edges": (lambda r: [np.array([0.0, 1.0, 0.3, 0.3, 0.0, 1.0]), np.array([0.4, 0.6, 0.0, 1.0, 0.0, 1.0])],
                        lambda d, p, q: d.kl_divergence(d.Bernoulli(p), d.Bernoulli(q))),
    "Bernoulli logits": (lambda r: [r.standard_normal(5) * 3, r.standard_normal(5) * 3],
                         lambda d, p, q: d.kl_divergence(d.Bernoulli(logits=p), d.Bernoulli(logits=q))),
    "Categorical Categorical": (lambda r: [_positive(r, (2, 3, 4)), r.standard_normal((3, 4))],
                                lambda d, p, q: d.kl_divergence(d.Categorical(probs=p), d.Categorical(logits=q))),
    "Categorical zeros": (lambda r: [np.array([[0.0, 0.5, 0.5], [0.2, 0.3, 0.5]]), np.array([[0.2, 0.8, 0.0],
                                                                                              [0.2, 0.2, 0.6]])],
                          lambda d, p, q: d.kl_divergence(d.Categorical(probs=p), d.Categorical(probs=q))),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_and_gradients_match_pytorch(name, rng):
    check_cases(CASES, name, rng)


@pytest.mark.parametrize("name", sorted(KL_CASES))
def test_kl_divergence_and_its_gradients_match_pytorch(name, rng):
    check_cases(KL_CASES, name, rng)


def test_numerical_gradients(rng):
    loc, scale = fg.tensor(rng.standard_normal(3), requires_grad=True), fg.tensor(_positive(rng, 3), requires_grad=True)
    x = fg.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    assert fg.gradcheck(lambda a, b, v: D.Normal(a, b).log_prob(v), [loc, scale, x])
    logits = fg.tensor(rng.standard_normal((2, 4)), requires_grad=True)
    assert fg.gradcheck(lambda l: D.Categorical(logits=l).entropy(), [logits])
    probs = fg.tensor(_probs(rng, 4), requires_grad=True)
    assert fg.gradcheck(lambda p: D.kl_divergence(D.Bernoulli(p), D.Bernoulli(0.5 * p + 0.2)), [probs])
    lo, hi = fg.tensor([-1.0, -0.5], requires_grad=True), fg.tensor([1.0, 2.0], requires_grad=True)
    assert fg.gradcheck(lambda a, b: D.kl_divergence(D.Uniform(a, b), D.Normal(0.3, 1.5)), [lo, hi])


def test_rsample_is_reparameterized(rng):
    loc, scale = fg.tensor(rng.standard_normal(3), requires_grad=True), fg.tensor(_positive(rng, 3), requires_grad=True)
    z = D.Normal(loc, scale).rsample((1000,))
    assert z.requires_grad and z.shape == (1000, 3)
    eps = (z.detach().numpy() - loc.detach().numpy()) / scale.detach().numpy()
    z.sum().backward()
    np.testing.assert_allclose(loc.grad.numpy(), np.full(3, 1000.0), rtol=1e-12)
    np.testing.assert_allclose(scale.grad.numpy(), eps.sum(0), rtol=1e-9)
    low = fg.tensor(np.array([0.0, 1.0]), requires_grad=True)
    high = fg.tensor(np.array([2.0, 4.0]), requires_grad=True)
    u = D.Uniform(low, high).rsample((500,))
    share = (u.detach().numpy() - low.detach().numpy()) / (high.detach().numpy() - low.detach().numpy())
    u.sum().backward()
    np.testing.assert_allclose(high.grad.numpy(), share.sum(0), rtol=1e-9)
    np.testing.assert_allclose(low.grad.numpy(), (1 - share).sum(0), rtol=1e-9)
    sample = D.Normal(loc, scale).sample((4,))
    assert not sample.requires_grad
    with pytest.raises(NotImplementedError, match="rsample"):
        D.Bernoulli(0.3).rsample()
    with pytest.raises(NotImplementedError, match="rsample"):
        D.Categorical(logits=fg.zeros(3)).rsample()


def test_sample_statistics():
    fg.manual_seed(0)
    n = D.Normal(fg.tensor([1.0, -2.0], dtype=fg.float64), fg.tensor([0.5, 3.0], dtype=fg.float64)).sample((40000,))
    np.testing.assert_allclose(n.numpy().mean(0), [1.0, -2.0], atol=0.05)
    np.testing.assert_allclose(n.numpy().std(0), [0.5, 3.0], rtol=0.03)
    u = D.Uniform(fg.tensor([-1.0, 2.0]), 3.0).sample((40000,)).numpy()
    assert u.min() >= -1.0 and u[:, 1].min() >= 2.0 and u.max() < 3.0
    np.testing.assert_allclose(u.mean(0), [1.0, 2.5], atol=0.03)
    b = D.Bernoulli(fg.tensor([0.1, 0.5, 0.9])).sample((40000,)).numpy()
    assert set(np.unique(b)) <= {0.0, 1.0} and b.dtype == np.float32
    np.testing.assert_allclose(b.mean(0), [0.1, 0.5, 0.9], atol=0.01)
    probs = np.array([[0.1, 0.0, 0.6, 0.3], [0.25, 0.25, 0.25, 0.25]])
    c = D.Categorical(probs=fg.tensor(probs)).sample((40000,)).numpy()
    assert c.shape == (40000, 2) and c.dtype == np.int64
    for row in range(2):
        np.testing.assert_allclose(np.bincount(c[:, row], minlength=4) / 40000, probs[row], atol=0.01)
    assert not np.any(c[:, 0] == 1)                                  # a zero-probability class never comes up


def test_samples_follow_fastgrads_seed():
    dists = [D.Normal(fg.zeros(3), 1.0), D.Uniform(0.0, fg.ones(3)), D.Bernoulli(fg.full((3,), 0.4)),
             D.Categorical(logits=fg.zeros(3, 5))]
    fg.manual_seed(11)
    first = [d.sample((4,)).numpy() for d in dists]
    fg.manual_seed(11)
    again = [d.sample((4,)).numpy() for d in dists]
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)


def test_shapes_modes_and_supports_match_pytorch(rng):
    torch = pytest.importorskip("torch")
    logits = rng.standard_normal((2, 3, 4))
    pairs = [
        (D.Normal(fg.tensor(np.zeros((3, 1))), fg.tensor(np.ones(4))),
         torch.distributions.Normal(torch.zeros(3, 1, dtype=torch.float64), torch.ones(4, dtype=torch.float64))),
        (D.Uniform(0.0, fg.tensor(np.ones(2))), torch.distributions.Uniform(0.0, torch.ones(2, dtype=torch.float64))),
        (D.Bernoulli(fg.tensor(np.array([0.2, 0.5, 0.7]))),
         torch.distributions.Bernoulli(torch.tensor([0.2, 0.5, 0.7], dtype=torch.float64))),
        (D.Bernoulli(0.3), torch.distributions.Bernoulli(0.3)),
        (D.Categorical(logits=fg.tensor(logits)), torch.distributions.Categorical(logits=torch.tensor(logits))),
    ]
    for mine, peer in pairs:
        assert mine.batch_shape == tuple(peer.batch_shape) and mine.event_shape == tuple(peer.event_shape)
        assert mine.sample((5, 2)).shape == tuple(peer.sample((5, 2)).shape)
        assert mine.has_rsample == peer.has_rsample and mine.has_enumerate_support == peer.has_enumerate_support
        if not isinstance(mine, D.Uniform):
            np.testing.assert_array_equal(mine.mode.numpy(), peer.mode.numpy())
        if mine.has_enumerate_support:
            for expand in (True, False):
                np.testing.assert_array_equal(mine.enumerate_support(expand).numpy(),
                                              peer.enumerate_support(expand).numpy())
    assert np.isnan(D.Categorical(logits=fg.tensor(logits)).mean.numpy()).all()
    assert repr(D.Normal(0.0, 1.0)) == repr(torch.distributions.Normal(0.0, 1.0))
    assert repr(D.Bernoulli(0.3)) == repr(torch.distributions.Bernoulli(0.3))
    assert D.Normal(0.0, 1.0).loc.dtype == np.float32                 # numbers take the default dtype
    assert D.Normal(fg.tensor(np.zeros(2)), 1.0).scale.dtype == np.float64


def test_normal_icdf_matches_pytorch(rng):
    pytest.importorskip("scipy")
    torch = pytest.importorskip("torch")
    arrays = [rng.standard_normal(4), _positive(rng, 4), rng.uniform(0.02, 0.98, (3, 4))]
    check(lambda a, b, p: D.Normal(a, b).icdf(p), lambda a, b, p: torch.distributions.Normal(a, b).icdf(p), arrays,
          rng, dict(rtol=1e-9, atol=1e-12))


def test_log_prob_of_values_outside_uniform_is_minus_infinity():
    d = D.Uniform(fg.tensor([0.0, 0.0]), fg.tensor([1.0, 1.0]), validate_args=False)
    lp = d.log_prob(fg.tensor([1.5, 0.5])).numpy()
    assert lp[0] == -np.inf and lp[1] == 0.0


BAD = [
    (lambda: D.Normal(0.0, -1.0), ValueError, "scale"),
    (lambda: D.Normal(fg.tensor([0.0, float("nan")]), 1.0), ValueError, "loc"),
    (lambda: D.Uniform(1.0, 1.0), ValueError, "low >= high"),
    (lambda: D.Bernoulli(1.5), ValueError, "probs"),
    (lambda: D.Bernoulli(), ValueError, "Bernoulli: either `probs` or `logits`"),
    (lambda: D.Bernoulli(0.5, 0.0), ValueError, "Bernoulli: either `probs` or `logits`"),
    (lambda: D.Categorical(probs=fg.tensor([0.5, -0.1, 0.6])), ValueError, "probs"),
    (lambda: D.Categorical(probs=fg.tensor(1.0)), ValueError, "at least one-dimensional"),
    (lambda: D.Categorical(logits=fg.tensor([0.0, float("nan")])), ValueError, "logits"),
    (lambda: D.Normal(0.0, 1.0).log_prob(0.5), ValueError, "must be a Tensor"),
    (lambda: D.Normal(fg.zeros(3), 1.0).log_prob(fg.zeros(2)), ValueError, "not broadcastable"),
    (lambda: D.Uniform(0.0, 1.0).log_prob(fg.tensor(2.0)), ValueError, "within the support"),
    (lambda: D.Bernoulli(0.3).log_prob(fg.tensor(0.5)), ValueError, "within the support"),
    (lambda: D.Categorical(logits=fg.zeros(3)).log_prob(fg.tensor(3)), ValueError, "within the support"),
    (lambda: D.kl_divergence(D.Normal(0.0, 1.0), D.Bernoulli(0.5)), NotImplementedError, "No KL"),
    (lambda: D.Distribution.set_default_validate_args("yes"), ValueError, "True or False"),
    (lambda: D.register_kl("Normal", D.Normal), TypeError, "classes"),
]


@pytest.mark.parametrize("case", range(len(BAD)))
def test_bad_arguments_raise_clear_errors(case):
    call, error, words = BAD[case]
    with pytest.raises(error, match=words):
        call()


def test_validate_args_false_skips_the_checks():
    d = D.Normal(0.0, -1.0, validate_args=False)
    assert math.isnan(d.log_prob(fg.tensor(0.0)).item())
    assert D.Categorical(logits=fg.zeros(3), validate_args=False).log_prob(fg.tensor(1)).item() == \
        pytest.approx(-math.log(3))
    D.Distribution.set_default_validate_args(False)
    try:
        D.Uniform(2.0, 1.0)
    finally:
        D.Distribution.set_default_validate_args(True)


def test_register_kl_dispatches_to_the_closest_registered_pair():
    class Wide(D.Normal):
        pass

    assert D.kl_divergence(Wide(0.0, 1.0), D.Normal(0.0, 1.0)).item() == 0.0     # (Normal, Normal) serves

    @D.register_kl(Wide, D.Normal)
    def _wide_normal(p, q):
        return p.loc * 0 + 42.0

    try:
        assert D.kl_divergence(Wide(0.0, 1.0), D.Normal(0.0, 1.0)).item() == 42.0
        assert D.kl_divergence(D.Normal(0.0, 1.0), Wide(0.0, 1.0)).item() == 0.0
    finally:
        from fastgrad.distributions.kl import _KL_REGISTRY
        del _KL_REGISTRY[Wide, D.Normal]


def test_a_variational_step_trains_through_rsample_and_kl(rng):
    mu = fg.tensor(np.zeros(4), requires_grad=True)
    log_sigma = fg.tensor(np.zeros(4), requires_grad=True)
    target = D.Normal(fg.tensor(np.array([1.0, -1.0, 2.0, 0.5])), 0.5)
    opt = fg.optim.Adam([mu, log_sigma], lr=0.05)
    fg.manual_seed(0)
    for _ in range(300):
        q = D.Normal(mu, log_sigma.exp())
        loss = (q.log_prob(q.rsample((16,))) - target.log_prob(q.rsample((16,)))).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    np.testing.assert_allclose(mu.detach().numpy(), [1.0, -1.0, 2.0, 0.5], atol=0.2)
    assert D.kl_divergence(D.Normal(mu, log_sigma.exp()), target).sum().item() < 0.2
