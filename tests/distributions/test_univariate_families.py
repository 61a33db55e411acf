"""StudentT, Cauchy, HalfCauchy, HalfNormal, Gumbel, Weibull, Pareto, Chi2, Geometric,
NegativeBinomial, ContinuousBernoulli, Kumaraswamy and VonMises against torch.distributions (float64 values and gradients of log_prob, cdf,
icdf, entropy and moments), numerical gradients of log_prob and rsample, sample moments, shapes,
expand, supports and argument validation."""
from collections import namedtuple

import numpy as np
import pytest

import fastgrad as fg
from distribution_parity import (TRIGAMMA_TOL, assert_moments, assert_shapes_match, check, check_cases,
                                 gradcheck_seeded, leaves, positive, probabilities)
from fastgrad import distributions as D

pytest.importorskip("scipy")   # lgamma, digamma

# params(rng) -> parameter arrays of batch shape (2, 3) (or broadcasting to it); make(d, *params);
# value(rng, shape) -> values in the support; parts: what PyTorch also has; moments(*params) ->
# (mean, variance) for the sampling check (None where they do not exist); sample_params: for that check;
# gradcheck: rsample's numerical gradient is checked in these parameter positions.
Spec = namedtuple("Spec", "params make value parts moments sample_params rsample_positions")

CONTINUOUS = ("log_prob", "cdf", "icdf", "mean", "mode", "variance", "stddev", "entropy")


def _halfnormal_moments(scale):
    return scale * np.sqrt(2 / np.pi), scale ** 2 * (1 - 2 / np.pi)


def _weibull_moments(scale, k):
    from scipy.special import gamma
    return scale * gamma(1 + 1 / k), scale ** 2 * (gamma(1 + 2 / k) - gamma(1 + 1 / k) ** 2)


def _negative_binomial_moments(r, p):
    return r * p / (1 - p), r * p / (1 - p) ** 2


def _continuous_bernoulli_moments(p):
    """The mean and variance of the density C p^x (1 - p)^(1 - x) on [0, 1], by quadrature."""
    x = np.linspace(0, 1, 200001)[:, None]
    density = p ** x * (1 - p) ** (1 - x)
    density = density / np.trapezoid(density, x, axis=0)
    mean = np.trapezoid(x * density, x, axis=0)
    return mean, np.trapezoid((x - mean) ** 2 * density, x, axis=0)


def _kumaraswamy_moments(a, b):
    from scipy.special import beta
    mean = b * beta(1 + 1 / a, b)
    return mean, b * beta(1 + 2 / a, b) - mean ** 2


