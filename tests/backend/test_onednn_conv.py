"""float32 convolutions through oneDNN (csrc/onednn_conv.c) against the im2col path and PyTorch.

Each case runs conv2d (with and without the fused relu), conv1d or conv_transpose2d forward and
backward once with oneDNN and once with im2col + GEMM
(fastgrad.backend.onednn_conv.set_conv_algorithm), on the same float32 data; both must agree
with PyTorch in float64 to float32 accuracy.  Skipped where oneDNN is not installed.
"""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad import _C
from fastgrad.backend import onednn, onednn_conv
from fastgrad.nn import functional as F
from fastgrad.ops.conv import convolution

from conv_cases import CONV1D, CONV2D, CONV_TRANSPOSE2D
from onednn_choice import onednn_for_one_test

# LeNet's two layers, then the float64 tests' geometries
CASES = [((4, 1, 28, 28), (16, 1, 5, 5), dict()), ((4, 16, 12, 12), (32, 16, 5, 5), dict())] + CONV2D[1:-1]


@pytest.fixture
def algorithm():
    """set(name) chooses the convolution algorithm; the choice in effect before is put back."""
    yield from onednn_for_one_test(onednn_conv.set_conv_algorithm, onednn_conv._state)


def gradients(x, w, b, kwargs, seed_grad, requires_x=True, fn=F.conv2d):
    tensors = [fg.tensor(x, requires_grad=requires_x), fg.tensor(w, requires_grad=True),
               fg.tensor(b, requires_grad=True) if b is not None else None]
    out = fn(*tensors, **kwargs)
    (out * fg.tensor(seed_grad)).sum().backward()
    return [out.numpy()] + [t.grad.numpy() if t is not None and t.grad is not None else None for t in tensors]


def compare(fn, torch_fn, x_shape, w_shape, kwargs, bias, algorithm, rng, out_channels=None):
    """fn on float32 data with oneDNN and with im2col + GEMM against torch_fn in float64: the output
    and the input, weight and bias gradients."""
    torch = pytest.importorskip("torch")
    x, w = rng.standard_normal(x_shape).astype(np.float32), rng.standard_normal(w_shape).astype(np.float32)
    b = rng.standard_normal(out_channels or w_shape[0]).astype(np.float32) if bias else None
    peers = [torch.tensor(a, dtype=torch.float64, requires_grad=True) if a is not None else None for a in (x, w, b)]
    expected = torch_fn(*peers, **kwargs)
    seed_grad = rng.standard_normal(tuple(expected.shape)).astype(np.float32)
    (expected * torch.tensor(seed_grad, dtype=torch.float64)).sum().backward()
    wanted = [expected.detach().numpy()] + [p.grad.numpy() if p is not None else None for p in peers]
    algorithm("onednn")
    mine = gradients(x, w, b, kwargs, seed_grad, fn=fn)
    algorithm("im2col")
    reference = gradients(x, w, b, kwargs, seed_grad, fn=fn)
    for name, m, r, e in zip(("output", "input", "weight", "bias"), mine, reference, wanted):
        if e is None:
            assert m is None and r is None
            continue
        assert m.dtype == np.float32 and m.shape == e.shape, name
        scale = np.abs(e).max()
        np.testing.assert_allclose(m, e, rtol=1e-4, atol=1e-5 * scale, err_msg=name)
        np.testing.assert_allclose(m, r, rtol=1e-4, atol=1e-5 * scale, err_msg=name)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("activation", [None, "relu"])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("x_shape, w_shape, kwargs", CASES, ids=str)
def test_onednn_matches_im2col_and_torch(x_shape, w_shape, kwargs, bias, activation, algorithm, rng):
    torch = pytest.importorskip("torch")
    fn = lambda *args, **kw: convolution("conv2d", *args, activation=activation, **kw)  # noqa: E731
    torch_fn = torch.nn.functional.conv2d
    compare(fn, (lambda *a, **k: torch_fn(*a, **k).relu()) if activation else torch_fn, x_shape, w_shape, kwargs,
            bias, algorithm, rng)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("x_shape, w_shape, kwargs", CONV1D, ids=str)
def test_conv1d_on_onednn_matches_im2col_and_torch(x_shape, w_shape, kwargs, algorithm, rng):
    torch = pytest.importorskip("torch")
    compare(F.conv1d, torch.nn.functional.conv1d, x_shape, w_shape, kwargs, True, algorithm, rng)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("x_shape, w_shape, kwargs", CONV_TRANSPOSE2D, ids=str)
