"""fastgrad.extend: primitives with user-given vjps, to any order."""
import numpy as onp
import pytest

import fastgrad
import fastgrad.numpy as np
from fastgrad.extend import defjvp, defvjp, defvjp_argnum, notrace_primitive, primitive
from fastgrad.test_util import check_grads


@primitive
def logsumexp(x):
    m = onp.max(x)
    return m + onp.log(onp.sum(onp.exp(x - m)))


defvjp(logsumexp, lambda ans, x: lambda g: g * np.exp(x - ans))


@primitive
def scaled(x, factor, power=2):
    return factor * x ** power


defvjp_argnum(scaled, lambda argnum, ans, args, kwargs: (
    (lambda g: g * args[1] * kwargs.get("power", 2) * args[0] ** (kwargs.get("power", 2) - 1)) if argnum == 0
    else (lambda g: g * args[0] ** kwargs.get("power", 2))))


def test_primitive_gives_the_same_values_and_registered_gradients():
    x = onp.array([0.5, 1.0, -2.0])
    assert logsumexp(x) == pytest.approx(onp.log(onp.sum(onp.exp(x))))
    softmax = onp.exp(x) / onp.sum(onp.exp(x))
    onp.testing.assert_allclose(fastgrad.grad(logsumexp)(x), softmax)
    check_grads(logsumexp, modes=["rev"])(x)   # second order through the vjp written with fastgrad.numpy


def test_defvjp_argnum_and_keyword_options():
    x, f = onp.array([0.5, 2.0]), onp.array([3.0, -1.0])
    check_grads(lambda x, f: scaled(x, f, power=3), (0, 1), modes=["rev"])(x, f)
    onp.testing.assert_allclose(fastgrad.grad(lambda f: np.sum(scaled(x, f)))(f), x ** 2)


def test_missing_vjp_raises_naming_the_primitive():
    @primitive
    def only_first(x, y):
        return x * y

    defvjp(only_first, lambda ans, x, y: lambda g: g * y)
    assert fastgrad.grad(only_first)(2.0, 3.0) == pytest.approx(3.0)
    with pytest.raises(NotImplementedError, match="only_first"):
        fastgrad.grad(only_first, 1)(2.0, 3.0)


def test_forward_rules_alone_are_refused_by_name():
    @primitive
    def double(x):
        return 2 * x

    defjvp(double, lambda g, ans, x: 2 * g)
    with pytest.raises(NotImplementedError, match="double"):
        fastgrad.grad(lambda x: np.sum(double(x)))(onp.ones(2))


def test_defvjp_needs_a_primitive():
    with pytest.raises(TypeError, match="not a primitive"):
        defvjp(onp.sin, lambda ans, x: lambda g: g)


def test_notrace_primitive_runs_on_plain_data():
    seen = []

    @notrace_primitive
    def record(x):
        seen.append(type(x))
        return x.shape

    fastgrad.grad(lambda x: record(x) and np.sum(x))(onp.ones(2))
    assert seen == [onp.ndarray]


def test_rule_tables_and_core_names():
    from fastgrad.core import make_jvp, make_vjp, primitive_vjps

    assert 0 in primitive_vjps[logsumexp]
    x = onp.array([0.5, 1.0])
    pullback, value = make_vjp(logsumexp, x)
    onp.testing.assert_allclose(pullback(1.0), onp.exp(x - value))
    onp.testing.assert_allclose(make_jvp(np.sin, x)(onp.ones(2))[1], onp.cos(x))
    saved = primitive_vjps.pop(logsumexp)
    try:
        with pytest.raises(NotImplementedError, match="logsumexp"):
            fastgrad.grad(logsumexp)(x)
    finally:
        primitive_vjps[logsumexp] = saved


def test_grad_of_a_boolean_raises():
    with pytest.raises(TypeError, match="boolean"):
        fastgrad.grad(lambda x: np.allclose(x, x * 3.0 / 3.0))(onp.ones(3))


def test_deprecated_registration_methods_still_work_and_warn():
    @primitive
    def scaled_product(x, y):
        return 2.0 * x * y

    with pytest.warns(DeprecationWarning, match="defgrad is deprecated"):
        scaled_product.defgrad(lambda ans, x, y: lambda g: 2.0 * g * y)
    with pytest.warns(DeprecationWarning, match="defvjp is deprecated"):
        scaled_product.defvjp(lambda g, ans, vs, gvs, x, y: 2.0 * g * x + vs.zeros(), argnum=1)
    x, y = onp.random.RandomState(0).randn(2, 3, 3)
    check_grads(scaled_product, argnum=(0, 1), modes=["rev"])(x, y)

    @primitive
    def constant_in_x(x, y):
        return y * 1.0

    defvjp(constant_in_x, None, lambda ans, x, y: lambda g: g)
    with pytest.warns(DeprecationWarning, match="defvjp_is_zero is deprecated"):
        constant_in_x.defvjp_is_zero([0])
    g = fastgrad.grad(lambda x: np.sum(constant_in_x(x, y) * 3.0) + np.sum(x))(x)
    onp.testing.assert_array_equal(g, onp.ones_like(x))


def test_quick_grad_check_runs_check_grads():
    from fastgrad.util import quick_grad_check

    with pytest.warns(DeprecationWarning, match="check_grads"):
        quick_grad_check(lambda x, y: np.sum(x ** 2 * y), onp.array([1.0, 2.0]), (3.0,))
    with pytest.warns(DeprecationWarning), pytest.raises(AssertionError, match="VJP"):
        quick_grad_check(_wrong_square, onp.array([1.0, 2.0]))


@primitive
def _wrong_square(x):
    return x ** 2


defvjp(_wrong_square, lambda ans, x: lambda g: g * 3 * x)
