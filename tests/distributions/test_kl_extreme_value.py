"""kl_divergence pairs of Gumbel, Pareto, Cauchy, HalfNormal, Geometric, Chi2, Weibull, StudentT
and ContinuousBernoulli against torch.distributions.kl_divergence (float64 values and gradients), including the
infinite ones and the pairs PyTorch does not define."""
import numpy as np
import pytest

from distribution_parity import TRIGAMMA_TOL, check_cases, positive, probabilities
from fastgrad import distributions as D

pytest.importorskip("scipy")   # lgamma, digamma


def _normal(r, shape=3):
    return [r.standard_normal(shape), positive(r, shape)]


def _pair(make_p, make_q, p_arrays, q_arrays):
    n = len(p_arrays(np.random.default_rng(0)))
    return (lambda r: p_arrays(r) + q_arrays(r),
            lambda d, *a: d.kl_divergence(make_p(d, *a[:n]), make_q(d, *a[n:])))


NORMAL = (lambda d, a, b: d.Normal(a, b), _normal)
GUMBEL = (lambda d, a, b: d.Gumbel(a, b), _normal)
LAPLACE = (lambda d, a, b: d.Laplace(a, b), _normal)
CAUCHY = (lambda d, a, b: d.Cauchy(a, b), _normal)
EXPONENTIAL = (lambda d, rate: d.Exponential(rate), lambda r: [positive(r, 3)])
GAMMA = (lambda d, c, rate: d.Gamma(c, rate), lambda r: [positive(r, 3) * 2, positive(r, 3)])
BETA = (lambda d, a, b: d.Beta(a, b), lambda r: [positive(r, 3), positive(r, 3)])
UNIFORM = (lambda d, lo, hi: d.Uniform(lo, hi), lambda r: [r.uniform(1.0, 2.0, 3), r.uniform(2.5, 4.0, 3)])
UNIFORM_LOW = (lambda d, lo, hi: d.Uniform(lo, hi), lambda r: [np.array([0.2, 1.5, 0.9]), np.array([3.0, 2.0, 1.5])])
PARETO = (lambda d, s, a: d.Pareto(s, a), lambda r: [positive(r, 3), positive(r, 3) * 3 + 2.5])
PARETO_SMALL_ALPHA = (lambda d, s, a: d.Pareto(s, a), lambda r: [positive(r, 3), np.array([0.5, 1.5, 2.5])])
PARETO_SCALES = (lambda d, s, a: d.Pareto(s, a), lambda r: [np.array([1.0, 2.0, 0.5]), positive(r, 3) + 1])
HALF_CAUCHY = (lambda d, s: d.HalfCauchy(s), lambda r: [positive(r, 3)])
HALF_NORMAL = (lambda d, s: d.HalfNormal(s), lambda r: [positive(r, 3)])
GEOMETRIC = (lambda d, p: d.Geometric(probs=p), lambda r: [probabilities(r, 3)])
GEOMETRIC_LOGITS = (lambda d, l: d.Geometric(logits=l), lambda r: [r.standard_normal(3)])
CHI2 = (lambda d, df: d.Chi2(df), lambda r: [positive(r, 3) * 3])
CONTINUOUS_BERNOULLI = (lambda d, p: d.ContinuousBernoulli(probs=p), lambda r: [np.array([0.2, 0.4995, 0.9])])
CONTINUOUS_BERNOULLI_LOGITS = (lambda d, l: d.ContinuousBernoulli(logits=l), lambda r: [r.standard_normal(3) * 2])
UNIT_UNIFORM = (lambda d, lo, hi: d.Uniform(lo, hi), lambda r: [r.uniform(0.05, 0.3, 3), r.uniform(0.6, 0.95, 3)])
WIDE_UNIFORM = (lambda d, lo, hi: d.Uniform(lo, hi), lambda r: [r.uniform(-2, -0.1, 3), r.uniform(1.1, 3, 3)])