def test_conv_transpose2d_on_onednn_matches_im2col_and_torch(x_shape, w_shape, kwargs, bias, algorithm, rng):
    torch = pytest.importorskip("torch")
    compare(F.conv_transpose2d, torch.nn.functional.conv_transpose2d, x_shape, w_shape, kwargs, bias, algorithm,
            rng, out_channels=w_shape[1] * kwargs.get("groups", 1))


def recorded_kernels(monkeypatch):
    calls = []
    for name in ("onednn_conv_forward", "onednn_conv_backward_data", "onednn_conv_backward_weights", "relu_bwd"):
        monkeypatch.setattr(_C, name, lambda *a, _f=getattr(_C, name), _n=name, **k: calls.append(_n) or _f(*a, **k))
    return calls


def test_the_kernels_are_the_ones_used(algorithm, rng, monkeypatch):
    calls = recorded_kernels(monkeypatch)
    x, w = rng.standard_normal((2, 3, 8, 8)).astype(np.float32), rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    gradients(x, w, None, {}, np.ones((2, 4, 6, 6), np.float32))
    assert calls == ["onednn_conv_forward", "onednn_conv_backward_data", "onednn_conv_backward_weights"]
    calls.clear()
    gradients(x, w, None, {}, np.ones((2, 4, 6, 6), np.float32), requires_x=False)
    assert calls == ["onednn_conv_forward", "onednn_conv_backward_weights"]
    calls.clear()
    gradients(x.astype(np.float64), w.astype(np.float64), None, {}, np.ones((2, 4, 6, 6)))
    assert calls == []  # float64 stays on im2col
    calls.clear()
    out = F.conv2d(fg.tensor(np.zeros((0, 3, 8, 8), np.float32)), fg.tensor(w))
    assert out.shape == (0, 4, 6, 6) and calls == []  # an empty batch too


def test_conv1d_the_transposed_convolution_and_the_fused_relu_run_on_onednn(algorithm, rng, monkeypatch):
    calls = recorded_kernels(monkeypatch)
    x, w = rng.standard_normal((2, 3, 9)).astype(np.float32), rng.standard_normal((4, 3, 3)).astype(np.float32)
    gradients(x, w, None, {}, np.ones((2, 4, 7), np.float32), fn=F.conv1d)
    assert calls == ["onednn_conv_forward", "onednn_conv_backward_data", "onednn_conv_backward_weights"]
    calls.clear()
    x, w = rng.standard_normal((2, 4, 5, 5)).astype(np.float32), rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    gradients(x, w, None, dict(stride=2), np.ones((2, 3, 11, 11), np.float32), fn=F.conv_transpose2d)
    # its forward is the backward-data pass of the convolution it is the adjoint of
    assert calls == ["onednn_conv_backward_data", "onednn_conv_forward", "onednn_conv_backward_weights"]
    calls.clear()
    gradients(x, w, None, dict(dilation=2, output_padding=1), np.ones((2, 3, 10, 10), np.float32),
              fn=F.conv_transpose2d)
    assert calls == []  # output_padding >= stride: im2col + GEMM
    calls.clear()
    model = fg.nn.Sequential(fg.nn.Conv2d(4, 3, 3), fg.nn.ReLU())
    model(fg.tensor(x, requires_grad=True)).sum().backward()
    assert calls == ["onednn_conv_forward", "relu_bwd", "onednn_conv_backward_data", "onednn_conv_backward_weights"]


def test_the_relu_post_op_is_max_of_the_plain_output(algorithm, rng):
    x, w = rng.standard_normal((2, 3, 9, 8)).astype(np.float32), rng.standard_normal((5, 3, 3, 2)).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32)
    for kwargs in (dict(), dict(stride=2, padding=(1, 0, 2, 1), dilation=(1, 2))):
        plain = _C.onednn_conv_forward(x, w, b, **kwargs)
        np.testing.assert_array_equal(_C.onednn_conv_forward(x, w, b, relu=True, **kwargs), np.maximum(plain, 0))
        assert (plain < 0).any()


def test_a_strided_input_reads_as_its_values(algorithm, rng):
    base = rng.standard_normal((2, 3, 9, 14)).astype(np.float32)
    w, b = fg.tensor(rng.standard_normal((4, 3, 3, 3)).astype(np.float32)), fg.tensor(np.ones(4, np.float32))
    out = F.conv2d(fg.tensor(base[:, :, :, ::2]), w, b).numpy()
    np.testing.assert_array_equal(out, F.conv2d(fg.tensor(np.ascontiguousarray(base[:, :, :, ::2])), w, b).numpy())


