"""Complex inputs with HIPS autograd's convention (dL/dx - i dL/dy), in both modes."""
import numpy as onp
import pytest

import fastgrad
import fastgrad.numpy as np
from fastgrad import holomorphic_grad
from fastgrad.test_util import check_grads

rng = onp.random.RandomState(1)
z = rng.randn(3, 2) + 1j * rng.randn(3, 2)


@pytest.mark.parametrize("fun", [np.real, np.imag, np.conj, np.conjugate, np.abs, np.angle,
                                 lambda z: np.var(z, axis=0), lambda z: np.std(z), np.sin,
                                 lambda z: z * np.conj(z), lambda z: np.real_if_close(z + 0.0)])
def test_complex_functions_check_in_both_modes(fun):
    check_grads(fun)(z)


def test_gradient_convention_is_hips_autograds():
    # L = |z|^2 = x^2 + y^2: dL/dx - i dL/dy = 2 conj(z)
    onp.testing.assert_allclose(fastgrad.grad(lambda z: np.sum(np.abs(z) ** 2))(z), 2 * onp.conj(z))
    # L = Re(z^2) = x^2 - y^2: 2x + 2iy = 2z
    onp.testing.assert_allclose(fastgrad.grad(lambda z: np.sum(np.real(z * z)))(z), 2 * z)
    onp.testing.assert_allclose(holomorphic_grad(lambda z: np.sum(np.sin(z)))(z), onp.cos(z))


def test_real_input_takes_the_real_part():
    x = rng.randn(3)
    onp.testing.assert_allclose(fastgrad.grad(lambda x: np.sum(np.abs(x * (1 + 2j)) ** 2))(x), 10 * x)
    assert fastgrad.grad(lambda x: np.sum(np.angle(x)))(x).dtype == onp.float64


def test_tensor_abs_follows_the_same_convention_as_numpy_abs():
    # Tensor.abs and fastgrad.numpy.abs are one function: their complex gradients agree
    # (conj(z) / |z| each), so a graph mixing them is consistent.
    method, function = (fastgrad.tensor(z, requires_grad=True) for _ in range(2))
    method.abs().sum().backward()
    np.abs(function).sum().backward()
    onp.testing.assert_allclose(method.grad.numpy(), function.grad.numpy())
    onp.testing.assert_allclose(method.grad.numpy(), onp.conj(z) / onp.abs(z))
    x = fastgrad.tensor([-2.0, 0.0, 3.0], requires_grad=True)
    x.abs().sum().backward()
    onp.testing.assert_array_equal(x.grad.numpy(), [-1.0, 0.0, 1.0])
