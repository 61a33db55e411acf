"""HIPS autograd's transform names on fastgrad, against closed forms and numerical derivatives."""
import numpy as onp
import pytest

import fastgrad
import fastgrad.numpy as np
from fastgrad import (checkpoint, deriv, grad, grad_and_aux, grad_named, hessian, hessian_tensor_product,
                      holomorphic_grad, jacobian, make_ggnvp, make_hvp, make_jvp, make_vjp, multigrad_dict,
                      tensor_jacobian_product, value_and_grad)

rng = onp.random.RandomState(0)
A = rng.randn(3, 3)
x0 = rng.randn(3)


def f(x):
    return np.sum(np.tanh(np.dot(A, x)) ** 2)


def test_argnum_keyword_beside_argnums():
    h = lambda a, b: np.sum(a * b ** 2)
    a, b = onp.array([1.0, 2.0]), onp.array([3.0, 4.0])
    onp.testing.assert_allclose(grad(h, argnum=1)(a, b), 2 * a * b)
    onp.testing.assert_allclose(value_and_grad(h, argnum=1)(a, b)[1], 2 * a * b)
    onp.testing.assert_allclose(jacobian(lambda a, b: a * b, argnum=0)(a, b), onp.diag(b))
    onp.testing.assert_allclose(hessian(h, argnum=1)(a, b), onp.diag(2 * a))


def test_deriv_and_make_jvp():
    assert deriv(np.sin)(0.5) == pytest.approx(onp.cos(0.5))
    onp.testing.assert_allclose(deriv(np.exp)(onp.array([0.0, 1.0])), onp.exp([0.0, 1.0]))
    value, tangent = make_jvp(lambda x: np.dot(A, x))(x0)(onp.ones(3))
    onp.testing.assert_allclose(value, A @ x0)
    onp.testing.assert_allclose(tangent, A @ onp.ones(3))


def test_make_vjp_and_tensor_jacobian_product():
    pullback, value = make_vjp(lambda x: np.dot(A, x))(x0)
    onp.testing.assert_allclose(value, A @ x0)
    onp.testing.assert_allclose(pullback(onp.array([1.0, 0.0, 2.0])), A.T @ [1.0, 0.0, 2.0])
    v = onp.array([1.0, -1.0, 0.5])
    onp.testing.assert_allclose(tensor_jacobian_product(lambda x: np.dot(A, x))(x0, v), A.T @ v)


def test_hessian_products_match_the_hessian():
    H = hessian(f)(x0)
    v = onp.array([0.3, -0.2, 1.0])
    onp.testing.assert_allclose(hessian_tensor_product(f)(x0, v), H @ v, rtol=1e-10)
    hvp, g = make_hvp(f)(x0)
    onp.testing.assert_allclose(hvp(v), H @ v, rtol=1e-10)
    onp.testing.assert_allclose(g, grad(f)(x0))


def test_make_ggnvp_is_the_gauss_newton_product():
    # f(x) = A x, g(y) = 0.5 |y|^2: GGN = A^T A.
    v = onp.array([0.3, -0.2, 1.0])
    onp.testing.assert_allclose(make_ggnvp(lambda x: np.dot(A, x))(x0)(v), A.T @ A @ v, rtol=1e-10)


def test_holomorphic_grad():
    z = onp.array([1.0 + 1.0j, 0.5 - 2.0j])
    onp.testing.assert_allclose(holomorphic_grad(lambda z: np.sum(z ** 2))(z), 2 * z)
    with pytest.raises(TypeError, match="complex"):
        holomorphic_grad(lambda z: z ** 2)(1.0)


def test_grad_named_grad_and_aux_multigrad_dict():
    def loss(w, scale, shift=1.0):
        return np.sum((w * scale + shift) ** 2)

    w = onp.array([1.0, 2.0])
    onp.testing.assert_allclose(grad_named(loss, "scale")(w, 3.0), onp.sum(2 * (w * 3 + 1) * w))
    with pytest.raises(TypeError, match="no argument"):
        grad_named(loss, "nope")
    g, aux = grad_and_aux(lambda w: (np.sum(w ** 2), "aux"))(w)
    onp.testing.assert_allclose(g, 2 * w)
    assert aux == "aux"
    grads = multigrad_dict(loss)(w, 3.0)
    assert list(grads) == ["w", "scale", "shift"]
    onp.testing.assert_allclose(grads["w"], 2 * (w * 3 + 1) * 3)
    assert grads["shift"] == pytest.approx(onp.sum(2 * (w * 3 + 1)))


def test_checkpoint_recomputes_and_gives_the_same_gradient():
    calls = []

    def block(x):
        calls.append(1)
        return np.tanh(np.dot(A, x))

    plain = grad(lambda x: np.sum(block(x) ** 2))(x0)
    calls.clear()
    checked = grad(lambda x: np.sum(checkpoint(block)(x) ** 2))(x0)
    onp.testing.assert_allclose(checked, plain)
    assert len(calls) == 2    # once forward, once again in backward


def test_builtins_look_through_tensors():
    from fastgrad import dict as ag_dict, isinstance as ag_isinstance, list as ag_list, tuple as ag_tuple
    from fastgrad.builtins import type as ag_type

    def check(x):
        assert ag_isinstance(x, onp.ndarray) and ag_type(x) is onp.ndarray
        assert ag_isinstance(ag_tuple((x, x)), tuple) and ag_isinstance(ag_list([x]), list)
        assert ag_isinstance(ag_dict(a=x), dict)
        return np.sum(x)

    onp.testing.assert_allclose(grad(check)(onp.ones(2)), onp.ones(2))
    assert not ag_isinstance([], onp.ndarray)
    assert "tuple" not in vars(fastgrad)   # not in `from fastgrad import *`


def test_tensor_jacobian_product_keeps_the_uncontracted_output_axes():
    fun = lambda a: np.roll(np.sin(a), 1)
    a, v = rng.randn(5, 4, 3), rng.randn(5, 4)
    expected = onp.tensordot(v, jacobian(fun)(a), axes=2)
    onp.testing.assert_allclose(tensor_jacobian_product(fun)(a, v), expected)
    assert expected.shape == (3, 5, 4, 3)


def test_isbox_is_true_for_what_is_being_differentiated():
    from fastgrad.tracer import isbox

    seen = []
    grad(lambda x: seen.append((isbox(x), isbox(onp.ones(1)))) or np.sum(x))(onp.ones(2))
    assert seen == [(True, False)]
