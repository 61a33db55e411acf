"""Transforms against torch.distributions.transforms (float64): forward, inverse and
log_abs_det_jacobian with their gradients, shapes, domains and codomains, composition, and
inverse of inverse; caching; TransformedDistribution against PyTorch's (log_prob, cdf, icdf,
shapes, expand, kl_divergence) and its reparameterized samples."""
import numpy as np
import pytest

import fastgrad as fg
from distribution_parity import (assert_moments, assert_shapes_match, check, check_cases, gradcheck_seeded, leaves,
                                 made_by_both, positive)
from fastgrad import distributions as D
from fastgrad.distributions import transforms as T

# name: (arrays(rng) -> [params..., x], make(transforms module, *params) -> a transform)
TRANSFORMS = {
    "Exp": (lambda r: [r.standard_normal((2, 3))], lambda t: t.ExpTransform()),
    "Exp inv": (lambda r: [positive(r, (2, 3))], lambda t: t.ExpTransform().inv),
    "Sigmoid": (lambda r: [r.standard_normal((2, 3)) * 3], lambda t: t.SigmoidTransform()),
    "Tanh": (lambda r: [r.standard_normal((2, 3)) * 2], lambda t: t.TanhTransform()),
    "Affine numbers": (lambda r: [r.standard_normal((2, 3))], lambda t: t.AffineTransform(0.5, -2.0)),
    "Affine tensors": (lambda r: [r.standard_normal(3), r.standard_normal(3), r.standard_normal((2, 3))],
                       lambda t, loc, scale: t.AffineTransform(loc, scale)),
    "Affine event_dim 1": (lambda r: [r.standard_normal(3), positive(r, 3), r.standard_normal((2, 3))],
                           lambda t, loc, scale: t.AffineTransform(loc, scale, event_dim=1)),
    "Power": (lambda r: [positive(r, 3), positive(r, (2, 3))], lambda t, e: t.PowerTransform(e)),
    "Power negative": (lambda r: [-positive(r, 3), positive(r, (2, 3))], lambda t, e: t.PowerTransform(e)),
    "StickBreaking": (lambda r: [r.standard_normal((2, 4))], lambda t: t.StickBreakingTransform()),
    "Compose": (lambda r: [r.standard_normal(3), positive(r, 3), r.standard_normal((2, 3))],
                lambda t, loc, scale: t.ComposeTransform([t.AffineTransform(loc, scale), t.SigmoidTransform(),
                                                          t.AffineTransform(0.0, 3.0), t.PowerTransform(2.0)])),
    "Compose vector": (lambda r: [r.standard_normal((2, 3))],
                       lambda t: t.ComposeTransform([t.ExpTransform().inv.inv, t.StickBreakingTransform()])),
}
NO_JACOBIAN = {"Softmax": (lambda r: [r.standard_normal((2, 4))], lambda t: t.SoftmaxTransform())}


def _parts(name, table=TRANSFORMS):
    arrays, make = table[name]

    def forward(d, *a):
        return make(d.transforms, *a[:-1])(a[-1])

    def inverse(d, *a):
        t = make(d.transforms, *a[:-1])
        return t.inv(t(a[-1]))

    def jacobian(d, *a):
        t = make(d.transforms, *a[:-1])
        return t.log_abs_det_jacobian(a[-1], t(a[-1]))
    return arrays, forward, inverse, jacobian


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
@pytest.mark.parametrize("part", ["forward", "inverse", "log_abs_det_jacobian"])
def test_transform_matches_pytorch(name, part, rng):
    arrays, *fns = _parts(name)
    fn = fns[["forward", "inverse", "log_abs_det_jacobian"].index(part)]
    check_cases({name: (arrays, fn)}, name, rng, dict(rtol=1e-9, atol=1e-12))


@pytest.mark.parametrize("part", ["forward", "inverse"])
def test_softmax_matches_pytorch(part, rng):
    arrays, forward, inverse, _ = _parts("Softmax", NO_JACOBIAN)
    check_cases({"Softmax": (arrays, forward if part == "forward" else inverse)}, "Softmax", rng)
    with pytest.raises(NotImplementedError, match="SoftmaxTransform"):
        T.SoftmaxTransform().log_abs_det_jacobian(fg.zeros(3), fg.zeros(3))


