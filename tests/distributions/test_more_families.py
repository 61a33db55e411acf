"""InverseGamma, FisherSnedecor, GeneralizedPareto, LogisticNormal, Wishart, LKJCholesky,
OneHotCategoricalStraightThrough and the ExponentialFamily base against torch.distributions
(float64 values and gradients of log_prob, moments and entropy; GeneralizedPareto in float32,
where PyTorch 2.13's float64 path fails, and against SciPy's genpareto in float64), numerical
gradients of log_prob and rsample, sample statistics, shapes, expand and argument validation."""
import numpy as np
import pytest

import fastgrad as fg
from distribution_parity import (TRIGAMMA_TOL, assert_moments, assert_shapes_match, check_cases, gradcheck_seeded,
                                 leaves, positive)
from fastgrad import distributions as D
from fastgrad.distributions import constraints as C

pytest.importorskip("scipy")   # lgamma, digamma

TOL = dict(rtol=1e-9, atol=1e-12)


def _lower(r, batch, n):
    """Lower Cholesky factors with diagonals in [0.5, 1.5]."""
    a = np.tril(r.standard_normal(batch + (n, n)) * 0.5, -1)
    return a + np.eye(n) * r.uniform(0.5, 1.5, batch + (n,))[..., None]


def _positive_definite(r, batch, n):
    factor = _lower(r, batch, n)
    return factor @ np.swapaxes(factor, -1, -2)


def _simplex(r, shape):
    y = np.exp(r.standard_normal(shape))
    return y / y.sum(-1, keepdims=True)


# name: (params(rng), make(d, *params), value(rng) -> values in the support, parts compared to PyTorch)
FAMILIES = {
    "InverseGamma": (lambda r: [positive(r, (2, 1)) * 3, positive(r, 3)], lambda d, c, rate: d.InverseGamma(c, rate),
                     lambda r: positive(r, (4, 2, 3)), ("log_prob", "mean", "mode", "variance", "entropy")),
    "InverseGamma small concentration": (lambda r: [np.array([0.5, 1.5, 2.5]), positive(r, 3)],
                                         lambda d, c, rate: d.InverseGamma(c, rate), lambda r: positive(r, (4, 3)),
                                         ("mean", "variance")),
    "FisherSnedecor": (lambda r: [positive(r, (2, 1)) * 4, positive(r, 3) * 3 + 4.5],
                       lambda d, a, b: d.FisherSnedecor(a, b), lambda r: positive(r, (4, 2, 3)),
                       ("log_prob", "mean", "mode", "variance")),
    "FisherSnedecor small df": (lambda r: [np.array([1.0, 2.5, 3.0, 6.0]), np.array([1.5, 3.0, 4.5, 2.0])],
                                lambda d, a, b: d.FisherSnedecor(a, b), lambda r: positive(r, (4, 4)),
                                ("mean", "mode", "variance")),
    "LogisticNormal": (lambda r: [r.standard_normal((2, 3)), positive(r, 3)],
                       lambda d, loc, s: d.LogisticNormal(loc, s), lambda r: _simplex(r, (4, 2, 4)), ("log_prob",)),
    "Wishart": (lambda r: [positive(r, 2) * 2 + 3, _lower(r, (2,), 3)],
                lambda d, df, tril: d.Wishart(df, scale_tril=tril.tril()), lambda r: _positive_definite(r, (4, 2), 3),
                ("log_prob", "mean", "mode", "variance", "entropy")),
    "Wishart covariance": (lambda r: [np.array([3.0, 4.5]), _positive_definite(r, (), 2)],
                           lambda d, df, cov: d.Wishart(df, covariance_matrix=cov),
                           lambda r: _positive_definite(r, (4, 2), 2), ("log_prob", "entropy")),
    "Wishart precision": (lambda r: [np.array([2.5]), _positive_definite(r, (3,), 2)],
                          lambda d, df, p: d.Wishart(df, precision_matrix=p),
                          lambda r: _positive_definite(r, (4, 3), 2), ("log_prob", "mean")),
    "LKJCholesky": (lambda r: [positive(r, 3) * 2], lambda d, c: d.LKJCholesky(4, c),
                    lambda r: None, ("log_prob",)),
}
GAMMA_BASED = {"InverseGamma", "FisherSnedecor", "Wishart", "LKJCholesky"}   # gradients through trigamma
# Where a moment is infinite or undefined, PyTorch's gradient is NaN and fastgrad's 0: values only.
VALUES_ONLY = {"InverseGamma small concentration", "FisherSnedecor small df"}