SPECS = {
    "StudentT": Spec(lambda r: [positive(r, 3) * 3, r.standard_normal((2, 1)), positive(r, 3)],
                     lambda d, df, loc, scale: d.StudentT(df, loc, scale), lambda r, s: r.standard_normal(s) * 2,
                     ("log_prob", "mean", "mode", "variance", "entropy"),
                     lambda df, loc, scale: (loc, scale ** 2 * df / (df - 2)),
                     [np.array([5.0, 8.0, 12.0]), np.array([-1.0, 0.0, 2.0]), np.array([0.5, 1.0, 2.0])], (1, 2)),
    "StudentT small df": Spec(lambda r: [np.array([0.5, 1.0, 1.5, 2.0, 2.5, 4.0]), r.standard_normal(6), positive(r, 6)],
                              lambda d, df, loc, scale: d.StudentT(df, loc, scale), lambda r, s: r.standard_normal(s),
                              ("mean", "variance"), None, None, ()),
    "Cauchy": Spec(lambda r: [r.standard_normal((2, 1)), positive(r, 3)], lambda d, loc, scale: d.Cauchy(loc, scale),
                   lambda r, s: r.standard_normal(s) * 2, CONTINUOUS, None, None, (0, 1)),
    "HalfCauchy": Spec(lambda r: [positive(r, (2, 3))], lambda d, scale: d.HalfCauchy(scale),
                       lambda r, s: positive(r, s), CONTINUOUS, None, None, (0,)),
    "HalfNormal": Spec(lambda r: [positive(r, (2, 3))], lambda d, scale: d.HalfNormal(scale),
                       lambda r, s: positive(r, s), CONTINUOUS, _halfnormal_moments, [np.array([0.5, 1.0, 3.0])],
                       (0,)),
    "Gumbel": Spec(lambda r: [r.standard_normal((2, 1)), positive(r, 3)], lambda d, loc, scale: d.Gumbel(loc, scale),
                   lambda r, s: r.standard_normal(s) * 2, CONTINUOUS,
                   lambda loc, scale: (loc + scale * np.euler_gamma, (np.pi * scale) ** 2 / 6),
                   [np.array([-1.0, 0.0, 2.0]), np.array([0.5, 1.0, 2.0])], (0, 1)),
    "Weibull": Spec(lambda r: [positive(r, (2, 1)), positive(r, 3) + 0.5], lambda d, s, k: d.Weibull(s, k),
                    lambda r, s: positive(r, s), CONTINUOUS, _weibull_moments,
                    [np.array([0.5, 1.0, 3.0]), np.array([0.8, 1.5, 4.0])], (0, 1)),
    "Pareto": Spec(lambda r: [positive(r, (2, 1)), positive(r, 3) * 3], lambda d, s, a: d.Pareto(s, a),
                   lambda r, s: 2.0 + positive(r, s), CONTINUOUS,
                   lambda s, a: (a * s / (a - 1), s ** 2 * a / ((a - 1) ** 2 * (a - 2))),
                   [np.array([0.5, 1.0, 3.0]), np.array([5.0, 6.0, 9.0])], (0, 1)),
    "Pareto small alpha": Spec(lambda r: [positive(r, 6), np.array([0.5, 1.0, 1.5, 2.0, 2.5, 4.0])],
                               lambda d, s, a: d.Pareto(s, a), lambda r, s: 2.0 + positive(r, s),
                               ("mean", "variance"), None, None, ()),
    "Chi2": Spec(lambda r: [positive(r, (2, 3)) * 3], lambda d, df: d.Chi2(df), lambda r, s: positive(r, s),
                 ("log_prob", "mean", "mode", "variance", "entropy"), lambda df: (df, 2 * df),
                 [np.array([0.5, 3.0, 10.0])], ()),
    "Geometric probs": Spec(lambda r: [probabilities(r, (2, 3))], lambda d, p: d.Geometric(probs=p),
                            lambda r, s: r.integers(0, 6, s).astype(float),
                            ("log_prob", "mean", "mode", "variance", "entropy"),
                            lambda p: ((1 - p) / p, (1 - p) / p ** 2), [np.array([0.1, 0.5, 0.9])], ()),
    "Geometric logits": Spec(lambda r: [r.standard_normal((2, 3))], lambda d, logits: d.Geometric(logits=logits),
                             lambda r, s: r.integers(0, 6, s).astype(float),
                             ("log_prob", "mean", "variance", "entropy"), None, None, ()),
    "NegativeBinomial probs": Spec(lambda r: [positive(r, (2, 1)) * 3, probabilities(r, 3)],
                                   lambda d, n, p: d.NegativeBinomial(n, probs=p),
                                   lambda r, s: r.integers(0, 8, s).astype(float),
                                   ("log_prob", "mean", "mode", "variance"), _negative_binomial_moments,
                                   [np.array([0.5, 3.0, 10.0]), np.array([0.2, 0.5, 0.8])], ()),
    "NegativeBinomial logits": Spec(lambda r: [positive(r, 3) * 3, r.standard_normal((2, 3))],
                                    lambda d, n, logits: d.NegativeBinomial(n, logits=logits),
                                    lambda r, s: r.integers(0, 8, s).astype(float),
                                    ("log_prob", "mean", "variance"), None, None, ()),
    "ContinuousBernoulli probs": Spec(lambda r: [np.array([[0.2, 0.4995, 0.5], [0.5005, 0.7, 0.95]])],
                                      lambda d, p: d.ContinuousBernoulli(probs=p), lambda r, s: r.uniform(0.02, 0.98, s),
                                      ("log_prob", "cdf", "icdf", "mean", "variance", "stddev", "entropy"),
                                      _continuous_bernoulli_moments, [np.array([0.1, 0.5, 0.8])], (0,)),
    "ContinuousBernoulli logits": Spec(lambda r: [r.standard_normal((2, 3)) * 2], lambda d, l: d.ContinuousBernoulli(
        logits=l), lambda r, s: r.uniform(0.02, 0.98, s), ("log_prob", "cdf", "mean", "variance", "entropy"), None,
        None, (0,)),
    "Kumaraswamy": Spec(lambda r: [positive(r, (2, 1)) + 0.5, positive(r, 3) + 0.5], lambda d, a, b: d.Kumaraswamy(a, b),
                        lambda r, s: r.uniform(0.02, 0.98, s), ("log_prob", "cdf", "icdf", "mean", "variance", "entropy"),
                        _kumaraswamy_moments, [np.array([0.5, 2.0, 5.0]), np.array([0.7, 3.0, 1.5])], (0, 1)),
    "VonMises": Spec(lambda r: [r.standard_normal((2, 1)), positive(r, 3) * 3], lambda d, loc, k: d.VonMises(loc, k),
                     lambda r, s: r.uniform(-np.pi, np.pi, s), ("log_prob", "mean", "mode", "variance"), None, None, ()),
}

