"""fastgrad.test_util: the gradient checks pass on right derivatives and fail on wrong ones."""
import numpy as onp
import pytest

import fastgrad.numpy as np
from fastgrad.extend import defvjp, primitive
from fastgrad.test_util import check_equivalent, check_grads, combo_check, scalar_close


@primitive
def cube(x):
    return x ** 3


defvjp(cube, lambda ans, x: lambda g: g * 3 * x ** 2)


@primitive
def cube_with_wrong_derivative(x):
    return x ** 3


defvjp(cube_with_wrong_derivative, lambda ans, x: lambda g: g * 3.1 * x ** 2)


@primitive
def cube_with_wrong_second_derivative(x):
    return x ** 3


# Right at first order, but the vjp is not differentiable the right way (x ** 2 taken as a constant).
defvjp(cube_with_wrong_second_derivative, lambda ans, x: lambda g: g * 3 * onp.asarray(getattr(x, "data", x)) ** 2)


def test_right_derivatives_pass_in_both_modes_to_second_order():
    check_grads(cube)(onp.array([0.5, -1.5]))
    check_grads(lambda x, y: np.sum(np.sin(x) * y), (0, 1))(onp.array([0.1, 0.2]), onp.array([3.0, -1.0]))
    check_grads(lambda d: d["a"] * np.tanh(d["b"]))({"a": 0.5, "b": onp.array([0.3, 0.4])})


@pytest.mark.parametrize("modes", [["rev"], ["fwd"]])
def test_a_wrong_first_derivative_fails(modes):
    with pytest.raises(AssertionError):
        check_grads(cube_with_wrong_derivative, modes=modes, order=1)(onp.array([0.5, -1.5]))


def test_a_wrong_second_derivative_fails_only_at_order_two():
    x = onp.array([0.5, -1.5])
    check_grads(cube_with_wrong_second_derivative, modes=["rev"], order=1)(x)
    with pytest.raises(AssertionError):
        check_grads(cube_with_wrong_second_derivative, modes=["rev"], order=2)(x)


def test_combo_check_runs_every_combination():
    seen = []

    def f(x, axis=None):
        seen.append((onp.shape(getattr(x, "data", x)), axis))
        return np.sum(x ** 2, axis=axis)

    combo_check(f, [0], modes=["rev"], order=1)([onp.ones((2, 3)), onp.ones((3, 2))], axis=[0, 1])
    assert {s for s in seen} == {((2, 3), 0), ((2, 3), 1), ((3, 2), 0), ((3, 2), 1)}


def test_scalar_close_and_check_equivalent():
    assert scalar_close(1.0, 1.0 + 1e-9) and not scalar_close(1.0, 1.1)
    check_equivalent(onp.ones(3), onp.ones(3))
    with pytest.raises(AssertionError):
        check_equivalent(onp.ones(3), onp.ones(4))