def _lkj_values(r, concentration):
    torch = pytest.importorskip("torch")
    torch.manual_seed(int(r.integers(1 << 30)))
    return torch.distributions.LKJCholesky(4, torch.tensor(concentration)).sample((5,)).numpy()


def _case(name, part, rng):
    params, make, value, _ = FAMILIES[name]
    if part in ("log_prob", "cdf"):
        def arrays(r):
            p = params(r)
            return p + [_lkj_values(r, p[0]) if name == "LKJCholesky" else value(r)]
        return arrays, lambda d, *a: getattr(make(d, *a[:-1]), part)(a[-1])
    if part == "entropy":
        return params, lambda d, *a: make(d, *a).entropy()
    if name in VALUES_ONLY:
        return params, lambda d, *a: getattr(make(d, *a), part).detach()
    return params, lambda d, *a: getattr(make(d, *a), part)


CASES = [(name, part) for name, spec in FAMILIES.items() for part in spec[3]]


@pytest.mark.parametrize("name, part", CASES, ids=[f"{n} {p}" for n, p in CASES])
def test_matches_pytorch(name, part, rng):
    tol = TRIGAMMA_TOL if name.split()[0] in GAMMA_BASED else TOL
    check_cases({name: _case(name, part, rng)}, name, rng, tol)


@pytest.mark.parametrize("name", [n for n in FAMILIES if n not in VALUES_ONLY])
def test_shapes_and_expand_match_pytorch(name, rng):
    torch = pytest.importorskip("torch")
    params, make, value, parts = FAMILIES[name]
    arrays = params(rng)
    mine, theirs = make(D, *map(fg.tensor, arrays)), make(torch.distributions, *map(torch.tensor, arrays))
    assert_shapes_match(mine, theirs)
    assert repr(mine.support) == repr(theirs.support) and mine.support.event_dim == theirs.support.event_dim
    assert ({k: repr(c) for k, c in mine.arg_constraints.items()}
            == {k: repr(c) for k, c in theirs.arg_constraints.items()})
    wide, wide_theirs = mine.expand((5,) + mine.batch_shape), theirs.expand((5,) + theirs.batch_shape)
    assert wide.batch_shape == tuple(wide_theirs.batch_shape) and wide.event_shape == tuple(wide_theirs.event_shape)
    assert tuple(wide.sample((2,)).shape) == tuple(wide_theirs.sample((2,)).shape)
    x = wide_theirs.sample()
    np.testing.assert_allclose(wide.log_prob(fg.tensor(x.numpy())).numpy(), wide_theirs.log_prob(x).numpy(),
                               rtol=1e-8)


def _symmetric(a):
    return (a + a.mT) / 2


# name: (make from leaves, the positions rsample's gradient is checked in by central differences;
# the Gamma-based draws in the others change with the parameter: see test_rsample_gradient_of_the_mean)
GRADCHECKED = {
    "InverseGamma": (lambda c, rate: D.InverseGamma(c, rate), (1,)),
    "FisherSnedecor": (lambda a, b: D.FisherSnedecor(a, b), ()),
    "LogisticNormal": (lambda loc, scale: D.LogisticNormal(loc, scale), (0, 1)),
    "Wishart": (lambda df, tril: D.Wishart(df, scale_tril=tril.tril()), (1,)),
    "Wishart covariance": (lambda df, cov: D.Wishart(df, covariance_matrix=_symmetric(cov)), (1,)),
    "Wishart precision": (lambda df, p: D.Wishart(df, precision_matrix=_symmetric(p)), (1,)),
}


