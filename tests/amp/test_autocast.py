"""fastgrad.autocast: PyTorch's CPU semantics.  matmul, linear and conv run with 16-bit operands
and float32 accumulation (forward and backward); everything else, parameters and gradients stay
float32; float64 is untouched."""
import sys
import threading

import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
from fastgrad import nn

from .conftest import round16

DTYPES = ["bfloat16", "float16"]


def tensor(rng, *shape, requires_grad=True, dtype=np.float32):
    return fg.tensor(rng.standard_normal(shape).astype(dtype), requires_grad=requires_grad)


def close_to_exact(got, want, k):
    """got (float32 sums) equals want (exact sums of the same rounded products) up to float32 summation."""
    bound = (k + 2) * 2.0 ** -23 * np.abs(want).max(initial=0.0) * 4 + 1e-30
    np.testing.assert_allclose(got, want, rtol=0, atol=bound)


@pytest.mark.parametrize("dtype", DTYPES)
def test_linear_forward_and_backward_use_rounded_operands(rng, bf16_gemm, dtype):
    x, w, b = tensor(rng, 16, 24), tensor(rng, 8, 24), tensor(rng, 8)
    c = rng.standard_normal((16, 8)).astype(np.float32)  # loss = sum(y * c): gy = c
    with fg.autocast("cpu", dtype=dtype):
        y = F.linear(x, w, b)
        loss = (y * fg.tensor(c)).sum()
    loss.backward()  # outside the block, as PyTorch recommends: the products stay 16-bit
    xr, wr, cr = round16(x._data, dtype), round16(w._data, dtype), round16(c, dtype)
    assert y.dtype == np.float32 and loss.dtype == np.float32
    close_to_exact(y._data, xr @ wr.T + b._data, 24)
    close_to_exact(x.grad._data, cr @ wr, 8)
    close_to_exact(w.grad._data, cr.T @ xr, 16)
    np.testing.assert_allclose(b.grad._data, c.sum(axis=0), rtol=1e-6)  # a reduction: float32
    for t in (x, w, b):
        assert t.dtype == np.float32 and t.grad.dtype == np.float32


