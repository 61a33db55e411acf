"""float32 convolutions through oneDNN (csrc/onednn_conv.c) against the im2col path and PyTorch.

Each case runs conv2d forward and backward once with oneDNN and once with im2col + GEMM
(fastgrad.backend.onednn_conv.set_conv_algorithm), on the same float32 data; both must agree
with PyTorch in float64 to float32 accuracy.  Skipped where oneDNN is not installed.
"""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad import _C
from fastgrad.backend import onednn, onednn_conv
from fastgrad.nn import functional as F

# (input shape, weight shape, keyword arguments)
CASES = [
    ((4, 1, 28, 28), (16, 1, 5, 5), dict()),  # LeNet's layers
    ((4, 16, 12, 12), (32, 16, 5, 5), dict()),
    ((2, 3, 7, 6), (4, 3, 3, 3), dict(padding=1)),
    ((1, 2, 9, 8), (6, 2, 2, 3), dict(stride=(2, 3), padding=(1, 2))),
    ((2, 2, 10, 9), (3, 2, 3, 2), dict(dilation=(2, 3), padding=2)),
    ((2, 4, 6, 6), (6, 2, 3, 3), dict(groups=2, padding="same")),
    ((2, 4, 6, 7), (4, 1, 2, 4), dict(groups=4, padding="same", dilation=(1, 2))),  # depthwise, uneven padding
    ((3, 5, 5), (2, 3, 3, 3), dict(stride=2)),  # unbatched
]


@pytest.fixture
def algorithm():
    """set(name) chooses the convolution algorithm; the choice in effect before is put back."""
    saved = dict(onednn_conv._state)
    try:
        onednn_conv.set_conv_algorithm("onednn")
    except RuntimeError as e:
        pytest.skip(f"oneDNN cannot be used here: {e}")
    yield onednn_conv.set_conv_algorithm
    onednn_conv._state.update(saved)


def gradients(x, w, b, kwargs, seed_grad, requires_x=True):
    tensors = [fg.tensor(x, requires_grad=requires_x), fg.tensor(w, requires_grad=True),
               fg.tensor(b, requires_grad=True) if b is not None else None]
    out = F.conv2d(*tensors, **kwargs)
    (out * fg.tensor(seed_grad)).sum().backward()
    return [out.numpy()] + [t.grad.numpy() if t is not None and t.grad is not None else None for t in tensors]


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("x_shape, w_shape, kwargs", CASES, ids=str)
def test_onednn_matches_im2col_and_torch(x_shape, w_shape, kwargs, bias, algorithm, rng):
    torch = pytest.importorskip("torch")
    x, w = rng.standard_normal(x_shape).astype(np.float32), rng.standard_normal(w_shape).astype(np.float32)
    b = rng.standard_normal(w_shape[0]).astype(np.float32) if bias else None
    peers = [torch.tensor(a, dtype=torch.float64, requires_grad=True) if a is not None else None for a in (x, w, b)]
    expected = torch.nn.functional.conv2d(*peers, **kwargs)
    seed_grad = rng.standard_normal(tuple(expected.shape)).astype(np.float32)
    (expected * torch.tensor(seed_grad, dtype=torch.float64)).sum().backward()
    wanted = [expected.detach().numpy()] + [p.grad.numpy() if p is not None else None for p in peers]
    algorithm("onednn")
    mine = gradients(x, w, b, kwargs, seed_grad)
    algorithm("im2col")
    reference = gradients(x, w, b, kwargs, seed_grad)
    for name, m, r, e in zip(("output", "input", "weight", "bias"), mine, reference, wanted):
        if e is None:
            assert m is None and r is None
            continue
        assert m.dtype == np.float32 and m.shape == e.shape, name
        scale = np.abs(e).max()
        np.testing.assert_allclose(m, e, rtol=1e-4, atol=1e-5 * scale, err_msg=name)
        np.testing.assert_allclose(m, r, rtol=1e-4, atol=1e-5 * scale, err_msg=name)


def test_the_kernels_are_the_ones_used(algorithm, rng, monkeypatch):
    calls = []
    for name in ("onednn_conv_forward", "onednn_conv_backward_data", "onednn_conv_backward_weights"):
        monkeypatch.setattr(_C, name, lambda *a, _f=getattr(_C, name), _n=name, **k: calls.append(_n) or _f(*a, **k))
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
