"""Gradients that used to be silently wrong: r_/c_, conversions to ndarray,
eigh's UPLO triangle, std at zero variance."""
import numpy as onp
import pytest

import fastgrad
import fastgrad.numpy as np
from fastgrad.test_util import check_grads


def numeric_grad(f, x, eps=1e-6):
    g = onp.zeros_like(x)
    for i in onp.ndindex(x.shape):
        d = onp.zeros_like(x)
        d[i] = eps
        g[i] = (f(x + d) - f(x - d)) / (2 * eps)
    return g


@pytest.mark.parametrize("join", [
    lambda x: np.r_[x],
    lambda x: np.r_[x, 2.0 * x],
    lambda x: np.r_[x, onp.arange(3.0), x],
    lambda x: np.r_[x, 1:4],
    lambda x: np.r_[x[0], x],
    lambda x: np.c_[x, 3.0 * x],
    lambda x: np.c_[x, onp.ones(3)],
])
def test_r_and_c_keep_the_gradient(join):
    x = onp.array([0.5, -1.0, 2.0])
    weights = onp.random.RandomState(0).randn(*onp.shape(join(x)))

    def f(x):
        return np.sum(join(x) * weights)

    got = fastgrad.grad(f)(x)
    onp.testing.assert_allclose(got, numeric_grad(f, x), rtol=1e-7, atol=1e-9)
    assert onp.any(got != 0)


def test_r_and_c_without_tensors_are_numpys():
    onp.testing.assert_array_equal(np.r_[1:4, 7], onp.r_[1:4, 7])
    onp.testing.assert_array_equal(np.c_[onp.ones(2), onp.zeros(2)], onp.c_[onp.ones(2), onp.zeros(2)])
    onp.testing.assert_array_equal(np.r_["0,2", [1, 2], [3, 4]], onp.r_["0,2", [1, 2], [3, 4]])


@pytest.mark.parametrize("convert", [
    lambda t: onp.asarray(t),
    lambda t: onp.array([t, t]),
    lambda t: onp.r_[t],
    lambda t: onp.sum([t, t]),
])
def test_converting_a_differentiated_tensor_raises_naming_the_way_out(convert):
    def f(x):
        return np.sum(convert(x) * 2.0)

    with pytest.raises(TypeError, match="fastgrad.numpy"):
        fastgrad.grad(f)(onp.ones(3))


def test_integer_casts_of_a_differentiated_tensor_are_allowed():
    # An integer result is piecewise constant in x: its gradient is 0, nothing is lost.
    def f(w):
        rows = onp.int64(w[:, -1])
        assert rows.dtype == onp.int64 and not isinstance(rows, fastgrad.Tensor)
        return np.sum(w[rows, :-1] ** 2) + np.sum(onp.asarray(w > 10.0, dtype=bool))

    w = onp.array([[1.0, 2.0, 1.0], [3.0, 4.0, 0.0]])
    onp.testing.assert_array_equal(fastgrad.grad(f)(w), [[2.0, 4.0, 0.0], [6.0, 8.0, 0.0]])
    with pytest.raises(TypeError, match="fastgrad.numpy"):
        fastgrad.grad(lambda w: np.sum(onp.asarray(w, dtype=onp.float32)))(w)


def _raised_with_the_way_out(f, x):
    """f(x) under grad raises; NumPy may wrap our TypeError (raise ... from) in a ValueError."""
    with pytest.raises((TypeError, ValueError)) as info:
        fastgrad.grad(f)(x)
    error = info.value
    messages = [str(error), str(error.__cause__)]
    assert any("gradient would be lost" in m and "fastgrad.numpy" in m for m in messages), messages


def test_assigning_a_differentiated_tensor_into_an_ndarray_raises():
    def scalar_into_array(x):
        a = onp.zeros(3)
        a[0] = x
        return np.sum(a * x)

    def slice_into_array(x):
        a = onp.zeros(3)
        a[:2] = x
        return np.sum(a * x[0])

    _raised_with_the_way_out(scalar_into_array, 1.5)
    _raised_with_the_way_out(slice_into_array, onp.ones(2))
    with pytest.raises(TypeError, match="gradient would be lost"):
        fastgrad.grad(lambda x: float(x) * x)(2.0)


def test_tensors_outside_differentiation_still_convert():
    leaf = fastgrad.tensor([1.0, 2.0], requires_grad=True)
    onp.testing.assert_array_equal(onp.asarray(leaf), [1.0, 2.0])   # a leaf, no transform running
    with fastgrad.no_grad():
        onp.testing.assert_array_equal(onp.asarray(leaf * 2), [2.0, 4.0])
    onp.testing.assert_array_equal(onp.asarray((leaf * 2).detach()), [2.0, 4.0])
    with pytest.raises(TypeError, match="detach"):
        onp.asarray(leaf * 2)   # a result that carries a graph


@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh_gradient_lives_in_the_triangle_it_reads(uplo):
    rng = onp.random.RandomState(1)
    a = rng.randn(5, 5)   # not symmetric: NumPy reads one triangle
    cw, cv = rng.randn(5), rng.randn(5, 5)

    def f(a):
        w, v = np.linalg.eigh(a, uplo)
        return np.sum(w * cw) + np.sum(np.abs(v) * cv)

    got = fastgrad.grad(f)(a)
    onp.testing.assert_allclose(got, numeric_grad(f, a), rtol=1e-5, atol=1e-7)
    other = onp.triu(got, 1) if uplo == "L" else onp.tril(got, -1)
    assert onp.all(other == 0)
    check_grads(lambda a: np.linalg.eigvalsh(a, uplo), modes=["rev"])(a)
    check_grads(lambda a: np.linalg.eigh(a, uplo)[1], modes=["rev"])(a)


@pytest.mark.parametrize("x", [3.5, onp.full((2, 3), 1.25), onp.ones(4)])
def test_std_and_var_of_constant_input_have_zero_gradient(x):
    for fun in (np.std, np.var):
        g = fastgrad.grad(lambda x: np.sum(fun(x)))(x)
        assert onp.all(onp.asarray(g) == 0)
    g = fastgrad.grad(lambda x: np.sum(np.std(x, axis=-1)))(onp.full((2, 3), 1.25))
    assert onp.all(g == 0)


def test_std_gradient_where_the_variance_is_positive():
    x = onp.array([[1.0, 1.0, 1.0], [0.5, -2.0, 3.0]])   # one constant row, one not

    def f(x):
        return np.sum(np.std(x, axis=1) * onp.array([2.0, 3.0]))

    onp.testing.assert_allclose(fastgrad.grad(f)(x)[1], numeric_grad(f, x)[1], rtol=1e-7)
    assert onp.all(fastgrad.grad(f)(x)[0] == 0)
    check_grads(lambda x: np.std(x, axis=0))(onp.array([[0.5, 1.0], [2.0, -1.0], [0.0, 3.0]]))
