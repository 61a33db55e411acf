"""Activation ops: gradients by central differences (float64), values and
gradients against PyTorch, second derivatives through create_graph, and what
the backward keeps."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F

# name: (fastgrad function, torch function name, torch kwargs)
ACTIVATIONS = {
    "sigmoid": (fg.sigmoid, "sigmoid", {}),
    "relu": (fg.relu, "relu", {}),
    "tanh": (fg.tanh, "tanh", {}),
    "gelu": (fg.gelu, "gelu", {}),
    "gelu_tanh": (lambda x: fg.gelu(x, approximate="tanh"), "gelu", {"approximate": "tanh"}),
    "silu": (fg.silu, "silu", {}),
    "leaky_relu": (lambda x: fg.leaky_relu(x, 0.2), "leaky_relu", {"negative_slope": 0.2}),
    "leaky_relu_negative_slope": (lambda x: fg.leaky_relu(x, -0.3), "leaky_relu", {"negative_slope": -0.3}),
    "softplus": (fg.softplus, "softplus", {}),
    "softplus_beta": (lambda x: fg.softplus(x, beta=2.0, threshold=3.0), "softplus", {"beta": 2.0, "threshold": 3.0}),
}
SHAPES = [(), (0,), (1,), (7,), (3, 4), (2, 0, 3), (2, 3, 4)]


def leaf(rng, shape, dtype=np.float64):
    x = rng.standard_normal(shape) * 2
    if x.size:  # keep central differences away from the kinks of relu and leaky relu
        x = np.where(np.abs(x) < 1e-3, 0.5, x)
    return fg.tensor(np.asarray(x, dtype=dtype), requires_grad=True)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_gradcheck(name, shape, rng):
    fn = ACTIVATIONS[name][0]
    assert fg.gradcheck(fn, (leaf(rng, shape),))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_matches_torch(name, dtype, rng):
    torch = pytest.importorskip("torch")
    fn, torch_name, kw = ACTIVATIONS[name]
    data = np.concatenate([rng.standard_normal(200) * 4, [0.0, 1e4, -1e4, 30.0, -30.0]]).astype(dtype)
    x = fg.tensor(data, requires_grad=True)
    tx = torch.tensor(data, requires_grad=True)
    y = fn(x)
    ty = getattr(torch.nn.functional, torch_name)(tx, **kw)
    g = rng.standard_normal(data.shape).astype(dtype)
    y.backward(g)
    ty.backward(torch.tensor(g))
    rtol, atol = (1e-12, 1e-13) if dtype == np.float64 else (2e-6, 2e-6)
    assert y.dtype == dtype and x.grad.dtype == dtype
    np.testing.assert_allclose(y._data, ty.detach().numpy(), rtol=rtol, atol=atol)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=rtol, atol=atol * 10)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_second_derivative_matches_torch(name, rng):
    torch = pytest.importorskip("torch")
    fn, torch_name, kw = ACTIVATIONS[name]
    data = rng.standard_normal(50) * 2
    x = fg.tensor(data, requires_grad=True)
    tx = torch.tensor(data, requires_grad=True)
    (g,) = fg.autograd.grad(fn(x).sum(), x, create_graph=True)
    (g * g * x).sum().backward()  # x as a factor too: relu's g carries no graph
    (tg,) = torch.autograd.grad(getattr(torch.nn.functional, torch_name)(tx, **kw).sum(), tx, create_graph=True)
    (tg * tg * tx).sum().backward()
    np.testing.assert_allclose(g._data, tg.detach().numpy(), rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu"])
def test_backward_keeps_the_output_so_the_input_may_change(name, rng):
    fn = ACTIVATIONS[name][0]
    x = leaf(rng, (5,))
    h = x * 1.0
    y = fn(h)
    with fg.no_grad():
        h += 5.0  # the input's array changes after the forward; the backward does not read it
    y.sum().backward()
    expected_fn = fg.tensor(x._data.copy(), requires_grad=True)
    fn(expected_fn).sum().backward()
    np.testing.assert_allclose(x.grad, expected_fn.grad, rtol=1e-14)


@pytest.mark.parametrize("name", ["gelu", "silu", "softplus", "leaky_relu_negative_slope"])
def test_backward_from_the_input_detects_a_changed_input(name, rng):
    fn = ACTIVATIONS[name][0]
    h = leaf(rng, (5,)) * 1.0
    y = fn(h)
    with fg.no_grad():
        h += 5.0
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()


def test_sigmoid_is_stable_for_large_negative_inputs():
    x = fg.tensor(np.array([-1e4, -1000.0, -100.0], dtype=np.float32), requires_grad=True)
    with np.errstate(all="raise"):
        y = fg.sigmoid(x)
        y.sum().backward()
    assert np.all(np.isfinite(y._data)) and np.all(np.isfinite(x.grad))


def test_nan_and_inf_propagate_as_in_numpy():
    x = fg.tensor(np.array([np.nan, np.inf, -np.inf, 0.0]))
    np.testing.assert_array_equal(fg.relu(x)._data, [np.nan, np.inf, 0.0, 0.0])
    np.testing.assert_array_equal(fg.sigmoid(x)._data, [np.nan, 1.0, 0.0, 0.5])
    np.testing.assert_array_equal(fg.tanh(x)._data, [np.nan, 1.0, -1.0, 0.0])
    np.testing.assert_array_equal(fg.softplus(x)._data[:3], [np.nan, np.inf, 0.0])


def test_methods_and_functional_names():
    x = fg.tensor([-1.0, 0.5, 2.0], requires_grad=True)
    np.testing.assert_array_equal(x.tanh()._data, fg.tanh(x)._data)
    np.testing.assert_array_equal(x.sigmoid()._data, F.sigmoid(x)._data)
    np.testing.assert_array_equal(F.relu(x, inplace=False)._data, x.relu()._data)
    np.testing.assert_array_equal(F.leaky_relu(x, 0.5)._data, [-0.5, 0.5, 2.0])


def test_float16_runs_through_the_reference_twins():
    x = fg.tensor(np.array([-2.0, 0.0, 3.0], dtype=np.float16), requires_grad=True)
    y = fg.gelu(x)
    y.sum().backward()
    assert y.dtype == np.float16 and x.grad.dtype == np.float16
    np.testing.assert_allclose(y._data.astype(np.float64), [-0.0455, 0.0, 2.996], rtol=2e-2)  # float16 arithmetic


def test_array_api_arrays_use_the_twins_in_their_namespace(rng):
    xp = pytest.importorskip("array_api_strict")
    data = rng.standard_normal(6)
    for name in ("sigmoid", "tanh", "gelu", "gelu_tanh", "silu", "leaky_relu", "softplus"):
        fn = ACTIVATIONS[name][0]
        x = fg.tensor(xp.asarray(data), requires_grad=True)
        y = fn(x)
        y.sum().backward()
        ref = fg.tensor(data, requires_grad=True)
        fn(ref).sum().backward()
        assert type(y._data) is type(xp.asarray(data))
        np.testing.assert_allclose(np.asarray(y._data), fn(fg.tensor(data))._data, rtol=1e-12)
        np.testing.assert_allclose(np.asarray(x.grad), ref.grad, rtol=1e-12)