@pytest.mark.parametrize("name", sorted(GRADCHECKED))
def test_numerical_gradients_of_log_prob_and_rsample(name, rng):
    params, _, value, _ = FAMILIES[name]
    make, positions = GRADCHECKED[name]
    arrays = params(rng)
    p = leaves(*arrays)
    x = fg.tensor(value(rng)[0])
    assert fg.gradcheck(lambda *a: make(*a).log_prob(x), p)
    if positions:
        def draw(*free):
            given = [fg.tensor(a) for a in arrays]
            for i, leaf in zip(positions, free):
                given[i] = leaf
            return make(*given).rsample((3,))
        assert gradcheck_seeded(draw, [p[i] for i in positions])


def _per_draw_gradients(make, params, n):
    """Gradients of each draw's sum in each parameter, one draw per row (the parameters repeated
    n times as leaves)."""
    repeated = [fg.tensor(np.repeat(np.asarray(a, dtype=np.float64)[None], n, 0), requires_grad=True) for a in params]
    fg.manual_seed(1)
    make(*repeated).rsample().sum().backward()
    return [leaf.grad.numpy() for leaf in repeated]


def _assert_mean_within_error(per_draw, exact):
    error = per_draw.std(0) / np.sqrt(per_draw.shape[0])
    assert np.all(np.abs(per_draw.mean(0) - exact) <= 5 * error + 1e-12), (per_draw.mean(0), exact)


def test_rsample_gradient_of_the_mean():
    """The mean of the per-draw gradients is the gradient of the mean, within sampling error:
    d/dc E[InverseGamma] = -rate / (c - 1)^2, d/d df2 E[F] = -2 / (df2 - 2)^2 (and 0 in df1),
    d/d df E[Wishart] summed over the matrix = sum(Sigma)."""
    n = 20000
    c, rate = np.array([4.0, 7.0]), np.array([1.0, 2.0])
    (grad_c, _) = _per_draw_gradients(lambda a, b: D.InverseGamma(a, b), [c, rate], n)
    _assert_mean_within_error(grad_c, -rate / (c - 1) ** 2)
    df1, df2 = np.array([5.0, 12.0]), np.array([9.0, 15.0])
    grad1, grad2 = _per_draw_gradients(lambda a, b: D.FisherSnedecor(a, b), [df1, df2], n)
    _assert_mean_within_error(grad1, 0.0)
    _assert_mean_within_error(grad2, -2 / (df2 - 2) ** 2)
    cov = np.array([[1.0, 0.3], [0.3, 0.5]])
    (grad_df, _) = _per_draw_gradients(lambda df, s: D.Wishart(df, covariance_matrix=s), [np.array(4.0), cov], n)
    _assert_mean_within_error(grad_df, cov.sum())


def test_numerical_gradients_of_lkj_log_prob(rng):
    (c,) = leaves(positive(rng, 3) * 2)
    value = fg.tensor(_lkj_values(rng, c.numpy()))
    assert fg.gradcheck(lambda a: D.LKJCholesky(4, a).log_prob(value), [c])


def _concentration_fixed(make):
    """make(d, c, rate) with the concentration a constant (the cdf has no gradient in it)."""
    return lambda d, c, rate: make(d, c.detach(), rate)


@pytest.mark.parametrize("name", ["Gamma", "InverseGamma", "Chi2"])
def test_cdf_matches_pytorch(name, rng):
    makers = {"Gamma": lambda d, c, rate: d.Gamma(c, rate), "InverseGamma": lambda d, c, rate: d.InverseGamma(c, rate),
              "Chi2": lambda d, c, rate: d.Chi2(c * 3)}
    make = _concentration_fixed(makers[name])
    case = {name: (lambda r: [positive(r, (2, 1)) * 3, positive(r, 3), positive(r, (4, 2, 3)) * 2],
                   lambda d, c, rate, v: make(d, c, rate).cdf(v))}
    check_cases(case, name, rng, TOL)
    c, rate = leaves(positive(rng, 3), positive(rng, 3))
    (v,) = leaves(positive(rng, (2, 3)))
    assert fg.gradcheck(lambda b, x: make(D, c, b).cdf(x), [rate, v])