def test_second_derivatives_fall_back_to_im2col(algorithm, rng):
    x = fg.tensor(rng.standard_normal((1, 2, 5, 5)).astype(np.float32), requires_grad=True)
    w = fg.tensor(rng.standard_normal((3, 2, 3, 3)).astype(np.float32), requires_grad=True)
    (gx,) = fg.autograd.grad((F.conv2d(x, w) ** 2).sum(), [x], create_graph=True)
    (gw,) = fg.autograd.grad(gx.sum(), [w])
    algorithm("im2col")
    (gx2,) = fg.autograd.grad((F.conv2d(x, w) ** 2).sum(), [x], create_graph=True)
    (gw2,) = fg.autograd.grad(gx2.sum(), [w])
    np.testing.assert_allclose(gw.numpy(), gw2.numpy(), rtol=1e-4, atol=1e-4)


F32 = np.float32


@pytest.mark.parametrize("call, error, fragment", [
    (lambda: _C.onednn_conv_forward(np.ones((1, 1, 4, 4)), np.ones((1, 1, 2, 2), F32)), TypeError, "float32"),
    (lambda: _C.onednn_conv_forward([[1.0]], np.ones((1, 1, 2, 2), F32)), TypeError, "numpy.ndarray"),
    (lambda: _C.onednn_conv_forward(np.ones((1, 4, 4), F32), np.ones((1, 1, 2, 2), F32)), ValueError, "4-d"),
    (lambda: _C.onednn_conv_forward(np.ones((1, 1, 4, 4), F32), np.ones((1, 1, 2, 2), F32), np.ones(3, F32)),
     ValueError, "bias"),
    (lambda: _C.onednn_conv_forward(np.ones((1, 3, 4, 4), F32), np.ones((2, 2, 2, 2), F32)), ValueError, "groups"),
    (lambda: _C.onednn_conv_forward(np.ones((1, 1, 4, 4), F32), np.ones((1, 1, 2, 2), F32), padding=1),
     ValueError, "padding"),
    (lambda: _C.onednn_conv_forward(np.ones((1, 1, 4, 4), F32), np.ones((1, 1, 2, 2), F32), stride=0),
     ValueError, "stride"),
    (lambda: _C.onednn_conv_forward(np.ones((0, 1, 4, 4), F32), np.ones((1, 1, 2, 2), F32)), ValueError, "empty"),
    (lambda: _C.onednn_conv_forward(np.ones((1, 1, 2, 2), F32), np.ones((1, 1, 3, 3), F32)), ValueError, "empty"),
    (lambda: _C.onednn_conv_backward_data(np.ones((1, 1, 2, 2), F32), np.ones((1, 1, 2, 2), F32),
                                          input_shape=(1, 1, 4, 4)), ValueError, "grad"),
    (lambda: _C.onednn_conv_backward_weights(np.ones((1, 1, 4, 4), F32), np.ones((1, 2, 3, 3), F32),
                                             weight_shape=(1, 1, 2, 2)), ValueError, "grad"),
    (lambda: _C.onednn_conv_backward_data(np.ones((1, 1, 3, 3), F32), np.ones((1, 1, 2, 2), F32),
                                          input_shape=(1, 1, 4)), ValueError, "input_shape"),
    (lambda: _C.onednn_conv_backward_data(np.ones((1, 1, 3, 3), F32), np.ones((1, 1, 2, 2), F32),
                                          input_shape=(1, 1, 4.0, 4)), ValueError, "input_shape"),
    (lambda: _C.onednn_conv_backward_weights(np.ones((1, 1, 4, 4), F32), np.ones((1, 1, 3, 3), F32),
                                             weight_shape=(1, 1, -2, 2)), ValueError, "weight_shape"),
])
def test_bad_input_raises_a_clear_error(call, error, fragment):
    with pytest.raises(error, match=r"^conv2d(_backward)? \(oneDNN\): ") as info:
        call()
    assert fragment in str(info.value)


def test_the_choice_is_checked_and_a_missing_library_is_named(monkeypatch):
    saved = dict(onednn_conv._state)
    try:
        with pytest.raises(ValueError, match="set_conv_algorithm: argument 'name'"):
            onednn_conv.set_conv_algorithm("fast")
        monkeypatch.setattr(onednn, "find_onednn_library", lambda: None)
        with pytest.raises(RuntimeError, match="oneDNN is not installed"):
            onednn_conv.set_conv_algorithm("onednn")
        assert onednn_conv.get_conv_algorithm() == "im2col"
        assert onednn_conv.set_conv_algorithm("auto") == "im2col"
        assert "im2col" in onednn_conv.conv_description()
        onednn_conv._state["active"] = None
        monkeypatch.setenv("FASTGRAD_CONV", "bogus")
        with pytest.warns(RuntimeWarning, match="FASTGRAD_CONV='bogus'"):
            assert onednn_conv.get_conv_algorithm() == "im2col"
    finally:
        onednn_conv._state.update(saved)
