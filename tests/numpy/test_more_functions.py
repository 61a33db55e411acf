"""nan_to_num sinc % linspace gradient partition rollaxis select dsplit cross
make_diagonal ravel: NumPy's values, gradients checked numerically (both
modes, second order)."""
import operator

import numpy as onp
import pytest

import fastgrad
import fastgrad.numpy as np
from fastgrad.test_util import check_grads

rng = onp.random.RandomState(0)
R = rng.randn


@pytest.mark.parametrize("fun, args, argnum", [
    (lambda x: np.nan_to_num(x + onp.array([0.0, onp.nan, onp.inf, -onp.inf])), (R(4),), 0),
    (np.sinc, (onp.array([-1.3, 0.0, 0.004, 0.4, 2.5]),), 0),
    (operator.mod, (R(3, 2) * 3, rng.rand(3, 2) + 0.5), (0, 1)),
    (operator.mod, (R(3) * 3, -rng.rand(3) - 0.5), (0, 1)),
    (lambda a, b: np.linspace(a, b, 5), (1.2, -3.4), (0, 1)),
    (lambda a, b: np.linspace(a, b, 4, endpoint=False), (1.2, 3.4), (0, 1)),
    (np.gradient, (R(6, 5),), 0),
    (lambda x: np.gradient(x, axis=(0, -1)), (R(4, 3, 5),), 0),
    (lambda x: np.partition(x, 3), (R(7),), 0),
    (lambda x: np.rollaxis(x, 2, 0), (R(2, 3, 4),), 0),
    (lambda x: np.select([x > 0, x < -0.5], [x ** 2, 2 * x], default=1.5), (R(3, 4),), 0),
    (lambda x: np.dsplit(x, 2)[1], (R(2, 3, 4),), 0),
    (lambda a, b: np.cross(a, b, axisa=0, axisb=1, axisc=0), (R(3, 3), R(3, 3)), (0, 1)),
    (lambda a, b: np.cross(a, b, axis=0), (R(3, 2), R(3, 2)), (0, 1)),
    (lambda d: np.make_diagonal(d, axis1=-1, axis2=-2), (R(3, 4),), 0),
    (lambda x: x.ravel(), (R(2, 3),), 0),
])
def test_values_and_gradients(fun, args, argnum):
    check_grads(fun, argnum)(*args)


@pytest.mark.parametrize("fun, numpy_fun, args", [
    (np.nan_to_num, onp.nan_to_num, (onp.array([1.0, onp.nan, onp.inf]),)),
    (np.sinc, onp.sinc, (onp.array([-1.3, 0.0, 0.4]),)),
    (lambda a, b: np.linspace(a, b, 7), lambda a, b: onp.linspace(a, b, 7), (1.0, 2.0)),
    (np.gradient, onp.gradient, (R(5, 4),)),
    (lambda a, b: np.cross(a, b, axisa=0, axisb=1, axisc=0), lambda a, b: onp.cross(a, b, 0, 1, 0), (R(3, 3), R(3, 3))),
    (lambda x: np.rollaxis(x, 2, 1), lambda x: onp.rollaxis(x, 2, 1), (R(2, 3, 4),)),
])
def test_tensor_values_match_numpy(fun, numpy_fun, args):
    tensors = [fastgrad.tensor(onp.asarray(a, dtype=onp.float64), requires_grad=True) for a in args]
    got = fun(*tensors)
    got = [g.detach().data for g in got] if isinstance(got, list) else got.detach().data
    onp.testing.assert_allclose(onp.asarray(got), numpy_fun(*args), rtol=1e-12, atol=1e-12)


def test_make_diagonal_puts_the_last_axis_on_the_diagonal():
    d = R(3, 4)
    a = np.make_diagonal(fastgrad.tensor(d, requires_grad=True), axis1=-1, axis2=-2).detach().data
    for i in range(3):
        onp.testing.assert_array_equal(a[i], onp.diag(d[i]))
    with pytest.raises(TypeError, match="make_diagonal"):
        np.make_diagonal(fastgrad.tensor(d, requires_grad=True), offset=1)


def test_full_with_a_differentiated_fill_value():
    g = fastgrad.grad(lambda v: np.sum(np.full((2, 3), v) * onp.arange(6.0).reshape(2, 3)))(1.5)
    assert g == pytest.approx(15.0)
    g = fastgrad.grad(lambda v: np.sum(np.full_like(onp.ones(4), v[0]) ** 2))(onp.array([2.0, 0.0]))
    onp.testing.assert_allclose(g, [16.0, 0.0])
    onp.testing.assert_array_equal(np.full(3, 2.0), onp.full(3, 2.0))
    assert np.full_like(onp.ones(2, dtype=onp.int64), 3).dtype == onp.int64
