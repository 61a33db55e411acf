"""ACCEPTANCE.md examples 1-7 and 14: exact values, float64, rtol 1e-9."""
import numpy as np
import pytest

import fastgrad as fg

RTOL = 1e-9


def t(x, grad=True):
    return fg.tensor(np.asarray(x, dtype=np.float64), requires_grad=grad)


def test_example_1_sigmoid_neuron():
    x, y = 2.0, 1.0
    w, b = t(3.0), t(1.0)
    z = w * x + b
    a = z.sigmoid()
    loss = (a - y) ** 2
    loss.backward()
    assert z.item() == 7.0
    assert a.item() == pytest.approx(0.9990889488055994, rel=RTOL)
    assert loss.item() == pytest.approx(8.300142788187649e-07, rel=RTOL)
    assert w.grad == pytest.approx(-3.3170323732747103e-06, rel=RTOL)
    assert b.grad == pytest.approx(-1.6585161866373552e-06, rel=RTOL)


def test_example_2_two_layer_relu():
    x = t([1.0, 0.5], grad=False)
    W1 = t([[0.5, -0.3], [0.2, 0.6], [-0.4, 0.8]])
    W2 = t([[1.0, -0.5, 0.7]])
    z1 = W1 @ x
    h = z1.relu()
    z2 = W2 @ h
    loss = 0.5 * (2.0 - z2) ** 2
    loss = loss.sum()
    loss.backward()
    np.testing.assert_allclose(z1.data, [0.35, 0.5, 0.0], rtol=RTOL, atol=1e-15)
    assert z1.data[2] == 0.0
    assert loss.item() == pytest.approx(1.805, rel=RTOL)
    np.testing.assert_allclose(W2.grad, [[-0.665, -0.95, 0.0]], rtol=RTOL)
    np.testing.assert_allclose(W1.grad, [[-1.9, -0.95], [0.95, 0.475], [0.0, 0.0]], rtol=RTOL)


@pytest.mark.parametrize("f, point, expected", [
    (lambda x1, x2: x1 ** 2 + 3 * x1 * x2 + x2 ** 2, (1.0, 2.0), (8.0, 7.0)),
    (lambda x, y: 3 * x ** 2 + 2 * x * y + y ** 3, (1.0, 2.0), (10.0, 14.0)),
])
def test_example_3_partial_derivatives(f, point, expected):
    a, b = t(point[0]), t(point[1])
    f(a, b).backward()
    assert a.grad == pytest.approx(expected[0], rel=RTOL)
    assert b.grad == pytest.approx(expected[1], rel=RTOL)


def test_example_4_quadratic_form(rng):
    M = rng.standard_normal((5, 5))
    A = M + M.T
    b = rng.standard_normal(5)
    w = t(rng.standard_normal(5))
    f = w @ (fg.tensor(A) @ w) + fg.tensor(b) @ w + 3.0
    f.backward()
    np.testing.assert_allclose(w.grad, 2 * A @ w.data + b, rtol=RTOL)


def test_example_5_jacobian_and_hessian(rng):
    W = rng.standard_normal((2, 3))
    x = t(rng.standard_normal(3))
    y = fg.tensor(W) @ x
    rows = [fg.autograd.grad(y[i], x, retain_graph=True)[0].data for i in range(2)]
    np.testing.assert_allclose(np.stack(rows), W, rtol=RTOL)

    A = rng.standard_normal((4, 4))
    w = t(rng.standard_normal(4))
    f = w @ (fg.tensor(A) @ w)
    (g,) = fg.autograd.grad(f, w, create_graph=True)
    H = np.stack([fg.autograd.grad(g[i], w, retain_graph=True)[0].data for i in range(4)])
    np.testing.assert_allclose(H, A + A.T, rtol=RTOL)


def test_example_6_mean_squared_error():
    w = t([1.0, 1.0])
    x = t([1.0, 2.0], grad=False)
    loss = (5.0 - w @ x) ** 2
    assert (w @ x).item() == 3.0
    loss.backward()
    np.testing.assert_allclose(w.grad, [-4.0, -8.0], rtol=RTOL)


def test_example_7_numerical_agreement():
    x = t(2.0)
    (x ** 3).backward()
    assert abs(x.grad - 12.0) <= 1e-12
    x = t(2.0)
    x.sin().backward()
    assert abs(x.grad - np.cos(2.0)) <= 1e-12
    y = t([0.3, -1.2, 2.0])
    assert fg.gradcheck(lambda v: (v.sigmoid() * v.exp()).sum(), (y,), atol=0, rtol=1e-6)


def test_example_14_scalar_expression():
    x = fg.tensor(2.0, requires_grad=True)
    y = x ** 2 + 3 * x + 1
    y.backward()
    assert y.ndim == 0 and y.item() == 11.0
    assert float(x.grad) == 7.0
