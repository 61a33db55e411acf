"""conv1d / conv2d: values and all three gradients against PyTorch (float64), against
central differences, and their argument checks."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.nn import functional as F
from fastgrad.ops.conv import convolution

from conv_cases import CONV1D, CONV2D, CONV_TRANSPOSE2D


def run(fn, torch_fn, x_shape, w_shape, kwargs, bias=True, seed=0):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[0]) if bias else None
    tensors = [fg.tensor(a, requires_grad=True) if a is not None else None for a in (x, w, b)]
    out = fn(*tensors, **kwargs)
    seed_grad = rng.standard_normal(out.shape)
    (out * fg.tensor(seed_grad)).sum().backward()
    peers = [torch.tensor(a, requires_grad=True) if a is not None else None for a in (x, w, b)]
    expected = torch_fn(*peers, **kwargs)
    (expected * torch.tensor(seed_grad)).sum().backward()
    assert out.shape == tuple(expected.shape) and out.dtype == np.float64
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    for mine, theirs, name in zip(tensors, peers, ("input", "weight", "bias")):
        if mine is not None:
            np.testing.assert_allclose(mine.grad.data, theirs.grad.numpy(), rtol=1e-12, atol=1e-12, err_msg=name)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("name, x_shape, w_shape, kwargs",
                         [("conv2d", *case) for case in CONV2D] + [("conv1d", *case) for case in CONV1D], ids=str)
def test_matches_torch(name, x_shape, w_shape, kwargs, bias):
    torch = pytest.importorskip("torch")
    run(getattr(F, name), getattr(torch.nn.functional, name), x_shape, w_shape, kwargs, bias)


@pytest.mark.parametrize("kwargs", [dict(), dict(stride=2, padding=1, dilation=(1, 2)), dict(groups=2)])
def test_conv2d_passes_gradcheck(kwargs, rng):
    x = fg.tensor(rng.standard_normal((2, 4, 5, 6)), requires_grad=True)
    w = fg.tensor(rng.standard_normal((4, 4 // kwargs.get("groups", 1), 3, 2)), requires_grad=True)
    b = fg.tensor(rng.standard_normal(4), requires_grad=True)
    assert fg.gradcheck(lambda x, w, b: F.conv2d(x, w, b, **kwargs), (x, w, b))


def test_conv1d_passes_gradcheck(rng):
    x = fg.tensor(rng.standard_normal((2, 3, 7)), requires_grad=True)
    w = fg.tensor(rng.standard_normal((2, 3, 3)), requires_grad=True)
    assert fg.gradcheck(lambda x, w: F.conv1d(x, w, padding="same"), (x, w))


def test_float32_stays_float32_and_is_close_to_float64(rng):
    x, w, b = rng.standard_normal((2, 3, 8, 8)), rng.standard_normal((5, 3, 3, 3)), rng.standard_normal(5)
    out32 = F.conv2d(fg.tensor(x.astype(np.float32)), fg.tensor(w.astype(np.float32)), fg.tensor(b.astype(np.float32)))
    out64 = F.conv2d(fg.tensor(x), fg.tensor(w), fg.tensor(b))
    assert out32.dtype == np.float32
    np.testing.assert_allclose(out32.data, out64.data, rtol=1e-4, atol=1e-5)


def test_mixed_dtypes_promote(rng):
    out = F.conv2d(fg.tensor(rng.standard_normal((1, 1, 4, 4)).astype(np.float32)), fg.tensor(np.ones((1, 1, 2, 2))))
    assert out.dtype == np.float64


def test_only_requested_gradients_are_computed(rng):
    x = fg.tensor(rng.standard_normal((1, 2, 5, 5)))
    w = fg.tensor(rng.standard_normal((3, 2, 3, 3)), requires_grad=True)
    F.conv2d(x, w).sum().backward()
    assert x.grad is None and w.grad.shape == (3, 2, 3, 3)


@pytest.mark.parametrize("call, error, fragment", [
    (lambda: F.conv2d(fg.ones((1, 3, 5, 5)), fg.ones((2, 3, 3))), ValueError, "weight must be 4-d"),
    (lambda: F.conv2d(fg.ones((1, 1, 3, 5, 5)), fg.ones((2, 3, 3, 3))), ValueError, "input must be"),
    (lambda: F.conv2d(fg.ones((1, 4, 5, 5)), fg.ones((2, 3, 3, 3))), ValueError, "expects 3"),
    (lambda: F.conv2d(fg.ones((1, 4, 5, 5)), fg.ones((3, 2, 3, 3)), groups=2), ValueError, "divisible by groups"),
    (lambda: F.conv2d(fg.ones((1, 3, 5, 5)), fg.ones((2, 3, 3, 3)), groups=0), ValueError, "groups"),
    (lambda: F.conv2d(fg.ones((1, 3, 5, 5)), fg.ones((2, 3, 3, 3)), fg.ones(3)), ValueError, "bias has shape"),
    (lambda: F.conv2d(fg.ones((1, 3, 2, 2)), fg.ones((2, 3, 3, 3))), ValueError, "output would be empty"),
    (lambda: F.conv2d(fg.ones((1, 3, 5, 5)), fg.ones((2, 3, 3, 3)), stride=0), ValueError, "stride"),
    (lambda: F.conv2d(fg.ones((1, 3, 5, 5)), fg.ones((2, 3, 3, 3)), stride=(1, 1, 1)), TypeError, "stride"),
    (lambda: F.conv2d(fg.ones((1, 3, 5, 5)), fg.ones((2, 3, 3, 3)), padding=-1), ValueError, "padding"),
    (lambda: F.conv2d(fg.ones((1, 3, 5, 5)), fg.ones((2, 3, 3, 3)), padding="full"), ValueError, "padding"),
    (lambda: F.conv2d(fg.ones((1, 3, 5, 5)), fg.ones((2, 3, 3, 3)), padding="same", stride=2), ValueError,
     "strided"),
    (lambda: F.conv2d(fg.ones((1, 3, 5, 5)), fg.ones((2, 3, 3, 3)), dilation=0), ValueError, "dilation"),
    (lambda: F.conv1d(fg.ones((1, 3, 5)), fg.ones((2, 3, 3, 3))), ValueError, "weight must be 3-d"),
])
def test_bad_arguments_raise_clear_errors(call, error, fragment):
    with pytest.raises(error, match="^conv[12]d: ") as info:
        call()
    assert fragment in str(info.value)


@pytest.mark.parametrize("kwargs, w_shape", [(dict(padding=1), (3, 4, 3, 2)),
                                             (dict(stride=2, dilation=(1, 2), groups=2, padding=(2, 1)), (4, 2, 3, 2))])
def test_second_derivatives_match_torch(kwargs, w_shape, rng):
    torch = pytest.importorskip("torch")
    x, w, b = rng.standard_normal((2, 4, 6, 5)), rng.standard_normal(w_shape), rng.standard_normal(w_shape[0])
    X, W, B = (fg.tensor(a, requires_grad=True) for a in (x, w, b))
    y = F.conv2d(X, W, B, **kwargs)
    gx, gw = fg.autograd.grad((y * y).sum(), [X, W], create_graph=True)
    ((gx * gx).sum() + (gw * gw * gw).sum()).backward()
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    ty = torch.nn.functional.conv2d(tx, tw, tb, **kwargs)
    tgx, tgw = torch.autograd.grad((ty * ty).sum(), [tx, tw], create_graph=True)
    ((tgx * tgx).sum() + (tgw ** 3).sum()).backward()
    for mine, theirs in ((X, tx), (W, tw), (B, tb)):
        np.testing.assert_allclose(mine.grad.data, theirs.grad.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("x_shape, w_shape, kwargs", CONV_TRANSPOSE2D, ids=str)
def test_conv_transpose2d_matches_torch(x_shape, w_shape, kwargs, bias):
    torch = pytest.importorskip("torch")
    out_channels = w_shape[1] * kwargs.get("groups", 1)
    rng = np.random.default_rng(3)
    x, w, b = rng.standard_normal(x_shape), rng.standard_normal(w_shape), rng.standard_normal(out_channels)
    b = b if bias else None
    mine = [None if a is None else fg.tensor(a, requires_grad=True) for a in (x, w, b)]
    theirs = [None if a is None else torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    out = F.conv_transpose2d(*mine, **kwargs)
    expected = torch.nn.functional.conv_transpose2d(*theirs, **kwargs)
    seed = rng.standard_normal(out.shape)
    (out * fg.tensor(seed)).sum().backward()
    (expected * torch.tensor(seed)).sum().backward()
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    for m, t in zip(mine, theirs):
        if m is not None:
            np.testing.assert_allclose(m.grad.data, t.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_conv_transpose2d_passes_gradcheck_and_second_derivatives(rng):
    torch = pytest.importorskip("torch")
    x, w = rng.standard_normal((2, 4, 3, 4)), rng.standard_normal((4, 2, 3, 2))
    X, W = fg.tensor(x, requires_grad=True), fg.tensor(w, requires_grad=True)
    assert fg.gradcheck(lambda x, w: F.conv_transpose2d(x, w, stride=2, groups=2), (X, W))
    gx, gw = fg.autograd.grad((F.conv_transpose2d(X, W, padding=1) ** 2).sum(), [X, W], create_graph=True)
    ((gx * gx).sum() + (gw ** 3).sum()).backward()
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    tgx, tgw = torch.autograd.grad((torch.nn.functional.conv_transpose2d(tx, tw, padding=1) ** 2).sum(), [tx, tw],
                                   create_graph=True)
    ((tgx * tgx).sum() + (tgw ** 3).sum()).backward()
    np.testing.assert_allclose(X.grad.data, tx.grad.numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(W.grad.data, tw.grad.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("call, fragment", [
    (lambda: F.conv_transpose2d(fg.ones((1, 3, 4, 4)), fg.ones((2, 3, 3, 3))), "expects 2"),
    (lambda: F.conv_transpose2d(fg.ones((1, 2, 4, 4)), fg.ones((2, 3, 3))), "weight must be 4-d"),
    (lambda: F.conv_transpose2d(fg.ones((1, 2, 4, 4)), fg.ones((2, 3, 3, 3)), stride=2, output_padding=2),
     "output_padding"),
    (lambda: F.conv_transpose2d(fg.ones((1, 2, 1, 1)), fg.ones((2, 3, 1, 1)), padding=1), "output would be empty"),
    (lambda: F.conv_transpose2d(fg.ones((1, 2, 4, 4)), fg.ones((2, 3, 3, 3)), fg.ones(2)), "bias has shape"),
])
def test_conv_transpose2d_bad_arguments(call, fragment):
    with pytest.raises(ValueError, match="^conv_transpose2d: ") as info:
        call()
    assert fragment in str(info.value)


@pytest.mark.parametrize("groups", [1, 2])
def test_weight_gradient_without_input_gradient_matches_torch(groups, rng):
    # the first layer of a network: only the weight and bias gradients are asked for
    torch = pytest.importorskip("torch")
    x, w, b = rng.standard_normal((3, 4, 9, 8)), rng.standard_normal((6, 4 // groups, 3, 2)), rng.standard_normal(6)
    seed_grad = rng.standard_normal((3, 6, 4, 7))
    mine = [fg.tensor(w, requires_grad=True), fg.tensor(b, requires_grad=True)]
    out = F.conv2d(fg.tensor(x), *mine, stride=(2, 1), groups=groups)
    (out * fg.tensor(seed_grad)).sum().backward()
    theirs = [torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)]
    (torch.nn.functional.conv2d(torch.tensor(x), *theirs, stride=(2, 1), groups=groups)
     * torch.tensor(seed_grad)).sum().backward()
    for m, t in zip(mine, theirs):
        np.testing.assert_allclose(m.grad.data, t.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_a_strided_input_reads_as_its_values(rng):
    base = rng.standard_normal((2, 3, 7, 12))
    w, b = fg.tensor(rng.standard_normal((4, 3, 3, 3))), fg.tensor(rng.standard_normal(4))
    out = F.conv2d(fg.tensor(base[:, :, :, ::2]), w, b).numpy()
    np.testing.assert_array_equal(out, F.conv2d(fg.tensor(np.ascontiguousarray(base[:, :, :, ::2])), w, b).numpy())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_an_empty_batch_gives_an_empty_output_and_zero_weight_gradients(dtype):
    x = fg.tensor(np.zeros((0, 2, 6, 6), dtype), requires_grad=True)
    w = fg.tensor(np.ones((3, 2, 3, 3), dtype), requires_grad=True)
    b = fg.tensor(np.ones(3, dtype), requires_grad=True)
    out = F.conv2d(x, w, b, padding=1)
    assert out.shape == (0, 3, 6, 6) and out.dtype == dtype
    out.sum().backward()
    assert x.grad.shape == (0, 2, 6, 6)
    np.testing.assert_array_equal(w.grad.data, np.zeros((3, 2, 3, 3)))
    np.testing.assert_array_equal(b.grad.data, np.zeros(3))


def relu_after(torch_fn):
    return lambda *args, **kwargs: torch_fn(*args, **kwargs).relu()


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("name, x_shape, w_shape, kwargs",
                         [("conv2d", *case) for case in CONV2D[1:7]] + [("conv1d", *case) for case in CONV1D[:3]],
                         ids=str)
def test_fused_relu_matches_torch(name, x_shape, w_shape, kwargs, bias):
    torch = pytest.importorskip("torch")
    fused = lambda *args, **kw: convolution(name, *args, activation="relu", **kw)  # noqa: E731
    run(fused, relu_after(getattr(torch.nn.functional, name)), x_shape, w_shape, kwargs, bias)


@pytest.mark.parametrize("kwargs", [dict(), dict(stride=2, padding=1, dilation=(1, 2), groups=2)])
def test_fused_relu_passes_gradcheck_and_second_derivatives(kwargs, rng):
    torch = pytest.importorskip("torch")
    x, w, b = rng.standard_normal((2, 4, 5, 6)), rng.standard_normal((4, 4 // kwargs.get("groups", 1), 3, 2)), \
        rng.standard_normal(4)
    X, W, B = (fg.tensor(a, requires_grad=True) for a in (x, w, b))
    assert fg.gradcheck(lambda x, w, b: convolution("conv2d", x, w, b, activation="relu", **kwargs), (X, W, B))
    (gx,) = fg.autograd.grad((convolution("conv2d", X, W, B, activation="relu", **kwargs) ** 2).sum(), [X],
                             create_graph=True)
    (gx * gx).sum().backward()
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    (tgx,) = torch.autograd.grad((torch.nn.functional.conv2d(tx, tw, tb, **kwargs).relu() ** 2).sum(), [tx],
                                 create_graph=True)
    (tgx * tgx).sum().backward()
    for mine, theirs in ((X, tx), (W, tw), (B, tb)):
        np.testing.assert_allclose(mine.grad.data, theirs.grad.numpy(), rtol=1e-10, atol=1e-10)


def recorded_activations(monkeypatch):
    """The activation argument of every convolution the conv modules run, in order."""
    from fastgrad.nn.modules import conv as conv_modules
    calls = []

    def recording(*args, **kwargs):
        calls.append(args[8] if len(args) > 8 else kwargs.get("activation"))
        return convolution(*args, **kwargs)

    monkeypatch.setattr(conv_modules, "convolution", recording)
    return calls


def lenet_like(nn, dims=2):
    conv, pool = (nn.Conv2d, nn.MaxPool2d) if dims == 2 else (nn.Conv1d, nn.MaxPool1d)
    return nn.Sequential(conv(2, 4, 3, padding=1), nn.ReLU(), pool(2), conv(4, 6, 3, stride=2, dilation=2),
                         nn.ReLU(inplace=True), nn.Flatten())


@pytest.mark.parametrize("dims", [1, 2])
def test_sequential_fuses_a_convolution_and_the_relu_after_it(dims, rng, monkeypatch):
    torch = pytest.importorskip("torch")
    calls = recorded_activations(monkeypatch)
    x = rng.standard_normal((3, 2) + (12,) * dims)
    fg.manual_seed(0)
    model = lenet_like(fg.nn, dims).double()
    peer = lenet_like(torch.nn, dims).double()
    peer.load_state_dict({k: torch.tensor(v.numpy()) for k, v in model.state_dict().items()})
    X, tx = fg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = model(X), peer(tx)
    assert calls == ["relu", "relu"]
    seed = rng.standard_normal(out.shape)
    (out * fg.tensor(seed)).sum().backward()
    (expected * torch.tensor(seed)).sum().backward()
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(X.grad.data, tx.grad.numpy(), rtol=1e-12, atol=1e-12)
    for (name, p), q in zip(model.named_parameters(), peer.parameters()):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-12, atol=1e-12, err_msg=name)


def test_sequential_runs_the_pair_one_by_one_when_hooks_or_subclasses_must_see_it(rng, monkeypatch):
    calls = recorded_activations(monkeypatch)
    x = fg.tensor(rng.standard_normal((2, 2, 12, 12)))
    model = lenet_like(fg.nn)
    fused = model(x).numpy()
    seen = []
    handle = model[1].register_forward_hook(lambda module, args, output: seen.append(output.shape))
    calls.clear()
    np.testing.assert_allclose(model(x).numpy(), fused, rtol=1e-12)
    assert calls == [None, "relu"] and seen == [(2, 4, 12, 12)]
    handle.remove()

    class Clamped(fg.nn.ReLU):
        def forward(self, input):
            return super().forward(input).clamp(max=0.5)

    model.add_module("4", Clamped())
    calls.clear()
    assert float(model(x).max()) <= 0.5 and calls == ["relu", None]


@pytest.mark.parametrize("activation", ["gelu", "sigmoid", 1, ["relu"]])
def test_a_convolution_fuses_only_relu(activation):
    with pytest.raises(ValueError, match="^conv2d: argument 'activation' must be None or 'relu'"):
        convolution("conv2d", fg.ones((1, 1, 4, 4)), fg.ones((1, 1, 2, 2)), activation=activation)