GAMMA_BASED = {"StudentT", "Chi2"}     # gradients through digamma's derivative (trigamma)
# Where Pareto's mean or variance is infinite, PyTorch's gradient is NaN in alpha (0 in scale) and
# fastgrad's is 0 in both: compare values only there; the finite entries' gradients are checked
# by the "Pareto" case.
VALUES_ONLY = {"Pareto small alpha"}


def _part_case(name, part):
    spec = SPECS[name]
    if part in ("log_prob", "cdf"):
        def arrays(r):
            return spec.params(r) + [spec.value(r, (4, 2, 3))]
        return arrays, lambda d, *a: getattr(spec.make(d, *a[:-1]), part)(a[-1])
    if part == "icdf":
        return (lambda r: spec.params(r) + [r.uniform(0.05, 0.95, (4, 2, 3))],
                lambda d, *a: spec.make(d, *a[:-1]).icdf(a[-1]))
    if part == "entropy":
        return spec.params, lambda d, *a: spec.make(d, *a).entropy()
    if name in VALUES_ONLY:
        return spec.params, lambda d, *a: getattr(spec.make(d, *a), part).detach()
    return spec.params, lambda d, *a: getattr(spec.make(d, *a), part)


CASES = [(name, part) for name, spec in SPECS.items() for part in spec.parts]


@pytest.mark.parametrize("name, part", CASES, ids=[f"{n} {p}" for n, p in CASES])
def test_matches_pytorch(name, part, rng):
    tol = TRIGAMMA_TOL if name.split()[0] in GAMMA_BASED or name.startswith("NegativeBinomial") else dict(
        rtol=1e-9, atol=1e-12)
    if name == "VonMises":      # PyTorch's log I0 is a polynomial fit good to about 1e-7; fastgrad's is SciPy's
        tol = dict(rtol=1e-6, atol=1e-7)
    check_cases({name: _part_case(name, part)}, name, rng, tol)


@pytest.mark.parametrize("name", [n for n, s in SPECS.items() if "log_prob" in s.parts])
def test_numerical_gradients_of_log_prob(name, rng):
    spec = SPECS[name]
    params = leaves(*spec.params(rng))
    value = spec.value(rng, (2, 3))
    continuous = name not in ("Geometric probs", "Geometric logits") and not name.startswith("NegativeBinomial")
    if continuous:
        (v,) = leaves(value)
        assert fg.gradcheck(lambda *a: spec.make(D, *a[:-1]).log_prob(a[-1]), params + [v])
    else:
        assert fg.gradcheck(lambda *a: spec.make(D, *a).log_prob(fg.tensor(value)), params)


@pytest.mark.parametrize("name", [n for n, s in SPECS.items() if s.rsample_positions])
def test_numerical_gradients_of_rsample(name, rng):
    spec = SPECS[name]
    arrays = spec.params(rng)
    positions = spec.rsample_positions
    fixed = {i: fg.tensor(a) for i, a in enumerate(arrays) if i not in positions}
    free = leaves(*[arrays[i] for i in positions])

    def make(*free_leaves):
        given = dict(fixed)
        given.update(zip(positions, free_leaves))
        return spec.make(D, *[given[i] for i in range(len(arrays))])
    assert make(*free).has_rsample
    assert gradcheck_seeded(lambda *a: make(*a).rsample((4,)), free)