def test_gamma_cdf_refuses_a_concentration_that_requires_grad():
    c = fg.tensor([2.0], requires_grad=True)
    with pytest.raises(ValueError, match="Gamma.cdf: the gradient with respect to the concentration"):
        D.Gamma(c, 1.0).cdf(fg.tensor([1.0]))
    with fg.no_grad():
        assert 0 < D.Gamma(c, 1.0).cdf(fg.tensor([1.0])).item() < 1


# ---- sample statistics ----

def test_inverse_gamma_and_fisher_snedecor_sample_moments():
    c, rate = np.array([5.0, 8.0, 12.0]), np.array([0.5, 1.0, 3.0])
    fg.manual_seed(0)
    samples = D.InverseGamma(fg.tensor(c), fg.tensor(rate)).sample((40000,)).numpy()
    assert samples.dtype == np.float64 and np.all(samples > 0)
    assert_moments(samples, rate / (c - 1), rate ** 2 / ((c - 1) ** 2 * (c - 2)))
    a, b = np.array([3.0, 6.0, 20.0]), np.array([10.0, 12.0, 30.0])
    samples = D.FisherSnedecor(fg.tensor(a), fg.tensor(b)).rsample((40000,)).detach().numpy()
    assert_moments(samples, b / (b - 2), 2 * b ** 2 * (a + b - 2) / (a * (b - 2) ** 2 * (b - 4)))


def test_logistic_normal_samples_come_from_its_normal():
    """The stick-breaking inverse of the samples is Normal(loc, scale) in every entry."""
    loc, scale = np.array([-1.0, 0.0, 2.0]), np.array([0.5, 1.0, 2.0])
    fg.manual_seed(1)
    d = D.LogisticNormal(fg.tensor(loc), fg.tensor(scale))
    samples = d.sample((40000,))
    assert np.all(np.asarray(C.simplex.check(samples)))
    x = D.transforms.StickBreakingTransform().inv(samples).numpy()
    assert_moments(x, loc, scale ** 2)


def test_wishart_sample_moments_and_support():
    cov = np.array([[2.0, 0.5, 0.0], [0.5, 1.0, -0.3], [0.0, -0.3, 0.5]])
    df = np.array([3.5, 7.0])
    fg.manual_seed(2)
    d = D.Wishart(fg.tensor(df), fg.tensor(cov))
    samples = d.sample((20000,))
    assert tuple(samples.shape) == (20000, 2, 3, 3)
    assert np.all(np.asarray(C.positive_definite.check(samples)))
    assert_moments(samples.numpy(), d.mean.numpy(), d.variance.numpy())


def test_generalized_pareto_sample_moments():
    loc, scale, c = np.array([0.0, 1.0, -2.0]), np.array([1.0, 0.5, 2.0]), np.array([-0.4, 0.0, 0.2])
    fg.manual_seed(3)
    d = D.GeneralizedPareto(fg.tensor(loc), fg.tensor(scale), fg.tensor(c))
    samples = d.rsample((40000,)).detach().numpy()
    assert np.all(np.asarray(d.support.check(fg.tensor(samples))))
    assert_moments(samples, d.mean.numpy(), d.variance.numpy())


@pytest.mark.parametrize("dim, eta", [(2, 1.0), (3, 0.5), (4, 2.0), (6, 1.0)])
def test_lkj_cholesky_samples_have_the_lkj_marginals(dim, eta):
    """Every off-diagonal correlation of LKJ(eta) in dimension d is 2 B - 1 for
    B ~ Beta(eta - 1 + d/2, eta - 1 + d/2): mean 0, variance 1 / (2 eta + d - 1)."""
    fg.manual_seed(4)
    factors = D.LKJCholesky(dim, fg.tensor(eta, dtype=fg.float64)).sample((20000,)).numpy()
    assert np.all(np.asarray(C.corr_cholesky.check(factors)))
    correlations = factors @ np.swapaxes(factors, -1, -2)
    rows, cols = np.tril_indices(dim, -1)
    r = correlations[:, rows, cols]
    np.testing.assert_allclose(np.diagonal(correlations, axis1=-2, axis2=-1), 1.0, rtol=1e-12)
    variance = np.full(r.shape[1], 1 / (2 * eta + dim - 1))
    assert_moments(r, np.zeros(r.shape[1]), variance)


