"""clip_grad_norm_ (one fused pass for the norm) and clip_grad_value_, against PyTorch."""
import math
import subprocess
import sys

import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn

SHAPES = [(3, 4), (), (40000,), (7,)]


def _params(rng, dtype, scale=1.0):
    ps = [nn.Parameter(rng.standard_normal(s).astype(dtype)) for s in SHAPES]
    for p in ps:
        p.grad = np.asarray(scale * rng.standard_normal(p.shape), dtype=dtype)
    return ps


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("norm_type", [2.0, math.inf, 1.0, 3.0])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_matches_pytorch(dtype, norm_type, max_norm):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    ours = _params(rng, dtype)
    theirs = [torch.tensor(p._data.copy(), requires_grad=True) for p in ours]
    for p, t in zip(ours, theirs):
        t.grad = torch.tensor(p.grad._data.copy())
    norm = nn.utils.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    tnorm = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    assert float(norm) == pytest.approx(float(tnorm), rel=rtol)
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=rtol, atol=1e-7)


def test_norm_is_global_and_grads_scaled_in_place():
    rng = np.random.default_rng(1)
    ps = _params(rng, np.float64, scale=3.0)
    arrays = [p.grad._data for p in ps]
    expected = math.sqrt(sum(float(np.sum(g ** 2)) for g in arrays))
    before = [g.copy() for g in arrays]
    norm = nn.utils.clip_grad_norm_(iter(ps), max_norm=1.0)
    assert float(norm) == pytest.approx(expected, rel=1e-12)
    assert all(p.grad._data is g for p, g in zip(ps, arrays))
    for g, b in zip(arrays, before):
        np.testing.assert_allclose(g, b / (expected + 1e-6), rtol=1e-12)
    assert math.sqrt(sum(float(np.sum(g ** 2)) for g in arrays)) == pytest.approx(1.0, rel=1e-5)


def test_mixed_dtypes_single_tensor_and_no_grads():
    a = nn.Parameter(np.ones(4, np.float32))
    b = nn.Parameter(np.ones(5, np.float64))
    a.grad, b.grad = np.full(4, 2, np.float32), np.full(5, 2.0)
    assert float(nn.utils.clip_grad_norm_([a, b], 100.0)) == pytest.approx(6.0)
    assert float(nn.utils.clip_grad_norm_(a, 100.0)) == pytest.approx(4.0)
    c = nn.Parameter(np.ones(3, np.float32))
    assert float(nn.utils.clip_grad_norm_([c], 1.0)) == 0.0


def test_non_contiguous_and_float16_grads_take_the_plain_path():
    a = nn.Parameter(np.ones((4, 3)))
    a.grad = np.asfortranarray(np.full((4, 3), 3.0))
    h = nn.Parameter(np.ones(4, np.float16))
    h.grad = np.full(4, 4.0, np.float16)
    norm = nn.utils.clip_grad_norm_([a, h], 1.0)
    assert float(norm) == pytest.approx(math.sqrt(12 * 9 + 4 * 16))
    assert math.sqrt(float(np.sum(a.grad ** 2)) + float(np.sum(h.grad.astype(np.float64) ** 2))) \
        == pytest.approx(1.0, rel=1e-3)


def test_non_finite_norm():
    a = nn.Parameter(np.ones(40000))
    a.grad = np.ones(40000)
    a.grad[123] = np.nan
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_([a], 1.0, error_if_nonfinite=True)
    assert math.isnan(float(nn.utils.clip_grad_norm_([a], 1.0)))
    a.grad[123] = np.inf
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_([a], 1.0, norm_type="inf", error_if_nonfinite=True)


def test_clip_grad_value():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    ours = _params(rng, np.float32, scale=2.0)
    theirs = [torch.tensor(p._data.copy()) for p in ours]
    for p, t in zip(ours, theirs):
        t.grad = torch.tensor(p.grad._data.copy())
    arrays = [p.grad._data for p in ours]
    nn.utils.clip_grad_value_(ours, 0.7)
    torch.nn.utils.clip_grad_value_(theirs, 0.7)
    for p, t, g in zip(ours, theirs, arrays):
        assert p.grad._data is g
        np.testing.assert_array_equal(p.grad, t.grad.numpy())


def test_read_only_grad_raises_cleanly_in_a_subprocess():
    code = ("import numpy as np, fastgrad as fg\n"
            "p = fg.nn.Parameter(np.ones(10)); g = np.full(10, 5.0); g.flags.writeable = False; p.grad = g\n"
            "try:\n    fg.nn.utils.clip_grad_norm_([p], 1.0)\nexcept ValueError as e:\n    print('ERR', e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "ERR" in out.stdout and "read-only" in out.stdout


def test_array_api_gradients():
    xp = pytest.importorskip("array_api_strict")
    a = nn.Parameter(xp.asarray([3.0, 4.0], dtype=xp.float64))
    a.grad = xp.asarray([3.0, 4.0], dtype=xp.float64)
    assert float(nn.utils.clip_grad_norm_([a], 1.0)) == pytest.approx(5.0)
    np.testing.assert_allclose(np.asarray(a.grad), [0.6, 0.8], rtol=1e-6)
    assert float(nn.utils.clip_grad_norm_([a], 1.0, norm_type=math.inf)) == pytest.approx(0.8, rel=1e-6)
    nn.utils.clip_grad_value_([a], 0.7)
    np.testing.assert_allclose(np.asarray(a.grad), [0.6, 0.7], rtol=1e-6)