@pytest.mark.parametrize("name", sorted(TRANSFORMS) + ["Softmax"])
def test_properties_match_pytorch(name, rng):
    torch = pytest.importorskip("torch")
    arrays, make = {**TRANSFORMS, **NO_JACOBIAN}[name]
    params = arrays(rng)[:-1]
    mine = make(T, *[fg.tensor(p) for p in params])
    theirs = make(torch.distributions.transforms, *[torch.tensor(p) for p in params])
    assert mine.bijective == theirs.bijective
    assert mine.domain.event_dim == theirs.domain.event_dim and mine.codomain.event_dim == theirs.codomain.event_dim
    assert repr(mine.domain) == repr(theirs.domain) and repr(mine.codomain) == repr(theirs.codomain)
    for shape in [(5, 3), (3,)]:
        assert mine.forward_shape(shape) == tuple(theirs.forward_shape(shape))
        assert mine.inverse_shape(shape) == tuple(theirs.inverse_shape(shape))
    sign = mine.sign if name != "StickBreaking" and name != "Softmax" and name != "Compose vector" else None
    if sign is not None:
        expected = theirs.sign
        np.testing.assert_array_equal(np.asarray(sign.numpy() if hasattr(sign, "numpy") else sign),
                                      np.asarray(expected.numpy() if hasattr(expected, "numpy") else expected))


def test_numerical_gradients_of_log_abs_det_jacobian(rng):
    for t, x in [(T.StickBreakingTransform(), rng.standard_normal((2, 3))), (T.TanhTransform(), rng.standard_normal(4)),
                 (T.SigmoidTransform(), rng.standard_normal(4))]:
        (leaf,) = leaves(x)
        assert fg.gradcheck(lambda a: t.log_abs_det_jacobian(a, t(a)), [leaf])
        assert fg.gradcheck(lambda a: t.inv(t(a)), [leaf])


def test_stick_breaking_lands_on_the_simplex(rng):
    y = T.StickBreakingTransform()(fg.tensor(rng.standard_normal((5, 3)) * 4)).numpy()
    assert np.all(y > 0) and np.allclose(y.sum(-1), 1.0)


def test_inverse_of_inverse_and_equality():
    t = T.ExpTransform()
    assert t.inv.inv is t and t.inv == T.ExpTransform().inv and t != T.SigmoidTransform()
    assert T.AffineTransform(1.0, 2.0) == T.AffineTransform(1.0, 2.0) != T.AffineTransform(1.0, 3.0)
    c = T.ComposeTransform([T.ExpTransform(), T.AffineTransform(0.0, 2.0)])
    assert c.inv.inv is c and c.inv.parts == [T.AffineTransform(0.0, 2.0).inv, T.ExpTransform().inv]


def test_cache_size_one_returns_the_same_tensor():
    t = T.ExpTransform(cache_size=1)
    x = fg.tensor([0.5, 1.0])
    y = t(x)
    assert t(x) is y and t.inv(y) is x
    with pytest.raises(ValueError, match="ExpTransform: cache_size"):
        T.ExpTransform(cache_size=2)


def test_compose_refuses_non_transforms():
    with pytest.raises(TypeError, match="ComposeTransform"):
        T.ComposeTransform([T.ExpTransform(), "exp"])


# TransformedDistribution: name: (arrays(rng) -> [params..., value], make(d, *params) -> distribution)
TRANSFORMED = {
    "Normal exp": (lambda r: [r.standard_normal(3), positive(r, 3), positive(r, (2, 3))],
                   lambda d, loc, scale: d.TransformedDistribution(d.Normal(loc, scale), [d.transforms.ExpTransform()])),
    "Normal affine sigmoid": (lambda r: [r.standard_normal(3), positive(r, 3), r.uniform(0.05, 0.95, (2, 3))],
                              lambda d, loc, scale: d.TransformedDistribution(
                                  d.Normal(0.0, 1.0), [d.transforms.AffineTransform(loc, scale),
                                                       d.transforms.SigmoidTransform()])),
    "Exponential decreasing affine": (lambda r: [positive(r, 3), -positive(r, (2, 3))],
                                      lambda d, rate: d.TransformedDistribution(
                                          d.Exponential(rate), d.transforms.AffineTransform(0.0, -1.0))),
    "Uniform tanh": (lambda r: [r.uniform(-2, -1, 3), r.uniform(1, 2, 3), r.uniform(-0.7, 0.7, (2, 3))],
                     lambda d, lo, hi: d.TransformedDistribution(d.Uniform(lo, hi), [d.transforms.TanhTransform()])),
}


def _stick_breaking_arrays(r):
    y = np.exp(r.standard_normal((2, 4)))
    return [r.standard_normal(3), positive(r, 3), y / y.sum(-1, keepdims=True)]


TRANSFORMED_LOG_PROB_ONLY = {
    "Normal stick breaking": (_stick_breaking_arrays, lambda d, loc, scale: d.TransformedDistribution(
        d.Normal(loc, scale), [d.transforms.StickBreakingTransform()])),
    "Independent affine event_dim 1": (lambda r: [r.standard_normal(3), positive(r, 3), r.standard_normal((2, 3))],
                                       lambda d, loc, scale: d.TransformedDistribution(
                                           d.Independent(d.Normal(0 * loc, 1 + 0 * scale), 1),
                                           [d.transforms.AffineTransform(loc, scale, event_dim=1)])),
}