@pytest.mark.parametrize("activation", ["relu", "gelu", "tanh"])
def test_fused_activation_runs_in_float32_after_the_16_bit_product(rng, bf16_gemm, activation):
    x, w, b = tensor(rng, 10, 12), tensor(rng, 6, 12), tensor(rng, 6)
    with fg.autocast():
        y = fg.linear(x, w, b, activation=activation)
    z = fg.tensor(round16(x._data, "bfloat16").astype(np.float32)) @ fg.tensor(
        round16(w._data, "bfloat16").astype(np.float32)).T + b._data
    want = {"relu": F.relu, "gelu": F.gelu, "tanh": fg.tanh}[activation](z)
    np.testing.assert_allclose(y._data, want._data, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("shape_x, shape_y", [((5, 7), (7, 3)), ((7,), (7,)), ((4, 7), (7,)),
                                              ((2, 3, 4, 7), (7, 5)), ((0, 7), (7, 3))])
def test_matmul_forward_and_backward(rng, bf16_gemm, shape_x, shape_y):
    x, y = tensor(rng, *shape_x), tensor(rng, *shape_y)
    with fg.autocast(dtype="bfloat16"):
        z = x @ y
    z.sum().backward()
    xr, yr = round16(x._data, "bfloat16"), round16(y._data, "bfloat16")
    k = shape_x[-1]
    close_to_exact(z._data, np.matmul(xr, yr), k)
    assert x.grad.dtype == np.float32 and y.grad.dtype == np.float32
    assert x.grad.shape == x.shape and y.grad.shape == y.shape
    if len(shape_x) == 2 and len(shape_y) == 2 and shape_x[0]:
        ones = np.ones(z.shape)
        close_to_exact(x.grad._data, ones @ yr.T, shape_y[1])
        close_to_exact(y.grad._data, xr.T @ ones, shape_x[0])


def test_conv2d_products_are_16_bit(rng, bf16_gemm):
    x, w, b = tensor(rng, 2, 3, 9, 9), tensor(rng, 4, 3, 3, 3), tensor(rng, 4)
    with fg.autocast():
        y = F.conv2d(x, w, b, padding=1)
    y.sum().backward()
    xr = fg.tensor(round16(x._data, "bfloat16").astype(np.float32), requires_grad=True)
    wr = fg.tensor(round16(w._data, "bfloat16").astype(np.float32), requires_grad=True)
    want = F.conv2d(xr, wr, b._data, padding=1)
    np.testing.assert_allclose(y._data, want._data, rtol=1e-5, atol=1e-4)
    assert w.grad.dtype == np.float32 and x.grad.dtype == np.float32
    # the backward's GEMMs read the rounded operands too (gy = 1 is exact in bf16)
    want.sum().backward()
    np.testing.assert_allclose(w.grad._data, wr.grad._data, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(x.grad._data, xr.grad._data, rtol=1e-5, atol=1e-4)


def test_everything_else_stays_float32_and_bit_identical(rng):
    x = tensor(rng, 8, 10)
    labels = fg.tensor(rng.integers(0, 10, 8))
    plain = [F.softmax(x, dim=1), F.log_softmax(x, dim=1), F.cross_entropy(x, labels), x.sum(), x.mean(),
             F.mse_loss(x, x * 0.5), F.relu(x), (x * x).exp()]
    with fg.autocast():
        cast = [F.softmax(x, dim=1), F.log_softmax(x, dim=1), F.cross_entropy(x, labels), x.sum(), x.mean(),
                F.mse_loss(x, x * 0.5), F.relu(x), (x * x).exp()]
    for a, b in zip(plain, cast):
        assert b.dtype == np.float32
        np.testing.assert_array_equal(a._data, b._data)


def test_float64_is_left_alone(rng, bf16_gemm):
    x, w = tensor(rng, 6, 5, dtype=np.float64), tensor(rng, 4, 5, dtype=np.float64)
    with fg.autocast():
        y = F.linear(x, w)
        z = x @ w.T
    np.testing.assert_array_equal(y._data, F.linear(x, w)._data)
    np.testing.assert_array_equal(z._data, (x @ w.T)._data)
    assert y.dtype == np.float64


def test_parameters_are_float32_and_unchanged_by_the_forward(rng, bf16_gemm):
    model = nn.Sequential(nn.Linear(12, 16), nn.ReLU(), nn.Linear(16, 3))
    before = [p._data.copy() for p in model.parameters()]
    x = tensor(rng, 5, 12, requires_grad=False)
    with fg.autocast():
        loss = model(x).square().mean()
    loss.backward()
    for p, old in zip(model.parameters(), before):
        assert p.dtype == np.float32 and p.grad.dtype == np.float32
        np.testing.assert_array_equal(p._data, old)  # no rounding of master weights in place


def test_adam_updates_float32_master_weights_without_drift(rng, bf16_gemm):
    """A step smaller than bf16's resolution still moves the float32 weight: the master copy is
    float32, not re-rounded from bf16 each step."""
    w = nn.Parameter(fg.tensor(np.full((2, 3), 1.0, dtype=np.float32)))
    opt = fg.optim.SGD([w], lr=1e-4)
    x = fg.tensor(np.ones((1, 3), dtype=np.float32))
    for _ in range(10):
        opt.zero_grad()
        with fg.autocast():
            loss = F.linear(x, w).sum()
        loss.backward()
        opt.step()
    np.testing.assert_allclose(w._data, 1.0 - 10 * 1e-4, rtol=1e-6)  # 1 - 1e-3 is not a bfloat16


def test_enabled_false_nesting_and_state(rng):
    x, w = tensor(rng, 4, 6), tensor(rng, 6, 3)
    exact = (x @ w)._data
    assert not fg.amp.is_autocast_enabled() and fg.amp.get_autocast_dtype() is None
    with fg.autocast(dtype="float16"):
        assert fg.amp.get_autocast_dtype() == "float16"
        with fg.autocast(enabled=False):
            assert not fg.amp.is_autocast_enabled()
            np.testing.assert_array_equal((x @ w)._data, exact)
        with fg.amp.autocast("cpu", dtype=np.float16):
            assert fg.amp.get_autocast_dtype() == "float16"
        assert fg.amp.get_autocast_dtype() == "float16"
        assert not np.array_equal((x @ w)._data, exact)
    assert fg.amp.get_autocast_dtype() is None
    with pytest.raises(ZeroDivisionError):
        with fg.autocast():
            1 / 0
    assert fg.amp.get_autocast_dtype() is None, "an exception leaves autocast off"


def test_decorator(rng):
    @fg.autocast(dtype="bfloat16")
    def product(a, b):
        assert fg.amp.get_autocast_dtype() == "bfloat16"
        return a @ b

    x, w = tensor(rng, 4, 6), tensor(rng, 6, 3)
    close_to_exact(product(x, w)._data, round16(x._data, "bfloat16") @ round16(w._data, "bfloat16"), 6)
    assert not fg.amp.is_autocast_enabled()


def test_autocast_is_per_thread():
    seen = []
    with fg.autocast():
        thread = threading.Thread(target=lambda: seen.append(fg.amp.is_autocast_enabled()))
        thread.start()
        thread.join()
    assert seen == [False]


def test_dtype_spellings_and_refusals():
    for spelling in ("bfloat16", "bf16", "BFloat16", None):
        assert fg.autocast(dtype=spelling).fast_dtype == "bfloat16"
    for spelling in ("float16", "half", np.float16, np.dtype(np.float16), fg.float16):
        assert fg.autocast(dtype=spelling).fast_dtype == "float16"
    with pytest.raises(ValueError, match="autocast: argument 'dtype'"):
        fg.autocast(dtype=np.float32)
    with pytest.raises(ValueError, match="device_type"):
        fg.autocast("cuda")
    with pytest.raises(TypeError, match="enabled"):
        fg.autocast(enabled="yes")


def test_bfloat16_dtype_from_ml_dtypes():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    assert fg.bfloat16 is ml_dtypes.bfloat16 and fg.amp.bfloat16 is ml_dtypes.bfloat16
    assert fg.autocast(dtype=fg.bfloat16).fast_dtype == "bfloat16"
    assert fg.autocast(dtype=np.dtype(ml_dtypes.bfloat16)).fast_dtype == "bfloat16"


def test_bfloat16_without_ml_dtypes_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "ml_dtypes", None)  # import fails as if not installed
    with pytest.raises(ImportError, match="pip install ml_dtypes"):
        fg.bfloat16
    with pytest.raises(ImportError, match="ml_dtypes"):
        fg.amp.bfloat16
    with fg.autocast(dtype="bfloat16"):  # autocast itself does not need it
        assert fg.amp.is_autocast_enabled()


def test_matches_torch_autocast(rng, bf16_gemm):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((32, 20)).astype(np.float32)
    labels = rng.integers(0, 5, 32)
    fg.manual_seed(0)
    model = nn.Sequential(nn.Linear(20, 24), nn.Tanh(), nn.Linear(24, 5))
    tmodel = torch.nn.Sequential(torch.nn.Linear(20, 24), torch.nn.Tanh(), torch.nn.Linear(24, 5))
    with torch.no_grad():
        for p, q in zip(model.parameters(), tmodel.parameters()):
            q.copy_(torch.from_numpy(p._data))
    with fg.autocast("cpu", dtype="bfloat16"):
        loss = F.cross_entropy(model(fg.tensor(x)), fg.tensor(labels))
    loss.backward()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        tloss = torch.nn.functional.cross_entropy(tmodel(torch.from_numpy(x)), torch.from_numpy(labels))
    tloss.backward()
    assert tloss.dtype == torch.float32
    np.testing.assert_allclose(loss.item(), tloss.item(), rtol=1e-2)
    for p, q in zip(model.parameters(), tmodel.parameters()):
        assert q.grad.dtype == torch.float32 and p.grad.dtype == np.float32
        g, tg = p.grad._data, q.grad.numpy()
        # PyTorch also rounds the outputs of its bf16 GEMMs to bf16 (relative error 2^-9 each, which
        # the next layers add up); fastgrad keeps them float32
        assert np.abs(g - tg).max() <= 2.0 ** -5 * np.abs(tg).max()


def test_attention_products_are_16_bit(rng, bf16_gemm):
    q, k, v = tensor(rng, 2, 3, 5, 8), tensor(rng, 2, 3, 6, 8), tensor(rng, 2, 3, 6, 4)
    plain = F.scaled_dot_product_attention(q, k, v)
    with fg.autocast():
        cast = F.scaled_dot_product_attention(q, k, v)
    cast.sum().backward()
    assert cast.dtype == np.float32 and q.grad.dtype == np.float32 and v.grad.dtype == np.float32
    assert not np.array_equal(cast._data, plain._data)
    np.testing.assert_allclose(cast._data, plain._data, rtol=0, atol=2.0 ** -5 * np.abs(v._data).max())
