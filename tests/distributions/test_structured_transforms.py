"""SoftplusTransform, CorrCholeskyTransform, LowerCholeskyTransform, PositiveDefiniteTransform,
IndependentTransform, ReshapeTransform, CatTransform, StackTransform and
CumulativeDistributionTransform against torch.distributions.transforms (float64 forward, inverse
and log_abs_det_jacobian with their gradients, float32 values), numerical gradients, domains,
codomains, shapes, signs, caching, with_cache and equality; the biject_to / transform_to registries."""
import numpy as np
import pytest

import fastgrad as fg
from distribution_parity import check_cases, leaves, positive
from fastgrad import distributions as D
from fastgrad.distributions import constraints as C
from fastgrad.distributions import transforms as T


def _normal(d):
    return d.Normal(0.5, 2.0)


def _square(r):
    return [r.standard_normal((2, 3, 3))]


# name: (arrays(rng) -> [params..., x], make(transforms module, distributions module, *params))
TRANSFORMS = {
    "Softplus": (lambda r: [r.standard_normal((2, 3)) * 3], lambda t, d: t.SoftplusTransform()),
    "Softplus inv": (lambda r: [positive(r, (2, 3))], lambda t, d: t.SoftplusTransform().inv),
    "CorrCholesky 3": (lambda r: [r.standard_normal((2, 3))], lambda t, d: t.CorrCholeskyTransform()),
    "CorrCholesky 5": (lambda r: [r.standard_normal((4, 10))], lambda t, d: t.CorrCholeskyTransform()),
    "Independent exp": (lambda r: [r.standard_normal((2, 3, 4))],
                        lambda t, d: t.IndependentTransform(t.ExpTransform(), 2)),
    "Independent affine": (lambda r: [r.standard_normal(3), positive(r, 3), r.standard_normal((2, 3))],
                           lambda t, d, loc, scale: t.IndependentTransform(t.AffineTransform(loc, scale), 1)),
    "Reshape": (lambda r: [r.standard_normal((2, 6))], lambda t, d: t.ReshapeTransform((6,), (3, 2))),
    "Cat last axis": (lambda r: [r.standard_normal((2, 6))], lambda t, d: t.CatTransform(
        [t.ExpTransform(), t.identity_transform, t.SigmoidTransform()], dim=-1, lengths=[2, 3, 1])),
    "Cat batch axis": (lambda r: [r.standard_normal((3, 4))], lambda t, d: t.CatTransform(
        [t.TanhTransform(), t.SoftplusTransform()], dim=0, lengths=[1, 2])),
    "Cat vector parts": (lambda r: [r.standard_normal((2, 7))], lambda t, d: t.CatTransform(
        [t.IndependentTransform(t.ExpTransform(), 1), t.SigmoidTransform()], dim=-1, lengths=[3, 4])),
    "Stack": (lambda r: [r.standard_normal((2, 3))], lambda t, d: t.StackTransform(
        [t.ExpTransform(), t.SigmoidTransform()], dim=0)),
    "Stack last axis": (lambda r: [r.standard_normal((4, 3))], lambda t, d: t.StackTransform(
        [t.ExpTransform(), t.AffineTransform(1.0, -2.0), t.TanhTransform()], dim=-1)),
    "CumulativeDistribution": (lambda r: [r.standard_normal((2, 3))],
                               lambda t, d: t.CumulativeDistributionTransform(_normal(d))),
}
NO_JACOBIAN = {
    "LowerCholesky": (_square, lambda t, d: t.LowerCholeskyTransform()),
    "PositiveDefinite": (_square, lambda t, d: t.PositiveDefiniteTransform()),
}


def _parts(table, name):
    arrays, make = table[name]

    def build(d, *a):
        return make(d.transforms, d, *a[:-1])

    def forward(d, *a):
        return build(d, *a)(a[-1])

    def inverse(d, *a):
        t = build(d, *a)
        return t.inv(t(a[-1]))

    def jacobian(d, *a):
        t = build(d, *a)
        return t.log_abs_det_jacobian(a[-1], t(a[-1]))
    return arrays, {"forward": forward, "inverse": inverse, "log_abs_det_jacobian": jacobian}


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
@pytest.mark.parametrize("part", ["forward", "inverse", "log_abs_det_jacobian"])
def test_transform_matches_pytorch(name, part, rng):
    arrays, fns = _parts(TRANSFORMS, name)
    check_cases({name: (arrays, fns[part])}, name, rng, dict(rtol=1e-9, atol=1e-12))