def test_studentt_rsample_gradient_in_df_matches_the_mean_of_its_derivative():
    """d/d df of E[|x|] for a standard StudentT, from the per-draw gradients of rsample, within
    the sampling error, against the derivative of the closed form E|x| = 2 sqrt(df) / ((df - 1) B(df/2, 1/2))."""
    from scipy.special import beta
    n, df = 20000, 4.0
    leaf = fg.tensor(np.full(n, df), requires_grad=True)
    fg.manual_seed(3)
    D.StudentT(leaf).rsample().abs().sum().backward()
    per_draw = leaf.grad.numpy()

    def mean_abs(v):
        return 2 * np.sqrt(v) / ((v - 1) * beta(v / 2, 0.5))
    exact = (mean_abs(df + 1e-5) - mean_abs(df - 1e-5)) / 2e-5
    assert abs(per_draw.mean() - exact) <= 5 * per_draw.std() / np.sqrt(n)


@pytest.mark.parametrize("name", [n for n, s in SPECS.items() if s.moments is not None])
def test_sample_moments_and_shapes(name):
    torch = pytest.importorskip("torch")
    spec = SPECS[name]
    fg.manual_seed(0)
    samples = spec.make(D, *map(fg.tensor, spec.sample_params)).sample((40000,)).numpy()
    assert samples.dtype == np.float64
    mean, variance = spec.moments(*spec.sample_params)
    assert_moments(samples, mean, variance)
    mine = spec.make(D, *map(fg.tensor, spec.sample_params))
    theirs = spec.make(torch.distributions, *map(torch.tensor, spec.sample_params))
    assert_shapes_match(mine, theirs)
    if name == "Pareto":
        np.testing.assert_array_equal(mine.support.lower_bound.numpy(), theirs.support.lower_bound.numpy())
    else:
        assert repr(mine.support) == repr(theirs.support)
    if not mine.support.is_discrete:
        assert np.all(np.asarray(mine.support.check(fg.tensor(samples))))
    else:
        assert np.all(samples == np.round(samples)) and samples.min() >= 0


@pytest.mark.parametrize("name", sorted(SPECS))
def test_expand_matches_pytorch(name, rng):
    torch = pytest.importorskip("torch")
    spec = SPECS[name]
    arrays = spec.params(rng)
    mine, theirs = spec.make(D, *map(fg.tensor, arrays)), spec.make(torch.distributions, *map(torch.tensor, arrays))
    wide, wide_theirs = mine.expand((4,) + mine.batch_shape), theirs.expand((4,) + theirs.batch_shape)
    assert wide.batch_shape == tuple(wide_theirs.batch_shape) == (4, *mine.batch_shape)
    assert tuple(wide.sample((2,)).shape) == tuple(wide_theirs.sample((2,)).shape)
    value = spec.value(rng, (4, *mine.batch_shape))
    np.testing.assert_allclose(wide.log_prob(fg.tensor(value)).numpy(), wide_theirs.log_prob(torch.tensor(value)).numpy(),
                               rtol=1e-6 if name == "VonMises" else 1e-9)


def test_half_distributions_outside_the_support():
    for d in (D.HalfNormal(fg.tensor([1.0]), validate_args=False), D.HalfCauchy(fg.tensor([1.0]), validate_args=False)):
        assert d.log_prob(fg.tensor([-0.5])).item() == -np.inf


def test_von_mises_log_prob_is_exact_and_its_samples_follow_it():
    """log I0 from SciPy (exact where PyTorch's polynomial is good to 1e-7), also for a large
    concentration; samples: E[cos(x - loc)] = I1(k) / I0(k) = 1 - variance, angles in [-pi, pi), shapes."""
    torch = pytest.importorskip("torch")
    from scipy.special import i0
    loc, k = np.array([0.5, -2.0, 3.0]), np.array([0.3, 2.0, 900.0])
    x = np.array([0.1, -1.0, 3.01])
    np.testing.assert_allclose(D.VonMises(fg.tensor(loc[:2]), fg.tensor(k[:2])).log_prob(fg.tensor(x[:2])).numpy(),
                               k[:2] * np.cos(x[:2] - loc[:2]) - np.log(2 * np.pi * i0(k[:2])), rtol=1e-13)
    assert np.isfinite(D.VonMises(fg.tensor(loc), fg.tensor(k)).log_prob(fg.tensor(x)).numpy()).all()
    n = 40000
    fg.manual_seed(5)
    d = D.VonMises(fg.tensor(loc), fg.tensor(k))
    samples = d.sample((n,)).numpy()
    assert samples.min() >= -np.pi and samples.max() < np.pi
    cosines = np.cos(samples - loc)
    expected = 1 - d.variance.numpy()
    assert np.all(np.abs(cosines.mean(0) - expected) <= 5 * cosines.std(0) / np.sqrt(n) + 1e-12)
    assert_shapes_match(d, torch.distributions.VonMises(torch.tensor(loc), torch.tensor(k)))


