"""What the linear layer keeps for its backward under autocast: the 16-bit copy of x replaces the
float32 x (unless x is a leaf, whose array lives on anyway), and the gradients are unchanged."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn

from .conftest import round16

DTYPES = ["bfloat16", "float16"]


def _saved_x(y):
    return y._node.saved_arrays[0]


def _hidden(rng, shape):
    """A non-leaf float32 tensor (the output of an op) and the leaf it is made from."""
    leaf = fg.tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=True)
    return leaf * 1.0, leaf


@pytest.mark.parametrize("dtype", DTYPES)
def test_a_hidden_input_is_not_kept_in_float32(rng, bf16_gemm, dtype):
    h, _ = _hidden(rng, (6, 5))
    w = fg.tensor(rng.standard_normal((3, 5)).astype(np.float32), requires_grad=True)
    with fg.autocast(dtype=dtype):
        y = fg.linear(h, w, activation="relu")
    assert _saved_x(y) is None
    assert not any(s is h._data for s in y._node.saved_arrays)


def test_a_constant_input_is_not_kept_in_float32(rng, bf16_gemm):
    x = fg.tensor(rng.standard_normal((6, 5)).astype(np.float32))  # requires no grad
    with fg.autocast():
        y = nn.Linear(5, 3)(x)
    assert _saved_x(y) is None


def test_a_leaf_input_and_float32_keep_x(rng, bf16_gemm):
    x = fg.tensor(rng.standard_normal((6, 5)).astype(np.float32), requires_grad=True)
    layer = nn.Linear(5, 3)
    with fg.autocast():
        assert _saved_x(layer(x)) is x._data  # the leaf holds it anyway
    h, _ = _hidden(rng, (6, 5))
    assert _saved_x(layer(h)) is h._data  # autocast off: as before
    with fg.autocast():
        assert _saved_x(layer(h.double())) is not None  # float64 is not autocast


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(7, 5), (2, 3, 5), (0, 5)])
def test_gradients_from_the_16_bit_copy_of_x(rng, bf16_gemm, dtype, shape):
    """The weight gradient is g^T @ round(x) and the input gradient g @ round(W), x not saved."""
    h, leaf = _hidden(rng, shape)
    layer = nn.Linear(5, 4)
    with fg.autocast(dtype=dtype):
        y = layer(h)
    assert _saved_x(y) is None
    g = rng.standard_normal(y.shape).astype(np.float32)
    y.backward(fg.tensor(g))
    g2, x2 = g.reshape(-1, 4).astype(np.float64), h._data.reshape(-1, 5)
    g16 = round16(g2, dtype)
    atol = 1e-5 * (1 + np.abs(g16).sum())
    np.testing.assert_allclose(layer.weight.grad._data, g16.T @ round16(x2, dtype), rtol=1e-5, atol=atol)
    np.testing.assert_allclose(leaf.grad._data.reshape(-1, 5), g16 @ round16(layer.weight._data, dtype),
                               rtol=1e-5, atol=atol)
    np.testing.assert_allclose(layer.bias.grad._data, g2.sum(0), rtol=1e-5, atol=1e-5)
    assert layer.weight.grad.dtype == leaf.grad.dtype == np.float32


@pytest.mark.parametrize("activation", ["tanh", "gelu"])
def test_second_derivatives_reach_a_hidden_input(rng, bf16_gemm, activation):
    """create_graph without the float32 x: the 16-bit copy stands in for it, connected to x's node,
    so the weight gradient's dependence on x is differentiated (within bf16 tolerance of float32)."""
    x0 = rng.standard_normal((5, 6)).astype(np.float32)
    w0 = rng.standard_normal((4, 6)).astype(np.float32) * 0.5

    def second_derivative(autocast):
        leaf = fg.tensor(x0, requires_grad=True)
        w = fg.tensor(w0, requires_grad=True)
        h = leaf * 2.0
        with fg.autocast(enabled=autocast):
            y = fg.linear(h, w, activation=activation)
        if autocast:
            assert _saved_x(y) is None
        (gw,) = fg.autograd.grad(y.sum(), [w], create_graph=True)
        (gw * gw).sum().backward()
        return leaf.grad._data

    mixed, exact = second_derivative(True), second_derivative(False)
    assert mixed.dtype == np.float32 and np.abs(exact).max() > 0
    np.testing.assert_allclose(mixed, exact, rtol=0.05, atol=0.05 * np.abs(exact).max())


def test_an_mlp_graph_saves_fewer_bytes(rng, bf16_gemm):
    """Under autocast the hidden layers' float32 inputs are no longer held by the graph."""
    model = nn.Sequential(nn.Linear(32, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 3))
    x = fg.tensor(rng.standard_normal((16, 32)).astype(np.float32))
    with fg.autocast():
        y = model(x)
    linears = [node for node in _nodes(y._node) if node.name == "LinearBackward"]
    assert len(linears) == 3 and all(n.saved_arrays[0] is None for n in linears)
    y.sum().backward()
    assert all(p.grad is not None and p.grad.dtype == np.float32 for p in model.parameters())


def _nodes(node):
    seen, stack = [], [node]
    while stack:
        n = stack.pop()
        if any(n is s for s in seen):
            continue
        seen.append(n)
        stack.extend(p for p in n.parents if type(p) is type(node))
    return seen


@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 5)])
def test_no_activation_keeps_no_output(rng, shape):
    """Without an activation the output gradient is the incoming one: the output is not saved
    (float32 and float64 alike), and the gradients are those of the plain formulas."""
    for dtype in (np.float32, np.float64):
        x = fg.tensor(rng.standard_normal(shape).astype(dtype), requires_grad=True)
        w = fg.tensor(rng.standard_normal((3, 5)).astype(dtype), requires_grad=True)
        b = fg.tensor(rng.standard_normal(3).astype(dtype), requires_grad=True)
        y = fg.linear(x, w, b)
        assert not any(s is y._data for s in y._node.saved_arrays)
        g = rng.standard_normal(y.shape).astype(dtype)
        y.backward(fg.tensor(g))
        g2 = g.reshape(-1, 3)
        np.testing.assert_allclose(w.grad._data, g2.T @ x._data.reshape(-1, 5), rtol=1e-5)
        np.testing.assert_allclose(x.grad._data, (g2 @ w._data).reshape(shape), rtol=1e-5)
        np.testing.assert_allclose(b.grad._data, g2.sum(0), rtol=1e-5)
