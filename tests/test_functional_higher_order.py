"""Higher order: hessian, hvp and nested transforms against numerical second
derivatives (float64)."""
import numpy as np
import pytest

import fastgrad as fg


def numerical_hessian(f, x, eps=1e-4):
    """Central second differences of f (on plain arrays)."""
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    H = np.zeros((n, n))
    flat = x.reshape(-1)
    for i in range(n):
        for j in range(n):
            def at(di, dj):
                y = flat.copy()
                y[i] += di
                y[j] += dj
                return f(y.reshape(x.shape))
            H[i, j] = (at(eps, eps) - at(eps, -eps) - at(-eps, eps) + at(-eps, -eps)) / (4 * eps * eps)
    return H.reshape(x.shape + x.shape)


A = np.random.default_rng(3).standard_normal((4, 4))
SPD = A @ A.T + 4 * np.eye(4)

# Written once with `np.`: they run on arrays (numerical Hessian) and on Tensors.
HESSIAN_CASES = {
    "quadratic_form": lambda w: w @ A @ w,
    "sin_times_x": lambda x: np.sum(np.sin(x) * x),
    "logsumexp": lambda x: np.log(np.sum(np.exp(x - np.max(x)))) + np.max(x),
    "norm": lambda x: np.linalg.norm(x),
    "tanh_mlp": lambda x: np.sum(np.tanh(A @ x) ** 2),
    "exp_of_sum": lambda x: np.exp(np.sum(x) / 4),
    "rational": lambda x: np.sum(x / (1 + x ** 2)),
    "cumprod": lambda x: np.sum(np.cumprod(x)),
    "logdet": lambda x: np.linalg.slogdet(SPD + np.outer(x, x))[1],
    "inverse_quadratic": lambda x: x @ np.linalg.inv(SPD + np.diag(x ** 2)) @ x,
    "solve": lambda x: np.sum(np.linalg.solve(SPD + np.outer(x, x), x)),
    "einsum": lambda x: np.einsum("i,ij,j->", np.sin(x), A, np.cos(x)),
    "sqrt_softplus": lambda x: np.sum(np.sqrt(np.logaddexp(0.0, x))),
    "cholesky_logdet": lambda x: 2 * np.sum(np.log(np.diag(np.linalg.cholesky(SPD + np.outer(x, x))))),
}


@pytest.mark.parametrize("name", sorted(HESSIAN_CASES))
def test_hessian_matches_numerical(name, rng):
    f = HESSIAN_CASES[name]
    x = rng.standard_normal(4) * 0.7
    H = fg.hessian(f)(x)
    assert H.shape == (4, 4) and type(H) is np.ndarray
    np.testing.assert_allclose(H, numerical_hessian(f, x), rtol=1e-4, atol=1e-5)


def test_hessian_of_quadratic_form_is_a_plus_a_transpose(rng):
    # ACCEPTANCE.md example 5.
    w = rng.standard_normal(4)
    np.testing.assert_allclose(fg.hessian(lambda w: w @ A @ w)(w), A + A.T, rtol=1e-9)


def test_hessian_of_matrix_argument_has_doubled_shape(rng):
    X = rng.standard_normal((2, 3))
    f = lambda X: np.sum(np.tanh(X) ** 3)  # noqa: E731
    H = fg.hessian(f)(X)
    assert H.shape == (2, 3, 2, 3)
    np.testing.assert_allclose(H, numerical_hessian(f, X), rtol=1e-4, atol=1e-5)


def test_hvp_matches_hessian_times_vector(rng):
    f = HESSIAN_CASES["tanh_mlp"]
    x, v = rng.standard_normal(4), rng.standard_normal(4)
    value, (hv,) = fg.hvp(f, (x,), (v,))
    assert value == pytest.approx(f(x))
    np.testing.assert_allclose(hv, fg.hessian(f)(x) @ v, rtol=1e-9)


def test_third_derivative_of_scalar_functions():
    assert fg.grad(fg.grad(fg.grad(lambda x: x ** 4)))(2.0) == pytest.approx(48.0)
    assert fg.grad(fg.grad(fg.grad(np.sin)))(0.5) == pytest.approx(-np.cos(0.5), abs=1e-12)


def test_second_derivative_through_ops_that_save_a_0d_output():
    # exp, sqrt and tanh save their output; for a 0-d input NumPy returns a
    # scalar, which must still be connected to the graph.
    for f, d2 in [(np.exp, np.exp(0.7)), (np.sqrt, -0.25 * 0.7 ** -1.5), (np.tanh, None)]:
        got = fg.grad(fg.grad(f))(0.7)
        if d2 is None:
            t = np.tanh(0.7)
            d2 = -2 * t * (1 - t * t)
        assert got == pytest.approx(d2, rel=1e-12)


def test_nested_grad_keeps_outer_and_inner_variables_apart():
    # d/dx [ x * d/dy (x * y) at y = x ] = d/dx x**2 = 2x: the inner derivative
    # must not include the path through the closure over x.
    f = lambda x: x * fg.grad(lambda y: x * y)(x)  # noqa: E731
    assert fg.grad(f)(3.0) == pytest.approx(6.0)


def test_grad_of_grad_with_respect_to_a_closure():
    # d/da d/dx (a x**2) = 2x
    g = lambda a: fg.grad(lambda x: a * x ** 2)(1.5)  # noqa: E731
    assert fg.grad(g)(2.0) == pytest.approx(3.0)


def test_hessian_with_several_arguments_nests_the_blocks(rng):
    x, y = rng.standard_normal(3), rng.standard_normal(2)
    f = lambda x, y: np.sum(np.sin(x)) * np.sum(y ** 2)  # noqa: E731
    (hxx, hxy), (hyx, hyy) = fg.hessian(f, argnums=(0, 1))(x, y)
    assert hxx.shape == (3, 3) and hxy.shape == (3, 2) and hyx.shape == (2, 3) and hyy.shape == (2, 2)
    np.testing.assert_allclose(hxy, np.outer(np.cos(x), 2 * y), rtol=1e-12)
    np.testing.assert_allclose(hyx, hxy.T, rtol=1e-12)
    np.testing.assert_allclose(hyy, 2 * np.sum(np.sin(x)) * np.eye(2), rtol=1e-12)
    np.testing.assert_allclose(hxx, np.diag(-np.sin(x)) * np.sum(y ** 2), rtol=1e-12)


def test_jacobian_of_a_pytree_output(rng):
    x = rng.standard_normal(3)
    J = fg.jacobian(lambda x: {"sum": np.sum(x), "sq": x * x})(x)
    np.testing.assert_allclose(J["sum"], np.ones(3))
    np.testing.assert_allclose(J["sq"], np.diag(2 * x))


def test_hessian_through_eigh(rng):
    W = rng.standard_normal((3, 3))
    f = lambda x: np.sum(np.linalg.eigh(np.outer(x, x) + np.diag(np.arange(1.0, 4.0)))[1] ** 2 * W)  # noqa: E731
    x = rng.standard_normal(3) * 0.3
    np.testing.assert_allclose(fg.hessian(f)(x), numerical_hessian(f, x), rtol=1e-4, atol=1e-5)