def test_lkj_cholesky_density_integrates_to_one_in_two_dimensions():
    """In two dimensions L = [[1, 0], [r, sqrt(1 - r^2)]]: the density over r integrates to 1."""
    r = np.linspace(-1 + 1e-7, 1 - 1e-7, 200001)
    factors = np.zeros((r.size, 2, 2))
    factors[:, 0, 0], factors[:, 1, 0], factors[:, 1, 1] = 1.0, r, np.sqrt(1 - r ** 2)
    for eta in (1.0, 2.5, 7.0):
        density = np.exp(D.LKJCholesky(2, eta, validate_args=False).log_prob(fg.tensor(factors)).numpy())
        np.testing.assert_allclose(np.trapezoid(density, r), 1.0, rtol=1e-5)


# ---- GeneralizedPareto ----

GPD_PARAMS = [np.array([0.0, 1.0, -1.0]), np.array([1.0, 0.5, 2.0]), np.array([-0.3, 0.0, 0.4])]


@pytest.mark.parametrize("part", ["log_prob", "cdf", "icdf", "mean", "variance", "entropy", "mode"])
def test_generalized_pareto_matches_pytorch_in_float32(part, rng):
    torch = pytest.importorskip("torch")
    params32 = [p.astype(np.float32) for p in GPD_PARAMS]
    value = (GPD_PARAMS[0] + rng.uniform(0.05, 1.5, (4, 3)) * GPD_PARAMS[1]).astype(np.float32)
    if part == "icdf":
        value = rng.uniform(0.05, 0.95, (4, 3)).astype(np.float32)
    mine_leaves = [fg.tensor(p, requires_grad=True) for p in params32]
    their_leaves = [torch.tensor(p, requires_grad=True) for p in params32]
    mine, theirs = D.GeneralizedPareto(*mine_leaves), torch.distributions.GeneralizedPareto(*their_leaves)
    if part in ("log_prob", "cdf", "icdf"):
        got, expected = getattr(mine, part)(fg.tensor(value)), getattr(theirs, part)(torch.tensor(value))
    elif part == "entropy":
        got, expected = mine.entropy(), theirs.entropy()
    else:
        got, expected = getattr(mine, part), getattr(theirs, part)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got.numpy(), expected.detach().numpy(), rtol=2e-5, atol=1e-6)
    if expected.requires_grad:
        got.sum().backward()
        expected.sum().backward()
        for i, (m, t) in enumerate(zip(mine_leaves, their_leaves)):
            mine_grad = m.grad.numpy() if m.grad is not None else np.zeros(3, np.float32)
            their_grad = t.grad.numpy() if t.grad is not None else np.zeros(3, np.float32)
            if i == 2:
                # at concentration 0 PyTorch switches to the c = 0 formula, whose gradient in c is 0;
                # fastgrad's is the true derivative there (checked numerically in float64 below)
                mine_grad, their_grad = mine_grad[[0, 2]], their_grad[[0, 2]]
            np.testing.assert_allclose(mine_grad, their_grad, rtol=1e-4, atol=1e-5)


def test_generalized_pareto_matches_scipy_in_float64(rng):
    stats = pytest.importorskip("scipy.stats")
    loc, scale, c = GPD_PARAMS
    d = D.GeneralizedPareto(*map(fg.tensor, GPD_PARAMS))
    frozen = stats.genpareto(c, loc=loc, scale=scale)
    x = loc + rng.uniform(0.05, 1.5, (4, 3)) * scale
    u = rng.uniform(0.01, 0.99, (4, 3))
    np.testing.assert_allclose(d.log_prob(fg.tensor(x)).numpy(), frozen.logpdf(x), rtol=1e-12)
    np.testing.assert_allclose(d.cdf(fg.tensor(x)).numpy(), frozen.cdf(x), rtol=1e-12)
    np.testing.assert_allclose(d.icdf(fg.tensor(u)).numpy(), frozen.ppf(u), rtol=1e-12)
    np.testing.assert_allclose(d.mean.numpy(), frozen.mean(), rtol=1e-12)
    np.testing.assert_allclose(d.variance.numpy(), frozen.var(), rtol=1e-12)
    np.testing.assert_allclose(d.entropy().numpy(), frozen.entropy(), rtol=1e-12)
    np.testing.assert_allclose(d.support.upper_bound.numpy(), frozen.support()[1], rtol=1e-12)


