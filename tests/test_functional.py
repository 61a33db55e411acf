"""fastgrad.functional: grad, value_and_grad, elementwise_grad, vjp, jvp, jacobian,
taking and returning plain arrays and pytrees."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.numpy as fnp


def numerical_grad(f, x, eps=1e-6):
    x = np.array(x, dtype=np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        g[i] = (f(up) - f(down)) / (2 * eps)
    return g


def test_grad_returns_plain_array_of_input_shape(rng):
    f = lambda x: np.sum(np.sin(x) * x)  # noqa: E731
    x = rng.standard_normal((3, 2))
    g = fg.grad(f)(x)
    assert type(g) is np.ndarray and g.shape == x.shape and g.dtype == np.float64
    np.testing.assert_allclose(g, np.cos(x) * x + np.sin(x), rtol=1e-12)


def test_grad_of_python_scalar_is_a_float():
    g = fg.grad(lambda x: x ** 3)(2.0)
    assert isinstance(g, float) and g == 12.0
    assert fg.grad(fnp.sin)(2.0) == pytest.approx(np.cos(2.0), abs=1e-12)


def test_integer_input_is_differentiated_as_float():
    assert fg.grad(lambda x: x * x)(3) == 6.0


def test_argnums_int_and_tuple():
    f = lambda x, y: x ** 2 + 3 * x * y + y ** 2  # noqa: E731
    assert fg.grad(f, argnums=1)(1.0, 2.0) == 7.0
    gx, gy = fg.grad(f, argnums=(0, 1))(1.0, 2.0)
    assert (gx, gy) == (8.0, 7.0)
    with pytest.raises(TypeError, match="argnums"):
        fg.grad(f, argnums=2)(1.0, 2.0)


def test_pytree_arguments_give_gradients_of_the_same_structure(rng):
    params = {"w": rng.standard_normal((3, 2)), "b": [rng.standard_normal(2), 0.5]}
    x = rng.standard_normal((4, 3))

    def loss(p, x):
        h = np.tanh(x @ p["w"] + p["b"][0]) * p["b"][1]
        return np.mean(h ** 2)

    g = fg.grad(loss)(params, x)
    assert set(g) == {"w", "b"} and isinstance(g["b"], list) and isinstance(g["b"][1], float)
    for path, value in [("w", params["w"]), ("b0", params["b"][0])]:
        def along(v, path=path):
            p = {"w": params["w"], "b": list(params["b"])}
            if path == "w":
                p["w"] = v
            else:
                p["b"][0] = v
            return loss(p, x)
        got = g["w"] if path == "w" else g["b"][0]
        np.testing.assert_allclose(got, numerical_grad(along, value), rtol=1e-6, atol=1e-9)
    assert g["b"][1] == pytest.approx(numerical_grad(lambda s: loss({"w": params["w"], "b": [params["b"][0], float(s)]}, x),
                                                     0.5), rel=1e-6)


def test_unused_argument_gets_zeros():
    g = fg.grad(lambda x, y: np.sum(x * 2.0), argnums=(0, 1))(np.ones(2), np.ones(3))
    np.testing.assert_array_equal(g[1], np.zeros(3))


def test_output_independent_of_the_input_warns_and_gives_zeros():
    with pytest.warns(UserWarning, match="does not depend on the differentiated input"):
        np.testing.assert_array_equal(fg.grad(lambda x: 3.0)(np.ones(2)), np.zeros(2))
    # Turning the differentiated value into a plain number would lose its gradient: it raises.
    with pytest.raises(TypeError, match="gradient would be lost"):
        fg.grad(lambda x: float(np.sum(x * x)))(np.ones(2))
    with pytest.warns(UserWarning, match="does not depend"):
        fg.grad(lambda x: 1.0, argnums=(0,))(np.ones(2))


def test_grad_needs_a_scalar_output():
    with pytest.raises(TypeError, match="scalar"):
        fg.grad(lambda x: x * 2)(np.ones(3))


def test_value_and_grad(rng):
    x = rng.standard_normal(4)
    value, g = fg.value_and_grad(lambda x: np.sum(x * x))(x)
    assert value == pytest.approx(np.sum(x * x)) and not isinstance(value, fg.Tensor)
    np.testing.assert_allclose(g, 2 * x)


def test_grad_works_inside_no_grad():
    with fg.no_grad():
        assert fg.grad(lambda x: x * x)(3.0) == 6.0


def test_elementwise_grad(rng):
    x = rng.standard_normal(5)
    np.testing.assert_allclose(fg.elementwise_grad(np.tanh)(x), 1 - np.tanh(x) ** 2, rtol=1e-12)


def test_vjp_with_several_primals_and_reuse(rng):
    x, y = rng.standard_normal(3), rng.standard_normal(3)
    out, vjp_fn = fg.vjp(lambda a, b: a * np.exp(b), x, y)
    np.testing.assert_allclose(out, x * np.exp(y))
    for v in (np.ones(3), rng.standard_normal(3)):  # the graph is kept between calls
        gx, gy = vjp_fn(v)
        np.testing.assert_allclose(gx, v * np.exp(y))
        np.testing.assert_allclose(gy, v * x * np.exp(y))
    with pytest.raises(ValueError, match="shape"):
        vjp_fn(np.ones(4))


def test_vjp_of_pytree_output(rng):
    x = rng.standard_normal(3)
    out, vjp_fn = fg.vjp(lambda a: {"s": np.sum(a), "sq": a * a}, x)
    (g,) = vjp_fn({"s": 2.0, "sq": np.ones(3)})
    np.testing.assert_allclose(g, 2.0 + 2 * x)


def test_jacobian_of_linear_map_is_the_matrix(rng):
    # ACCEPTANCE.md example 5: the Jacobian of f(x) = W x is W.
    W = rng.standard_normal((2, 3))
    J = fg.jacobian(lambda x: W @ x)(rng.standard_normal(3))
    np.testing.assert_allclose(J, W, rtol=1e-9)


def test_jacobian_shape_and_values(rng):
    x = rng.standard_normal((2, 3))
    f = lambda x: np.cumsum(np.sin(x), axis=1)  # noqa: E731
    J = fg.jacobian(f)(x)
    assert J.shape == (2, 3, 2, 3)
    numeric = np.stack([numerical_grad(lambda v, i=i: f(v)[i], x) for i in np.ndindex(2, 3)]).reshape(J.shape)
    np.testing.assert_allclose(J, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("f", [
    lambda x: np.sin(x) * x,
    lambda x: np.cumprod(x) @ np.ones(4),
    lambda x: np.linalg.norm(x) * x,
    lambda x: np.tanh(np.outer(x, x)).sum(axis=0),
])
def test_jvp_matches_jacobian_times_vector(f, rng):
    x, v = rng.standard_normal(4), rng.standard_normal(4)
    out, tangent = fg.jvp(f, (x,), (v,))
    np.testing.assert_allclose(out, f(x), rtol=1e-12)
    np.testing.assert_allclose(tangent, fg.jacobian(f)(x) @ v, rtol=1e-9, atol=1e-12)


def test_jvp_with_two_primals(rng):
    x, y, u, v = rng.standard_normal((4, 3))
    out, tangent = fg.jvp(lambda a, b: a * b, (x, y), (u, v))
    np.testing.assert_allclose(tangent, u * y + x * v, rtol=1e-12)
    with pytest.raises(ValueError, match="tangent"):
        fg.jvp(lambda a: a, (x,), (np.ones(2),))


def test_functional_names_are_exported_at_top_level():
    for name in ("grad", "value_and_grad", "elementwise_grad", "vjp", "jvp", "jacobian", "hessian", "hvp"):
        assert getattr(fg, name) is getattr(fg.functional, name)


# ---- has_aux (JAX's): f returns (value, aux) ---------------------------------------------------

def _loss_with_aux(w, x):
    pred = np.tanh(x @ w)
    return np.sum(pred ** 2), {"pred": pred, "count": 3}


def test_value_and_grad_with_aux_returns_the_aux_as_arrays():
    w, x = np.array([0.1, -0.2, 0.3]), np.arange(6.0).reshape(2, 3) / 6
    (value, aux), g = fg.value_and_grad(_loss_with_aux, has_aux=True)(w, x)
    pred = np.tanh(x @ w)
    assert value == pytest.approx(np.sum(pred ** 2))
    assert type(aux["pred"]) is np.ndarray and aux["count"] == 3
    np.testing.assert_allclose(aux["pred"], pred)
    np.testing.assert_allclose(g, x.T @ (2 * pred * (1 - pred ** 2)))
    g2, aux2 = fg.grad(_loss_with_aux, has_aux=True)(w, x)
    np.testing.assert_array_equal(g2, g)
    np.testing.assert_array_equal(aux2["pred"], aux["pred"])


def test_has_aux_with_several_argnums_and_inside_another_grad():
    g, aux = fg.grad(lambda a, b: (np.sum(a * b), a + b), argnums=(0, 1), has_aux=True)(np.ones(2), np.arange(2.0))
    np.testing.assert_array_equal(g[0], [0.0, 1.0])
    np.testing.assert_array_equal(g[1], [1.0, 1.0])
    np.testing.assert_array_equal(aux, [1.0, 2.0])
    # d/dw sum(3 w^2) = 6 w, the inner gradient taken with its aux ignored
    outer = fg.grad(lambda w: np.sum(fg.grad(lambda u: (np.sum(u ** 3), u * 2), has_aux=True)(w)[0]))
    np.testing.assert_allclose(outer(np.array([1.0, 2.0])), [6.0, 12.0])


def test_has_aux_needs_a_pair():
    with pytest.raises(TypeError, match=r"grad: with has_aux=True the function must return a pair \(value, aux\)"):
        fg.grad(lambda w: np.sum(w), has_aux=True)(np.ones(2))
