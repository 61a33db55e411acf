"""The linear op: gradients by central differences (float64) for every fused
activation and input shape, PyTorch parity, second derivatives, and that its
GEMMs go through the one gemm() entry point."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
from fastgrad.backend import numpy_backend

ACTIVATIONS = [None, "relu", "sigmoid", "tanh", "gelu", "gelu_tanh"]
INPUT_SHAPES = [(5,), (4, 5), (2, 3, 5), (0, 5), (2, 0, 5)]


def leaf(rng, shape):
    return fg.tensor(rng.standard_normal(shape), requires_grad=True)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", INPUT_SHAPES, ids=str)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gradcheck(activation, shape, bias, rng):
    x, w = leaf(rng, shape), leaf(rng, (3, 5))
    args = (x, w, leaf(rng, (3,))) if bias else (x, w)
    y = fg.linear(*args, activation=activation)
    assert y.shape == shape[:-1] + (3,)
    assert fg.gradcheck(lambda *a: fg.linear(*a, activation=activation), args)


def test_gradcheck_with_no_input_features(rng):
    args = (leaf(rng, (4, 0)), leaf(rng, (3, 0)), leaf(rng, (3,)))
    np.testing.assert_array_equal(fg.linear(*args).data, np.broadcast_to(args[2].data, (4, 3)))
    assert fg.gradcheck(lambda *a: fg.linear(*a, activation="tanh"), args)


TORCH_ACTIVATIONS = {None: lambda t, y: y, "relu": lambda t, y: t.relu(y), "sigmoid": lambda t, y: t.sigmoid(y),
                     "tanh": lambda t, y: t.tanh(y), "gelu": lambda t, y: t.nn.functional.gelu(y),
                     "gelu_tanh": lambda t, y: t.nn.functional.gelu(y, approximate="tanh")}


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_matches_torch(activation, dtype, rng):
    torch = pytest.importorskip("torch")
    arrays = [rng.standard_normal(s).astype(dtype) for s in [(3, 7, 64), (33, 64), (33,)]]
    ours = [fg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y = fg.linear(*ours, activation=activation)
    ty = TORCH_ACTIVATIONS[activation](torch, torch.nn.functional.linear(*theirs))
    g = rng.standard_normal(y.shape).astype(dtype)
    y.backward(g)
    ty.backward(torch.tensor(g))
    rtol, atol = (1e-11, 1e-12) if dtype == np.float64 else (2e-5, 2e-5)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=rtol, atol=atol)
    for o, t in zip(ours, theirs):
        assert o.grad.dtype == dtype
        np.testing.assert_allclose(o.grad, t.grad.numpy(), rtol=rtol * 10, atol=atol * 10)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_second_derivatives_match_torch(activation, rng):
    torch = pytest.importorskip("torch")
    arrays = [rng.standard_normal(s) for s in [(4, 5), (3, 5), (3,)]]
    ours = [fg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    grads = fg.autograd.grad(fg.linear(*ours, activation=activation).sum(), ours, create_graph=True)
    sum((g * g).sum() for g in grads).backward()
    tgrads = torch.autograd.grad(TORCH_ACTIVATIONS[activation](torch, torch.nn.functional.linear(*theirs)).sum(),
                                 theirs, create_graph=True)
    sum((g * g).sum() for g in tgrads).backward()
    for g, tg in zip(grads, tgrads):
        np.testing.assert_allclose(g.data, tg.detach().numpy(), rtol=1e-11, atol=1e-12)
    for o, t in zip(ours, theirs):
        expected = np.zeros(o.shape) if t.grad is None else t.grad.numpy()
        np.testing.assert_allclose(np.zeros(o.shape) if o.grad is None else o.grad, expected, rtol=1e-9, atol=1e-11)


def test_gradients_only_where_asked(rng):
    x = fg.tensor(rng.standard_normal((4, 5)))
    w, b = leaf(rng, (3, 5)), fg.tensor(rng.standard_normal(3))
    fg.linear(x, w, b, activation="relu").sum().backward()
    assert w.grad is not None and x.grad is None and b.grad is None


def test_gemms_go_through_the_gemm_entry_point(rng, monkeypatch):
    calls = []
    real = numpy_backend.gemm

    def counting(a, b, *args, **kw):
        calls.append((a.shape, b.shape))
        return real(a, b, *args, **kw)

    monkeypatch.setattr(numpy_backend, "gemm", counting)
    x, w, b = leaf(rng, (2, 6, 5)), leaf(rng, (3, 5)), leaf(rng, (3,))
    y = F.linear(x, w, b)
    assert calls == [((12, 5), (5, 3))]
    y.sum().backward()
    assert sorted(calls[1:]) == sorted([((12, 3), (3, 5)), ((3, 12), (12, 5))])


def test_mixed_dtypes_promote_as_numpy(rng):
    x = fg.tensor(rng.standard_normal((2, 4)))  # float64 data
    w = fg.tensor(rng.standard_normal((3, 4)).astype(np.float32), requires_grad=True)
    y = fg.linear(x, w)
    assert y.dtype == np.float64
    y.sum().backward()
    assert w.grad.dtype == np.float32


def test_the_functional_name_takes_arrays_and_tensors(rng):
    x, w, b = rng.standard_normal((2, 4)), rng.standard_normal((3, 4)), rng.standard_normal(3)
    np.testing.assert_allclose(F.linear(fg.tensor(x), w, b).data, x @ w.T + b, rtol=1e-14)
    np.testing.assert_allclose(fg.linear(x, w, activation="relu").data, np.maximum(x @ w.T, 0), rtol=1e-14)


def test_on_array_api_arrays(rng):
    xp = pytest.importorskip("array_api_strict")
    arrays = [rng.standard_normal(s) for s in [(4, 5), (3, 5), (3,)]]
    for activation in ACTIVATIONS:
        ours = [fg.tensor(xp.asarray(a), requires_grad=True) for a in arrays]
        ref = [fg.tensor(a, requires_grad=True) for a in arrays]
        y = fg.linear(*ours, activation=activation)
        (y * y).sum().backward()
        r = fg.linear(*ref, activation=activation)
        (r * r).sum().backward()
        np.testing.assert_allclose(np.asarray(y.data), r.data, rtol=1e-12)
        for o, t in zip(ours, ref):
            np.testing.assert_allclose(np.asarray(o.grad), t.grad, rtol=1e-11, atol=1e-13)