def test_generalized_pareto_numerical_gradients(rng):
    loc, scale, c = leaves(*GPD_PARAMS)
    (x,) = leaves(GPD_PARAMS[0] + rng.uniform(0.05, 1.5, (2, 3)) * GPD_PARAMS[1])
    assert fg.gradcheck(lambda *a: D.GeneralizedPareto(*a[:3]).log_prob(a[3]), [loc, scale, c, x])
    assert fg.gradcheck(lambda *a: D.GeneralizedPareto(*a[:3]).cdf(a[3]), [loc, scale, c, x])
    assert gradcheck_seeded(lambda *a: D.GeneralizedPareto(*a).rsample((3,)), [loc, scale, c])


def test_moments_where_undefined():
    gp = D.GeneralizedPareto(0.0, 1.0, fg.tensor([0.6, 1.0]))
    assert np.isinf(gp.mean.numpy()[1]) and np.all(np.isnan(gp.variance.numpy()))
    ig = D.InverseGamma(fg.tensor([0.5, 1.5]), 1.0)
    assert np.all(np.isinf(ig.variance.numpy())) and np.isinf(ig.mean.numpy()[0])
    f = D.FisherSnedecor(fg.tensor([1.0]), fg.tensor([2.0]))
    assert np.isnan(f.mean.item()) and np.isnan(f.variance.item()) and np.isnan(f.mode.item())
    assert np.all(np.isnan(D.Wishart(fg.tensor(2.5), fg.eye(2, dtype=fg.float64)).mode.numpy()))


# ---- OneHotCategoricalStraightThrough ----