def _method_case(table, name, method):
    arrays, make = table[name]
    return {name: (arrays, lambda d, *a: getattr(make(d, *a[:-1]), method)(a[-1]))}


@pytest.mark.parametrize("name", sorted(TRANSFORMED) + sorted(TRANSFORMED_LOG_PROB_ONLY))
def test_transformed_log_prob_matches_pytorch(name, rng):
    table = TRANSFORMED if name in TRANSFORMED else TRANSFORMED_LOG_PROB_ONLY
    check_cases(_method_case(table, name, "log_prob"), name, rng, dict(rtol=1e-9, atol=1e-12))


@pytest.mark.parametrize("name", sorted(TRANSFORMED))
def test_transformed_cdf_matches_pytorch(name, rng):
    check_cases(_method_case(TRANSFORMED, name, "cdf"), name, rng, dict(rtol=1e-9, atol=1e-12))


@pytest.mark.parametrize("name", ["Exponential decreasing affine", "Uniform tanh"])
def test_transformed_icdf_matches_pytorch(name, rng):
    arrays, make = TRANSFORMED[name]
    case = {name: (lambda r: arrays(r)[:-1] + [r.uniform(0.05, 0.95, (2, 3))],
                   lambda d, *a: make(d, *a[:-1]).icdf(a[-1]))}
    check_cases(case, name, rng, dict(rtol=1e-9, atol=1e-12))


@pytest.mark.parametrize("name", sorted(TRANSFORMED) + sorted(TRANSFORMED_LOG_PROB_ONLY))
def test_transformed_shapes_support_and_expand_match_pytorch(name, rng):
    mine, theirs = made_by_both(TRANSFORMED if name in TRANSFORMED else TRANSFORMED_LOG_PROB_ONLY, name, rng)
    assert_shapes_match(mine, theirs)
    assert mine.support.event_dim == theirs.support.event_dim
    wide, wide_theirs = mine.expand((5,) + mine.batch_shape), theirs.expand((5,) + theirs.batch_shape)
    assert wide.batch_shape == tuple(wide_theirs.batch_shape) and wide.event_shape == tuple(wide_theirs.event_shape)
    value = wide_theirs.sample()
    np.testing.assert_allclose(wide.log_prob(fg.tensor(value.numpy())).numpy(), wide_theirs.log_prob(value).numpy(),
                               rtol=1e-9)


def test_transformed_rsample_gradients_and_moments(rng):
    def make(loc, scale):
        return D.TransformedDistribution(D.Normal(loc, scale), [T.AffineTransform(1.0, 2.0), T.ExpTransform()])
    assert gradcheck_seeded(lambda *a: make(*a).rsample((4,)), leaves(rng.standard_normal(3), positive(rng, 3)))
    loc, scale = np.array([0.0, -1.0]), np.array([0.1, 0.2])
    fg.manual_seed(0)
    samples = make(fg.tensor(loc), fg.tensor(scale)).sample((20000,)).numpy()
    m, s = 1 + 2 * loc, 2 * scale                      # a LogNormal(m, s)
    assert_moments(samples, np.exp(m + s ** 2 / 2), np.expm1(s ** 2) * np.exp(2 * m + s ** 2))


def test_transformed_kl_matches_pytorch(rng):
    def build(d, a, b, c, e):
        t = [d.transforms.ExpTransform()]
        return d.kl_divergence(d.TransformedDistribution(d.Normal(a, b), t), d.TransformedDistribution(d.Normal(c, e), t))
    check(lambda *a: build(D, *a), lambda *a: build(__import__("torch").distributions, *a),
          [rng.standard_normal(3), positive(rng, 3), rng.standard_normal(3), positive(rng, 3)], rng)
    p = D.TransformedDistribution(D.Normal(0.0, 1.0), [T.ExpTransform()])
    with pytest.raises(NotImplementedError, match="transforms"):
        D.kl_divergence(p, D.TransformedDistribution(D.Normal(0.0, 1.0), [T.SigmoidTransform()]))


def test_transformed_validation():
    d = D.TransformedDistribution(D.Normal(0.0, 1.0), [T.ExpTransform()], validate_args=True)
    with pytest.raises(ValueError, match="support"):
        d.log_prob(fg.tensor(-1.0))
    with pytest.raises(ValueError, match="TransformedDistribution: transforms"):
        D.TransformedDistribution(D.Normal(0.0, 1.0), "exp")
    with pytest.raises(ValueError, match="at least 1 dimensions"):
        D.TransformedDistribution(D.Normal(0.0, 1.0), [T.StickBreakingTransform()])