PAIRS = {
    "Gumbel Gumbel": (GUMBEL, GUMBEL), "Exponential Gumbel": (EXPONENTIAL, GUMBEL), "Gamma Gumbel": (GAMMA, GUMBEL),
    "Normal Gumbel": (NORMAL, GUMBEL), "Uniform Gumbel": (UNIFORM, GUMBEL), "Gumbel Normal": (GUMBEL, NORMAL),
    "Chi2 Gumbel": (CHI2, GUMBEL), "Pareto Pareto": (PARETO, PARETO),
    "Pareto Pareto scales": (PARETO_SCALES, (PARETO_SCALES[0], lambda r: [np.array([0.5, 2.0, 1.0]), positive(r, 3)])),
    "Pareto Exponential": (PARETO, EXPONENTIAL), "Pareto Exponential small alpha": (PARETO_SMALL_ALPHA, EXPONENTIAL),
    "Pareto Gamma": (PARETO, GAMMA), "Pareto Gamma small alpha": (PARETO_SMALL_ALPHA, GAMMA),
    "Pareto Normal": (PARETO, NORMAL), "Pareto Normal small alpha": (PARETO_SMALL_ALPHA, NORMAL),
    "Uniform Pareto": (UNIFORM, (PARETO[0], lambda r: [positive(r, 3) * 0.5, positive(r, 3)])),
    "Uniform Pareto below scale": (UNIFORM_LOW, (PARETO[0], lambda r: [np.array([1.0, 1.0, 1.0]), positive(r, 3)])),
    "Cauchy Cauchy": (CAUCHY, CAUCHY), "HalfNormal HalfNormal": (HALF_NORMAL, HALF_NORMAL),
    "HalfCauchy HalfCauchy (through TransformedDistribution)": (HALF_CAUCHY, HALF_CAUCHY),
    "Geometric Geometric": (GEOMETRIC, GEOMETRIC), "Geometric logits": (GEOMETRIC_LOGITS, GEOMETRIC_LOGITS),
    "Chi2 Chi2": (CHI2, CHI2), "Chi2 Normal": (CHI2, NORMAL), "Chi2 Exponential": (CHI2, EXPONENTIAL),
    "Exponential Chi2": (EXPONENTIAL, CHI2),
    "ContinuousBernoulli ContinuousBernoulli": (CONTINUOUS_BERNOULLI, CONTINUOUS_BERNOULLI_LOGITS),
    "ContinuousBernoulli logits": (CONTINUOUS_BERNOULLI_LOGITS, CONTINUOUS_BERNOULLI),
    "Beta ContinuousBernoulli": (BETA, CONTINUOUS_BERNOULLI), "Uniform ContinuousBernoulli": (UNIT_UNIFORM,
                                                                                             CONTINUOUS_BERNOULLI),
    "Uniform outside ContinuousBernoulli": (WIDE_UNIFORM, CONTINUOUS_BERNOULLI),
    "ContinuousBernoulli Uniform": (CONTINUOUS_BERNOULLI_LOGITS, WIDE_UNIFORM),
    "ContinuousBernoulli inside Uniform": (CONTINUOUS_BERNOULLI_LOGITS, UNIT_UNIFORM),
    "ContinuousBernoulli Normal": (CONTINUOUS_BERNOULLI, NORMAL),
    "ContinuousBernoulli Exponential": (CONTINUOUS_BERNOULLI_LOGITS, EXPONENTIAL),
}
INFINITE = [(BETA, PARETO), (EXPONENTIAL, PARETO), (GAMMA, PARETO), (LAPLACE, PARETO), (NORMAL, PARETO),
            (GUMBEL, BETA), (GUMBEL, EXPONENTIAL), (GUMBEL, GAMMA), (GUMBEL, PARETO), (GUMBEL, UNIFORM),
            (PARETO, BETA), (PARETO, UNIFORM), (CONTINUOUS_BERNOULLI, PARETO), (EXPONENTIAL, CONTINUOUS_BERNOULLI),
            (GAMMA, CONTINUOUS_BERNOULLI), (GUMBEL, CONTINUOUS_BERNOULLI), (LAPLACE, CONTINUOUS_BERNOULLI),
            (NORMAL, CONTINUOUS_BERNOULLI), (PARETO, CONTINUOUS_BERNOULLI)]
CASES = {name: _pair(p[0], q[0], p[1], q[1]) for name, (p, q) in PAIRS.items()}
CASES.update({f"infinite {i}": _pair(p[0], q[0], p[1], q[1]) for i, (p, q) in enumerate(INFINITE)})


@pytest.mark.parametrize("name", sorted(CASES))
def test_kl_matches_pytorch(name, rng):
    tol = TRIGAMMA_TOL if "Gamma" in name or "Chi2" in name else dict(rtol=1e-9, atol=1e-12)
    check_cases(CASES, name, rng, tol)


def test_infinite_pairs_are_infinite(rng):
    for p, q in INFINITE:
        kl = D.kl_divergence(p[0](D, *map(D.distribution.as_tensor, p[1](rng))),
                             q[0](D, *map(D.distribution.as_tensor, q[1](rng))))
        assert np.all(np.isinf(kl.numpy()))


@pytest.mark.parametrize("p, q", [
    (lambda: D.Weibull(1.0, 2.0), lambda: D.Weibull(1.0, 3.0)),      # different transforms
    (lambda: D.StudentT(3.0), lambda: D.StudentT(4.0)),
])
def test_pairs_pytorch_does_not_define_are_refused(p, q):
    torch = pytest.importorskip("torch")
    with pytest.raises(NotImplementedError):
        D.kl_divergence(p(), q())
    theirs = {D.Weibull: torch.distributions.Weibull, D.StudentT: torch.distributions.StudentT}
    mine_p, mine_q = p(), q()
    with pytest.raises(NotImplementedError):
        torch.distributions.kl_divergence(
            theirs[type(mine_p)](*_torch_args(mine_p)), theirs[type(mine_q)](*_torch_args(mine_q)))


def _torch_args(d):
    import torch
    names = {"Weibull": ("scale", "concentration"), "StudentT": ("df",)}[type(d).__name__]
    return [torch.tensor(getattr(d, n).numpy().astype(np.float64)) for n in names]


def test_continuous_bernoulli_and_uniform_at_the_edges_of_the_unit_interval():
    """U(0, 1) and U(0, 2) cover [0, 1]: finite KL in both directions (PyTorch's inclusive
    comparisons give inf there), equal to the closed forms."""
    cb = D.ContinuousBernoulli(probs=D.distribution.as_tensor(np.array([0.3])))
    wide = D.Uniform(D.distribution.as_tensor(np.array([0.0])), D.distribution.as_tensor(np.array([2.0])))
    np.testing.assert_allclose(D.kl_divergence(cb, wide).numpy(), np.log(2.0) - cb.entropy().numpy(), rtol=1e-12)
    unit = D.Uniform(D.distribution.as_tensor(np.array([0.0])), D.distribution.as_tensor(np.array([1.0])))
    p = 0.3
    log_c = np.log(2 * np.arctanh(1 - 2 * p) / (1 - 2 * p))
    # KL(U(0, 1) || CB(p)) = -integral_0^1 log q(x) dx = -(log(p) / 2 + log(1 - p) / 2 + log C(p))
    np.testing.assert_allclose(D.kl_divergence(unit, cb).numpy(), -(0.5 * np.log(p) + 0.5 * np.log1p(-p) + log_c),
                               rtol=1e-12)