def test_kumaraswamy_mode_is_the_density_peak():
    """((a - 1) / (a b - 1))^(1/a) where a, b >= 1 (PyTorch 2.13's mode is NaN everywhere), NaN elsewhere."""
    a, b = np.array([2.0, 5.0, 1.5, 0.5, 3.0]), np.array([3.0, 1.5, 1.0, 2.0, 0.7])
    mode = D.Kumaraswamy(fg.tensor(a), fg.tensor(b)).mode.numpy()
    x = np.linspace(1e-6, 1 - 1e-6, 200001)[:, None]
    peak = x[np.argmax(a * b * x ** (a - 1) * (1 - x ** a) ** (b - 1), axis=0), 0]
    np.testing.assert_allclose(mode[:3], peak[:3], atol=1e-5)
    assert np.all(np.isnan(mode[3:]))


@pytest.mark.parametrize("call, words", [
    (lambda: D.StudentT(-1.0), "StudentT.*df"),
    (lambda: D.StudentT(2.0, 0.0, 0.0), "StudentT.*scale"),
    (lambda: D.Cauchy(0.0, -1.0), "Cauchy.*scale"),
    (lambda: D.HalfCauchy(-1.0), "scale.*HalfCauchy"),
    (lambda: D.HalfNormal(0.0), "scale.*HalfNormal"),
    (lambda: D.HalfNormal(1.0).log_prob(fg.tensor(-1.0)), "support"),
    (lambda: D.Gumbel(0.0, -2.0), "Gumbel.*scale"),
    (lambda: D.Weibull(1.0, -1.0), "Weibull.*concentration"),
    (lambda: D.Weibull(1.0, 2.0).log_prob(fg.tensor(0.0)), "support"),
    (lambda: D.Pareto(1.0, 0.0), "alpha.*Pareto"),
    (lambda: D.Pareto(fg.tensor(2.0), 1.0).log_prob(fg.tensor(1.5)), "support"),
    (lambda: D.Chi2(-3.0), "df.*Chi2"),
    (lambda: D.Geometric(fg.tensor(0.0)), "probs.*positive"),
    (lambda: D.Geometric(fg.tensor(1.5)), "Geometric.*probs"),
    (lambda: D.Geometric(fg.tensor(0.5)).log_prob(fg.tensor(1.5)), "support"),
    (lambda: D.Geometric(), "Geometric: either `probs` or `logits`"),
    (lambda: D.NegativeBinomial(-1.0, fg.tensor(0.5)), "NegativeBinomial.*total_count"),
    (lambda: D.NegativeBinomial(2.0, fg.tensor(1.0)), "NegativeBinomial.*probs"),
    (lambda: D.NegativeBinomial(2.0, fg.tensor(0.5)).log_prob(fg.tensor(-1.0)), "support"),
    (lambda: D.ContinuousBernoulli(fg.tensor(1.5)), "ContinuousBernoulli.*probs"),
    (lambda: D.ContinuousBernoulli(fg.tensor(0.3)).log_prob(fg.tensor(1.5)), "support"),
    (lambda: D.Kumaraswamy(1.0, -1.0), "Kumaraswamy.*concentration0"),
    (lambda: D.VonMises(0.0, -1.0), "VonMises.*concentration"),
])
def test_bad_arguments(call, words):
    with pytest.raises(ValueError, match=words):
        call()


def test_geometric_certain_success_has_zero_failures(rng):
    check(lambda p, v: D.Geometric(probs=p).log_prob(v),
          lambda p, v: __import__("torch").distributions.Geometric(probs=p).log_prob(v),
          [np.array([1.0, 1.0, 0.5]), np.array([0.0, 0.0, 2.0])], rng)
