"""fastgrad.misc: flatten, the HIPS optimizers and fixed_point."""
import numpy as onp
import pytest

import fastgrad.numpy as np
from fastgrad import grad
from fastgrad.misc import flatten, flatten_func
from fastgrad.misc.fixed_points import fixed_point
from fastgrad.misc.optimizers import adam, rmsprop, sgd
from fastgrad.test_util import check_grads

tree = {"w": onp.arange(4.0).reshape(2, 2), "b": (onp.array([5.0, 6.0]), 7.0), "a": [onp.array(8.0)]}


def test_flatten_round_trip_in_sorted_key_order():
    flat, unflatten = flatten(tree)
    onp.testing.assert_array_equal(flat, [8.0, 5.0, 6.0, 7.0, 0.0, 1.0, 2.0, 3.0])
    back = unflatten(flat)
    onp.testing.assert_array_equal(back["w"], tree["w"])
    assert back["b"][1] == 7.0 and isinstance(back["b"], tuple) and isinstance(back["a"], list)
    assert flatten([])[0].shape == (0,)


def test_flatten_is_differentiable_both_ways():
    g = grad(lambda t: np.sum(flatten(t)[0] ** 2))(tree)
    onp.testing.assert_array_equal(g["w"], 2 * tree["w"])
    assert g["b"][1] == pytest.approx(14.0)
    _, unflatten = flatten(tree)
    weights = onp.arange(8.0)
    h = grad(lambda v: np.sum(unflatten(v)["w"] * 2.0) + unflatten(v)["b"][1])(weights)
    onp.testing.assert_array_equal(h, [0, 0, 0, 1, 2, 2, 2, 2])
    flat_f, unflatten_f, flat_x = flatten_func(lambda t: {"y": t["w"] * 2}, tree)
    onp.testing.assert_array_equal(flat_f(flat_x), 2 * tree["w"].ravel())


@pytest.mark.parametrize("optimizer, options", [
    (sgd, dict(step_size=0.1, num_iters=400)),
    (rmsprop, dict(step_size=0.05, num_iters=400)),
    (adam, dict(step_size=0.1, num_iters=400)),
])
def test_optimizers_minimize_a_quadratic_on_a_tree(optimizer, options):
    target = {"x": onp.array([1.0, -2.0]), "y": 3.0}

    def objective(p, i):
        return np.sum((p["x"] - target["x"]) ** 2) + (p["y"] - target["y"]) ** 2

    calls = []
    result = optimizer(grad(objective), {"x": onp.zeros(2), "y": 0.0},
                       callback=lambda p, i, g: calls.append((i, set(p), set(g))), **options)
    onp.testing.assert_allclose(result["x"], target["x"], atol=2e-2)
    assert result["y"] == pytest.approx(3.0, abs=2e-2)
    assert calls[0] == (0, {"x", "y"}, {"x", "y"}) and len(calls) == options["num_iters"]


def test_adam_first_step_moves_by_the_step_size():
    out = adam(lambda x, i: onp.array([0.5, -4.0]), onp.zeros(2), num_iters=1, step_size=0.01)
    onp.testing.assert_allclose(out, [-0.01, 0.01], rtol=1e-6)


def test_fixed_point_gradient_by_the_implicit_function_theorem():
    def newton_sqrt(a):
        return fixed_point(lambda a: lambda x: 0.5 * (x + a / x), a, 1.0, lambda x, y: abs(x - y), 1e-12)

    assert newton_sqrt(2.0) == pytest.approx(onp.sqrt(2.0))
    assert grad(newton_sqrt)(2.0) == pytest.approx(0.5 / onp.sqrt(2.0), rel=1e-8)
    check_grads(newton_sqrt, modes=["rev"], order=1)(3.0)


def test_fixed_point_second_derivative():
    # The backward differentiates f at the fixed point itself; grad of grad must
    # not re-enter the fixed point's own node.
    def sqrt_by_iteration(a):
        return fixed_point(lambda a: lambda x: x - 0.05 * (x ** 2 - a), a, 10.0, lambda x, y: abs(x - y), 1e-12)

    assert grad(sqrt_by_iteration)(2.0) == pytest.approx(0.5 * 2.0 ** -0.5, rel=1e-8)
    assert grad(grad(sqrt_by_iteration))(2.0) == pytest.approx(-0.25 * 2.0 ** -1.5, rel=1e-8)
    check_grads(sqrt_by_iteration, modes=["rev"], order=2)(3.0)