def test_straight_through_rsample_matches_pytorch_gradient(rng):
    torch = pytest.importorskip("torch")
    logits, weights = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    mine_logits = fg.tensor(logits, requires_grad=True)
    their_logits = torch.tensor(logits, requires_grad=True)
    mine = D.OneHotCategoricalStraightThrough(logits=mine_logits)
    theirs = torch.distributions.OneHotCategoricalStraightThrough(logits=their_logits)
    assert mine.has_rsample and theirs.has_rsample
    draws = mine.rsample((3,))
    values = draws.detach().numpy()
    assert values.shape == (3, 4, 5) and np.all(values.sum(-1) == 1) and np.all((values == 0) | (values == 1))
    (draws * fg.tensor(weights)).sum().backward()
    (theirs.rsample((3,)) * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(mine_logits.grad.numpy(), their_logits.grad.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(mine.log_prob(fg.tensor(values)).detach().numpy(),
                               theirs.log_prob(torch.tensor(values)).detach().numpy(), rtol=1e-12)
    assert isinstance(mine, D.OneHotCategorical)


# ---- ExponentialFamily ----

def test_exponential_family_entropy_and_bregman_divergence_match_pytorch(rng):
    torch = pytest.importorskip("torch")
    from fastgrad.distributions.exponential_family import bregman_divergence
    rate, other = positive(rng, 4), positive(rng, 4)
    mine_rate = fg.tensor(rate, requires_grad=True)
    their_rate = torch.tensor(rate, requires_grad=True)
    entropy = D.ExponentialFamily.entropy(D.Exponential(mine_rate))     # the base class's, from the log-normalizer
    expected = torch.distributions.Exponential(their_rate).entropy()
    np.testing.assert_allclose(entropy.detach().numpy(), expected.detach().numpy(), rtol=1e-12)
    entropy.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(mine_rate.grad.numpy(), their_rate.grad.numpy(), rtol=1e-12)
    kl = bregman_divergence(D.Exponential(fg.tensor(rate)), D.Exponential(fg.tensor(other)))
    expected_kl = torch.distributions.kl_divergence(torch.distributions.Exponential(torch.tensor(rate)),
                                                    torch.distributions.Exponential(torch.tensor(other)))
    np.testing.assert_allclose(kl.detach().numpy(), expected_kl.numpy(), rtol=1e-12)
    with pytest.raises(NotImplementedError, match="bregman_divergence"):
        bregman_divergence(D.Exponential(fg.tensor(rate)), D.Wishart(fg.tensor(3.0), fg.eye(2)))


def test_wishart_entropy_from_its_log_normalizer(rng):
    """The base class's entropy (gradient of the log-normalizer) equals Wishart's closed form."""
    d = D.Wishart(fg.tensor(positive(rng, 2) + 3), fg.tensor(_positive_definite(rng, (2,), 3)))
    np.testing.assert_allclose(D.ExponentialFamily.entropy(d).detach().numpy(), d.entropy().numpy(), rtol=1e-12)
    assert isinstance(d, D.ExponentialFamily)


@pytest.mark.parametrize("call, words", [
    (lambda: D.InverseGamma(-1.0, 1.0), "concentration.*InverseGamma"),
    (lambda: D.InverseGamma(1.0, 1.0).log_prob(fg.tensor(-1.0)), "support"),
    (lambda: D.FisherSnedecor(1.0, 0.0), "df2.*FisherSnedecor"),
    (lambda: D.GeneralizedPareto(0.0, -1.0, 0.1), "scale.*GeneralizedPareto"),
    (lambda: D.GeneralizedPareto(0.0, 1.0, -0.5).log_prob(fg.tensor(3.0)), "support"),
    (lambda: D.LogisticNormal(fg.zeros(2), fg.tensor([1.0, -1.0])), "scale.*LogisticNormal"),
    (lambda: D.Wishart(fg.tensor(3.0)), "Wishart: exactly one"),
    (lambda: D.Wishart(fg.tensor(0.5), fg.eye(2)), "df.*Wishart"),
    (lambda: D.Wishart(fg.tensor(3.0), fg.ones(2, 3)), "Wishart.*square"),
    (lambda: D.Wishart(fg.tensor(3.0), fg.tensor([[1.0, 2.0], [2.0, 1.0]])), "covariance_matrix.*Wishart"),
    (lambda: D.LKJCholesky(1), "LKJCholesky: expected dim"),
    (lambda: D.LKJCholesky(3, -1.0), "concentration.*LKJCholesky"),
    (lambda: D.LKJCholesky(2).log_prob(fg.tensor([[1.0, 0.0], [0.9, 0.9]])), "support"),
])
def test_bad_arguments(call, words):
    with pytest.raises(ValueError, match=words):
        call()


def test_wishart_kl_divergence_from_the_bregman_divergence(rng):
    """kl_divergence of two Wisharts (the ExponentialFamily rule) against PyTorch's for each batch
    entry (PyTorch 2.13's batched Bregman divergence mixes the entries), value and gradients in q's
    parameters (PyTorch's are cut from p's), against the closed form, and numerical gradients in both."""
    torch = pytest.importorskip("torch")
    from scipy.special import digamma, multigammaln
    df_p, df_q = positive(rng, 2) + 3, positive(rng, 2) + 3.5
    tril_p, tril_q = _lower(rng, (2,), 3), _lower(rng, (2,), 3)

    def kl(d, a, b, c, e):
        return d.kl_divergence(d.Wishart(a, scale_tril=b.tril()), d.Wishart(c, scale_tril=e.tril()))
    mine = leaves(df_p, tril_p, df_q, tril_q)
    got = kl(D, *mine)
    got.sum().backward()
    for i in range(2):
        theirs = [torch.tensor(a[i], requires_grad=True) for a in (df_p, tril_p, df_q, tril_q)]
        expected = kl(torch.distributions, *theirs)
        np.testing.assert_allclose(got[i].item(), expected.item(), **TRIGAMMA_TOL)
        expected.backward()
        for m, t in zip(mine[2:], theirs[2:]):
            np.testing.assert_allclose(m.grad.numpy()[i], t.grad.numpy(), **TRIGAMMA_TOL)
        sigma_p, sigma_q = tril_p[i] @ tril_p[i].T, tril_q[i] @ tril_q[i].T
        n_p, n_q = df_p[i], df_q[i]
        closed = (n_q / 2 * (np.linalg.slogdet(sigma_q)[1] - np.linalg.slogdet(sigma_p)[1])
                  + n_p / 2 * (np.trace(np.linalg.solve(sigma_q, sigma_p)) - 3)
                  + multigammaln(n_q / 2, 3) - multigammaln(n_p / 2, 3)
                  + (n_p - n_q) / 2 * sum(digamma(n_p / 2 - j / 2) for j in range(3)))
        np.testing.assert_allclose(got[i].item(), closed, rtol=1e-12)
    assert fg.gradcheck(lambda *a: kl(D, *a), leaves(df_p, tril_p, df_q, tril_q))
    same = D.Wishart(fg.tensor(df_p), scale_tril=fg.tensor(tril_p))
    np.testing.assert_allclose(D.kl_divergence(same, same).detach().numpy(), 0.0, atol=1e-12)


# PyTorch's exponential families among the older distributions: (make(d, *params), params(rng))
FAMILY_MEMBERS = {
    "Normal": (lambda d, a, b: d.Normal(a, b), lambda r: [r.standard_normal(3), positive(r, 3)]),
    "Exponential": (lambda d, a: d.Exponential(a), lambda r: [positive(r, 3)]),
    "Gamma": (lambda d, a, b: d.Gamma(a, b), lambda r: [positive(r, 3) * 2, positive(r, 3)]),
    "Chi2": (lambda d, a: d.Chi2(a), lambda r: [positive(r, 3) * 3]),
    "Beta": (lambda d, a, b: d.Beta(a, b), lambda r: [positive(r, 3) * 2, positive(r, 3)]),
    "Bernoulli": (lambda d, p: d.Bernoulli(probs=p), lambda r: [r.uniform(0.1, 0.9, 3)]),
    "Poisson": (lambda d, a: d.Poisson(a), lambda r: [positive(r, 3) * 2]),
    "Dirichlet": (lambda d, a: d.Dirichlet(a), lambda r: [positive(r, (2, 4)) * 2]),
    "ContinuousBernoulli": (lambda d, p: d.ContinuousBernoulli(probs=p),
                            lambda r: [np.array([0.2, 0.4995, 0.503, 0.8])]),
}


@pytest.mark.parametrize("name", sorted(FAMILY_MEMBERS))
def test_exponential_family_members_match_pytorch(name, rng):
    """isinstance ExponentialFamily as in PyTorch; the natural parameters and log-normalizer are
    PyTorch's; the Bregman divergence between two members is the closed-form kl_divergence, and
    the base class's entropy (from the log-normalizer) is the closed form where the carrier's mean is known."""
    torch = pytest.importorskip("torch")
    from fastgrad.distributions.exponential_family import bregman_divergence
    make, params = FAMILY_MEMBERS[name]
    first, second = params(rng), params(rng)
    mine = make(D, *map(fg.tensor, first))
    theirs = make(torch.distributions, *map(torch.tensor, first))
    assert isinstance(mine, D.ExponentialFamily) and isinstance(theirs, torch.distributions.ExponentialFamily)
    for a, b in zip(mine._natural_params, theirs._natural_params):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(mine._log_normalizer(*mine._natural_params).detach().numpy(),
                               theirs._log_normalizer(*theirs._natural_params).detach().numpy(), rtol=1e-9)
    other = make(D, *map(fg.tensor, second))
    np.testing.assert_allclose(bregman_divergence(mine, other).detach().numpy(),
                               D.kl_divergence(mine, other).detach().numpy(), rtol=1e-8, atol=1e-12)
    try:
        carrier = mine._mean_carrier_measure
    except NotImplementedError:
        carrier = None
    if carrier is not None:
        np.testing.assert_allclose(D.ExponentialFamily.entropy(mine).detach().numpy(),
                                   mine.entropy().detach().numpy(), rtol=1e-10, atol=1e-12)


def test_different_exponential_families_have_no_kl():
    with pytest.raises(NotImplementedError, match="No KL.*Poisson.*Exponential"):
        D.kl_divergence(D.Poisson(fg.tensor([1.0])), D.Exponential(fg.tensor([0.5])))
