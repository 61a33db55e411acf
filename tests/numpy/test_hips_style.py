"""HIPS-autograd-style programs run by changing the import to fastgrad."""
import numpy
import pytest

import fastgrad
import fastgrad.numpy as np
from fastgrad import elementwise_grad as egrad
from fastgrad import grad


def tanh(x):
    y = np.exp(-2.0 * x)
    return (1.0 - y) / (1.0 + y)


def test_tanh_derivatives_to_third_order():
    x = np.linspace(-3, 3, 13)
    t = numpy.tanh(x)
    assert grad(tanh)(1.0) == pytest.approx(1 - numpy.tanh(1.0) ** 2, rel=1e-12)
    numpy.testing.assert_allclose(egrad(tanh)(x), 1 - t ** 2, rtol=1e-12)
    numpy.testing.assert_allclose(egrad(egrad(tanh))(x), -2 * t * (1 - t ** 2), rtol=1e-10, atol=1e-14)
    numpy.testing.assert_allclose(egrad(egrad(egrad(tanh)))(x), (1 - t ** 2) * (6 * t ** 2 - 2),
                                  rtol=1e-9, atol=1e-13)


def test_logistic_regression_training_loop():
    def sigmoid(x):
        return 0.5 * (np.tanh(x / 2.0) + 1)

    def logistic_predictions(weights, inputs):
        return sigmoid(np.dot(inputs, weights))

    inputs = np.array([[0.52, 1.12, 0.77], [0.88, -1.08, 0.15], [0.52, 0.06, -1.30], [0.74, -2.49, 1.39]])
    targets = np.array([True, True, False, True])

    def training_loss(weights):
        preds = logistic_predictions(weights, inputs)
        label_probabilities = preds * targets + (1 - preds) * (1 - targets)
        return -np.sum(np.log(label_probabilities))

    training_gradient_fun = grad(training_loss)
    weights = np.array([0.0, 0.0, 0.0])
    start = training_loss(weights)
    for _ in range(100):
        weights -= training_gradient_fun(weights) * 0.01
    assert type(weights) is numpy.ndarray
    assert training_loss(weights) < 0.5 * start


def test_same_numbers_as_hips_autograd():
    autograd = pytest.importorskip("autograd", reason="HIPS autograd is not installed")
    import autograd.numpy as anp

    def tanh_hips(x):
        y = anp.exp(-2.0 * x)
        return (1.0 - y) / (1.0 + y)

    x = numpy.linspace(-3, 3, 13)
    third = autograd.elementwise_grad(autograd.elementwise_grad(autograd.elementwise_grad(tanh_hips)))
    numpy.testing.assert_allclose(egrad(egrad(egrad(tanh)))(x), third(x), rtol=1e-10, atol=1e-13)
    numpy.testing.assert_allclose(np.asarray(grad(grad(tanh))(0.3)), autograd.grad(autograd.grad(tanh_hips))(0.3),
                                  rtol=1e-12)


def test_where_takes_keywords_and_keeps_python_values_python():
    assert np.where(True, 1, 2) == 1 and type(np.where(True, 1, 2)) is int
    assert type(np.where(False, 1, 2.0)) is float
    assert np.where([True, False], [1, 2], [3, 4]) == [1, 4]
    out = np.where(numpy.array([True, False]), 1.0, 2.0)           # an array in: an array out
    assert isinstance(out, numpy.ndarray) and out.dtype == numpy.float64
    assert np.where(False, numpy.array([1.0], numpy.float32), numpy.array([2.0], numpy.float32)).dtype == numpy.float32
    x, y = numpy.array([1.0, 2.0, 3.0]), numpy.array([4.0, 5.0, 6.0])
    numpy.testing.assert_array_equal(np.where(condition=[True, False, True], x=x, y=y), [1.0, 5.0, 3.0])
    numpy.testing.assert_array_equal(np.where([True, False, True], x, y=y), [1.0, 5.0, 3.0])
    numpy.testing.assert_array_equal(np.where([True, False, True])[0], [0, 2])
    g = fastgrad.grad(lambda x: np.sum(np.where(condition=x > 1.5, x=x * x, y=-x)))(x)
    numpy.testing.assert_array_equal(g, [-1.0, 4.0, 6.0])
    with pytest.raises(ValueError, match="both or neither"):
        np.where([True], x=[1.0])
    with pytest.raises(TypeError, match="unexpected or repeated"):
        np.where([True], [1.0], x=[2.0])


def test_item_assignment_into_the_array_being_differentiated_raises_what_each_peer_raises():
    """HIPS autograd raises TypeError for A[i] = b on an array it differentiates; PyTorch raises
    RuntimeError for an in-place write into a leaf that requires grad. One error is both."""
    def fun(A, b):
        A[1] = b
        return np.sum(A)

    A = numpy.arange(5.0)
    with pytest.raises(TypeError, match="__setitem__: a leaf tensor that requires grad"):
        grad(fun)(A, 3.0)
    with pytest.raises(RuntimeError, match="__setitem__: a leaf tensor that requires grad"):
        grad(fun)(A, 3.0)
    # Into a copy (not a leaf) it is differentiable.
    numpy.testing.assert_array_equal(grad(lambda A, b: fun(A * 1.0, b))(A, 3.0), [1.0, 0.0, 1.0, 1.0, 1.0])