@pytest.mark.parametrize("name", sorted(NO_JACOBIAN))
@pytest.mark.parametrize("part", ["forward", "inverse"])
def test_matrix_transform_matches_pytorch(name, part, rng):
    arrays, fns = _parts(NO_JACOBIAN, name)
    check_cases({name: (arrays, fns[part])}, name, rng, dict(rtol=1e-9, atol=1e-12))


def _both(name, rng, dtype=None):
    """(fastgrad's transform, PyTorch's, the input x) of one case, in `dtype` when given."""
    torch = pytest.importorskip("torch")
    arrays, make = {**TRANSFORMS, **NO_JACOBIAN}[name]
    *params, x = [np.asarray(a, dtype=dtype) for a in arrays(rng)]
    mine = make(T, D, *map(fg.tensor, params))
    theirs = make(torch.distributions.transforms, torch.distributions, *map(torch.tensor, params))
    return mine, theirs, x


@pytest.mark.parametrize("name", sorted(TRANSFORMS) + sorted(NO_JACOBIAN))
def test_float32_values_match_pytorch(name, rng):
    torch = pytest.importorskip("torch")
    mine, theirs, x = _both(name, rng, np.float32)
    y, expected = mine(fg.tensor(x)), theirs(torch.tensor(x))
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.numpy(), expected.numpy(), rtol=1e-5, atol=1e-5)
    if mine.bijective:
        np.testing.assert_allclose(mine.inv(y).numpy(), x, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("name", sorted(TRANSFORMS) + sorted(NO_JACOBIAN))
def test_properties_match_pytorch(name, rng):
    mine, theirs, x = _both(name, rng)
    assert mine.bijective == theirs.bijective
    assert repr(mine.domain) == repr(theirs.domain) and repr(mine.codomain) == repr(theirs.codomain)
    assert mine.domain.event_dim == theirs.domain.event_dim
    assert mine.codomain.event_dim == theirs.codomain.event_dim
    shape = x.shape
    assert mine.forward_shape(shape) == tuple(theirs.forward_shape(shape))
    out = tuple(theirs.forward_shape(shape))
    assert mine.inverse_shape(out) == tuple(theirs.inverse_shape(out))
    assert tuple(mine(fg.tensor(x)).shape) == out
    if name.startswith(("Softplus", "Independent", "CumulativeDistribution")):
        np.testing.assert_array_equal(np.asarray(getattr(mine.sign, "numpy", lambda: mine.sign)()),
                                      np.asarray(getattr(theirs.sign, "numpy", lambda: theirs.sign)()))


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_numerical_gradients(name, rng):
    arrays, make = TRANSFORMS[name]
    *params, x = arrays(rng)
    t = make(T, D, *map(fg.tensor, params))
    (leaf,) = leaves(x)
    assert fg.gradcheck(lambda a: t(a), [leaf])
    assert fg.gradcheck(lambda a: t.inv(t(a)), [leaf])
    if t.log_abs_det_jacobian(leaf, t(leaf)).requires_grad:      # constant for Reshape and affine maps
        assert fg.gradcheck(lambda a: t.log_abs_det_jacobian(a, t(a)), [leaf])


def test_corr_cholesky_is_a_correlation_factor_and_empty_batches_work(rng):
    y = T.CorrCholeskyTransform()(fg.tensor(rng.standard_normal((5, 6)) * 3)).numpy()
    assert np.all(np.asarray(C.corr_cholesky.check(y)))
    np.testing.assert_allclose(np.diagonal(y @ np.swapaxes(y, -1, -2), axis1=-2, axis2=-1), 1.0, rtol=1e-12)
    assert tuple(T.CorrCholeskyTransform()(fg.zeros(0, 3)).shape) == (0, 3, 3)
    with pytest.raises(ValueError, match="CorrCholeskyTransform.*4 entries"):
        T.CorrCholeskyTransform()(fg.zeros(4))


def test_softplus_is_stable_for_large_inputs():
    t = T.SoftplusTransform()
    x = fg.tensor([-40.0, 0.0, 40.0, 700.0], dtype=fg.float64)
    y = t(x)
    assert np.all(np.isfinite(y.numpy())) and np.all(np.isfinite(t.log_abs_det_jacobian(x, y).numpy()))
    np.testing.assert_allclose(t.inv(y).numpy()[1:], x.numpy()[1:], rtol=1e-12)


def test_with_cache_and_caching():
    for t in [T.ExpTransform(), T.SoftplusTransform(), T.AffineTransform(1.0, 2.0), T.ReshapeTransform((4,), (2, 2)),
              T.IndependentTransform(T.ExpTransform(), 1), T.CatTransform([T.ExpTransform(), T.SigmoidTransform()],
                                                                            dim=-1, lengths=[2, 2]),
              T.StackTransform([T.ExpTransform()] * 4, dim=-1), T.CorrCholeskyTransform().inv.inv,
              T.ComposeTransform([T.ExpTransform(), T.AffineTransform(0.0, 3.0)])]:
        assert t.with_cache(0) is t
        cached = t.with_cache(1)
        assert cached is not t and cached == t and cached._cache_size == 1 and t._cache_size == 0
        x = fg.tensor(np.linspace(-1.0, 1.0, 4).reshape(1, 4)) if not isinstance(t, T.CorrCholeskyTransform) \
            else fg.tensor([[0.1, -0.2, 0.3]])
        y = cached(x)
        assert cached(x) is y and cached.inv(y) is x
        assert t(x) is not t(x)
    inverse = T.ExpTransform().inv.with_cache(1)
    assert inverse._inv._cache_size == 1 and inverse == T.ExpTransform().inv
    with pytest.raises(ValueError, match="cache_size"):
        T.ExpTransform().with_cache(3)


def test_equality():
    assert T.SoftplusTransform() == T.SoftplusTransform() != T.ExpTransform()
    assert T.IndependentTransform(T.ExpTransform(), 1) == T.IndependentTransform(T.ExpTransform(), 1)
    assert T.IndependentTransform(T.ExpTransform(), 1) != T.IndependentTransform(T.ExpTransform(), 2)
    assert T.ReshapeTransform((6,), (2, 3)) == T.ReshapeTransform((6,), (2, 3)) != T.ReshapeTransform((6,), (3, 2))
    cat = T.CatTransform([T.ExpTransform(), T.SigmoidTransform()], dim=0, lengths=[1, 2])
    assert cat == T.CatTransform([T.ExpTransform(), T.SigmoidTransform()], dim=0, lengths=[1, 2])
    assert cat != T.CatTransform([T.ExpTransform(), T.SigmoidTransform()], dim=0, lengths=[2, 1])
    assert T.StackTransform([T.ExpTransform()]) != T.StackTransform([T.SigmoidTransform()])
    assert T.LowerCholeskyTransform() == T.LowerCholeskyTransform() != T.PositiveDefiniteTransform()
    normal = D.Normal(0.0, 1.0)
    assert T.CumulativeDistributionTransform(normal) == T.CumulativeDistributionTransform(normal)


@pytest.mark.parametrize("call, error, words", [
    (lambda: T.ReshapeTransform((6,), (4,)), ValueError, "ReshapeTransform.*different numbers"),
    (lambda: T.ReshapeTransform((6,), (2, 3))(fg.zeros(2, 5)), ValueError, r"ReshapeTransform.*\(2, 5\)"),
    (lambda: T.IndependentTransform("exp", 1), TypeError, "IndependentTransform: base_transform"),
    (lambda: T.IndependentTransform(T.ExpTransform(), -1), ValueError, "reinterpreted_batch_ndims"),
    (lambda: T.IndependentTransform(T.ExpTransform(), 2)(fg.zeros(3)), ValueError, "IndependentTransform.*2 dim"),
    (lambda: T.CatTransform([], dim=0), TypeError, "CatTransform"),
    (lambda: T.CatTransform([T.ExpTransform()], lengths=[1, 2]), ValueError, "CatTransform: 1 transforms but 2"),
    (lambda: T.CatTransform([T.ExpTransform()] * 2, dim=0)(fg.zeros(3)), ValueError, "CatTransform.*expected 2"),
    (lambda: T.StackTransform([T.ExpTransform()] * 2, dim=0)(fg.zeros(3)), ValueError, "StackTransform.*expected 2"),
    (lambda: T.StackTransform([T.ExpTransform()], dim=2)(fg.zeros(3)), ValueError, "StackTransform.*out of range"),
    (lambda: T.CorrCholeskyTransform().inverse_shape((3, 4)), ValueError, "CorrCholeskyTransform.*square"),
])
def test_bad_arguments(call, error, words):
    with pytest.raises(error, match=words):
        call()


# constraint -> what PyTorch's registries give, compared by repr, type and values
CONSTRAINTS = {
    "real": lambda c: c.real, "real_vector": lambda c: c.real_vector, "positive": lambda c: c.positive,
    "nonnegative": lambda c: c.nonnegative, "greater_than": lambda c: c.greater_than(1.5),
    "greater_than_eq": lambda c: c.greater_than_eq(-2.0), "less_than": lambda c: c.less_than(3.0),
    "interval": lambda c: c.interval(-1.0, 4.0), "unit_interval": lambda c: c.unit_interval,
    "half_open_interval": lambda c: c.half_open_interval(0.0, 2.0), "simplex": lambda c: c.simplex,
    "corr_cholesky": lambda c: c.corr_cholesky, "independent positive": lambda c: c.independent(c.positive, 2),
    "cat": lambda c: c.cat([c.real, c.positive, c.unit_interval], dim=-1, lengths=[1, 2, 3]),
    "stack": lambda c: c.stack([c.positive, c.interval(0.0, 2.0)], dim=-1),
    "lower_cholesky": lambda c: c.lower_cholesky, "positive_definite": lambda c: c.positive_definite,
    "positive_semidefinite": lambda c: c.positive_semidefinite,
}
INPUTS = {"simplex": (2, 5), "corr_cholesky": (2, 6), "independent positive": (2, 3, 4), "cat": (2, 6),
          "stack": (3, 2), "lower_cholesky": (2, 3, 3), "positive_definite": (2, 3, 3),
          "positive_semidefinite": (2, 3, 3)}


@pytest.mark.parametrize("registry", ["biject_to", "transform_to"])
@pytest.mark.parametrize("name", sorted(CONSTRAINTS))
def test_registries_match_pytorch(registry, name, rng):
    torch = pytest.importorskip("torch")
    mine_registry, their_registry = getattr(D, registry), getattr(torch.distributions, registry)
    mine_constraint, their_constraint = CONSTRAINTS[name](C), CONSTRAINTS[name](torch.distributions.constraints)
    try:
        theirs = their_registry(their_constraint)
    except NotImplementedError:
        with pytest.raises(NotImplementedError, match=f"{registry}: cannot transform"):
            mine_registry(mine_constraint)
        return
    mine = mine_registry(mine_constraint)
    assert type(mine).__name__ == type(theirs).__name__
    x = rng.standard_normal(INPUTS.get(name, (2, 3)))
    y = mine(fg.tensor(x))
    np.testing.assert_allclose(y.numpy(), theirs(torch.tensor(x)).numpy(), rtol=1e-12, atol=1e-14)
    assert np.all(np.asarray(mine_constraint.check(y)))
    if mine.bijective:
        np.testing.assert_allclose(mine.log_abs_det_jacobian(fg.tensor(x), y).numpy(),
                                   theirs.log_abs_det_jacobian(torch.tensor(x), torch.tensor(y.numpy())).numpy(),
                                   rtol=1e-12, atol=1e-14)


def test_registry_register_and_errors():
    registry = D.constraint_registry.ConstraintRegistry()

    @registry.register(C.positive)
    def softplus(constraint):
        return T.SoftplusTransform()
    assert registry(C.greater_than(3.0)) == T.SoftplusTransform()       # looked up by the constraint's class
    registry.register(C.interval, lambda c: T.SigmoidTransform())
    assert registry(C.unit_interval) == T.SigmoidTransform()
    with pytest.raises(NotImplementedError, match="cannot transform _Simplex"):
        registry(C.simplex)
    with pytest.raises(TypeError, match="register: expected a Constraint"):
        registry.register(int, softplus)
    with pytest.raises(NotImplementedError, match="biject_to: cannot transform _LowerCholesky"):
        D.biject_to(C.lower_cholesky)


def test_biject_to_optimizes_a_constrained_parameter():
    """A scale kept positive through biject_to: gradient descent on the unconstrained value finds
    the maximum-likelihood scale of a fixed sample (its root mean square)."""
    data = fg.tensor(np.array([0.5, -1.5, 2.0, -0.5]))
    unconstrained = fg.zeros((), dtype=fg.float64, requires_grad=True)
    to_scale = D.biject_to(D.Normal.arg_constraints["scale"])
    optimizer = fg.optim.SGD([unconstrained], lr=0.1)
    for _ in range(300):
        optimizer.zero_grad()
        loss = -D.Normal(0.0, to_scale(unconstrained)).log_prob(data).mean()
        loss.backward()
        optimizer.step()
    np.testing.assert_allclose(to_scale(unconstrained).item(), np.sqrt(np.mean(data.numpy() ** 2)), rtol=1e-6)
