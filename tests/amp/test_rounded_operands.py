"""Each operand rounded to 16 bits once: rounded_operand / gemm_rounded (backend/gemm16.py), the
linear layer reusing its forward's copies in the backward, and autocast's weight cache
(backend/mixed_precision.py), which must never hand out a stale copy."""
import importlib

import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
from fastgrad import nn
from fastgrad.backend import gemm16 as gemm16_module
from fastgrad.backend import mixed_precision
from fastgrad.backend.gemm16 import gemm16, gemm_rounded, rounded_operand

from .conftest import bf16_round_reference, round16

DTYPES = ["bfloat16", "float16"]


def _bits(bf16_gemm, dtype):
    return bf16_gemm == "onednn" and dtype == "bfloat16"


def _values(a16):
    """The float values a rounded operand stands for (bfloat16 bits widened to float32)."""
    if a16.dtype == np.uint16:
        return (a16.astype(np.uint32) << 16).view(np.float32)
    return a16


# ---- rounded_operand and gemm_rounded against their plain-NumPy twins ----

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(5, 7), (0, 3), (3, 0), (), (6,), (2, 3, 4)])
def test_rounded_operand_matches_the_reference_rounding(rng, bf16_gemm, dtype, shape):
    a = np.asarray(rng.standard_normal(shape) * 3, dtype=np.float32)
    a16 = rounded_operand(a, dtype, _bits(bf16_gemm, dtype))
    assert a16.shape == a.shape
    assert a16.dtype == (np.uint16 if _bits(bf16_gemm, dtype) else np.float32)
    np.testing.assert_array_equal(_values(a16).astype(np.float64), round16(a, dtype))


@pytest.mark.parametrize("layout", ["C", "transposed", "strided"])
def test_rounded_operand_of_views(rng, bf16_gemm, layout):
    base = rng.standard_normal((12, 10)).astype(np.float32)
    a = {"C": base, "transposed": base.T, "strided": base[::2, 1::3]}[layout]
    a16 = rounded_operand(a, "bfloat16", _bits(bf16_gemm, "bfloat16"))
    np.testing.assert_array_equal(_values(a16), bf16_round_reference(a))
    if layout == "transposed":
        assert a16.flags.f_contiguous  # stays a transposed view: no strided copy


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes", [((9, 13), (13, 6)), ((0, 4), (4, 3)), ((3, 0), (0, 5)), ((4, 5), (5, 0))])
def test_gemm_rounded_equals_gemm16(rng, bf16_gemm, dtype, shapes):
    a, b = (rng.standard_normal(s).astype(np.float32) for s in shapes)
    bits = _bits(bf16_gemm, dtype)
    got = gemm_rounded(rounded_operand(a, dtype, bits), rounded_operand(b, dtype, bits))
    assert got.dtype == np.float32 and got.shape == (shapes[0][0], shapes[1][1])
    np.testing.assert_array_equal(got, gemm16(a, b, dtype))
    exact = round16(a, dtype) @ round16(b, dtype)
    np.testing.assert_allclose(got, exact, rtol=0, atol=(a.shape[1] + 2) * 2.0 ** -23 * 4 * (np.abs(exact).max(initial=0) + 1))


def test_gemm_rounded_of_a_transposed_copy(rng, bf16_gemm):
    a, b = rng.standard_normal((20, 9)).astype(np.float32), rng.standard_normal((20, 7)).astype(np.float32)
    bits = _bits(bf16_gemm, "bfloat16")
    a16, b16 = rounded_operand(a, "bfloat16", bits), rounded_operand(b, "bfloat16", bits)
    np.testing.assert_array_equal(gemm_rounded(a16.T, b16), gemm16(a.T, b, "bfloat16"))


def test_bad_input_is_refused_by_name(rng):
    a = rng.standard_normal((3, 4)).astype(np.float32)
    with pytest.raises(TypeError, match="rounded_operand: argument 'a' must be a float32"):
        rounded_operand(a.astype(np.float64), "bfloat16", False)
    with pytest.raises(TypeError, match="rounded_operand: argument 'a'"):
        rounded_operand([[1.0]], "bfloat16", False)
    with pytest.raises(ValueError, match="rounded_operand: argument 'dtype'"):
        rounded_operand(a, "int8", False)
    with pytest.raises(ValueError, match="bits=True is for bfloat16"):
        rounded_operand(a, "float16", True)
    with pytest.raises(TypeError, match="gemm_rounded: operands must both be"):
        gemm_rounded(np.zeros((3, 4), np.uint16), a.T)
    with pytest.raises(ValueError, match="gemm16: argument 'dtype'"):
        gemm16(a, a.T, "float8")


# ---- the linear layer rounds each operand once ----

def _count_roundings(monkeypatch):
    calls = []
    real = gemm16_module.rounded_operand

    def counting(a, dtype, bits):
        calls.append(a.shape)
        return real(a, dtype, bits)

    linear_module = importlib.import_module("fastgrad.ops.linear")  # the module, not the function it exports
    monkeypatch.setattr(linear_module, "rounded_operand", counting)
    monkeypatch.setattr(mixed_precision, "rounded_operand", counting)
    return calls


def test_linear_rounds_x_and_w_once_and_the_output_gradient_once(rng, bf16_gemm, monkeypatch):
    calls = _count_roundings(monkeypatch)
    x = fg.tensor(rng.standard_normal((16, 24)).astype(np.float32), requires_grad=True)
    layer = nn.Linear(24, 8)
    with fg.autocast():
        y = layer(x)
    assert sorted(calls) == [(8, 24), (16, 24)]
    y.sum().backward()
    assert sorted(calls) == [(8, 24), (16, 8), (16, 24)]  # gy rounded once for gx and gW
    xr, wr = round16(x._data, "bfloat16"), round16(layer.weight._data, "bfloat16")
    ones = np.ones((16, 8))
    np.testing.assert_allclose(x.grad._data, ones @ wr, rtol=1e-6)
    np.testing.assert_allclose(layer.weight.grad._data, ones.T @ xr, rtol=1e-5)


def test_second_derivatives_under_autocast(rng, bf16_gemm):
    """create_graph runs the linear backward on Tensors, where the 16-bit copies are not used."""
    x = fg.tensor(rng.standard_normal((5, 6)).astype(np.float32), requires_grad=True)
    w = fg.tensor(rng.standard_normal((4, 6)).astype(np.float32), requires_grad=True)
    with fg.autocast():
        y = fg.linear(x, w, activation="tanh")
    (gx,) = fg.autograd.grad(y.sum(), [x], create_graph=True)
    assert gx.dtype == np.float32 and gx.shape == (5, 6)
    gx.sum().backward()
    assert w.grad is not None and w.grad.dtype == np.float32 and np.all(np.isfinite(w.grad._data))


# ---- the weight cache ----

def test_a_shared_weight_is_rounded_once_per_block(rng, bf16_gemm, monkeypatch):
    calls = _count_roundings(monkeypatch)
    layer = nn.Linear(6, 6)
    x = fg.tensor(rng.standard_normal((3, 6)).astype(np.float32))
    with fg.autocast():
        layer(layer(layer(x)))
        assert calls.count((6, 6)) == 1
        assert len(mixed_precision.STATE.weight_copies) == 1
    assert mixed_precision.STATE.weight_copies == {}  # dropped by the outermost exit
    with fg.autocast(cache_enabled=False):
        layer(layer(x))
    assert calls.count((6, 6)) == 3


def _forward_with(x, w):
    """linear(x, w) under autocast computed from scratch (its own block, so no cached copy)."""
    w_fresh = fg.tensor(w._data.copy(), requires_grad=True)
    with fg.autocast():
        return F.linear(x, w_fresh)._data


def test_a_weight_changed_in_place_inside_the_block_is_rounded_again(rng, bf16_gemm):
    x = fg.tensor(rng.standard_normal((4, 5)).astype(np.float32))
    w = fg.tensor(rng.standard_normal((3, 5)).astype(np.float32), requires_grad=True)
    with fg.autocast():
        first = F.linear(x, w)._data
        with fg.no_grad():
            w.mul_(3.0)            # an in-place op: the version counter moves
        second = F.linear(x, w)._data
        w._data = w._data + 1.0    # the tensor now holds another array
        third = F.linear(x, w)._data
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(second, _forward_with(x, fg.tensor(w._data - 1.0)))
    np.testing.assert_array_equal(third, _forward_with(x, w))


@pytest.mark.parametrize("one_block", [False, True])
def test_weights_changed_by_the_optimizer_are_rounded_again(rng, bf16_gemm, one_block):
    """Training steps with the weight cache on give exactly the values of the same steps without it,
    whether each step opens its own block or one block spans every step."""
    data = rng.standard_normal((8, 5)).astype(np.float32)

    def train(cache_enabled):
        model = nn.Sequential(nn.Linear(5, 7), nn.ReLU(), nn.Linear(7, 2))
        for p, seed in zip(model.parameters(), range(4)):
            p._data[...] = np.random.default_rng(seed).standard_normal(p.shape)
        opt = fg.optim.Adam(model.parameters(), lr=0.1)
        losses = []
        outer = fg.autocast(cache_enabled=cache_enabled, enabled=one_block)
        with outer:
            for _ in range(4):
                with fg.autocast(cache_enabled=cache_enabled):
                    loss = model(fg.tensor(data)).square().mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
                losses.append(loss.item())
        return losses, [p._data.copy() for p in model.parameters()]

    cached, uncached = train(True), train(False)
    assert len(set(cached[0])) == 4  # the weights really changed between steps
    assert cached[0] == uncached[0]
    for a, b in zip(cached[1], uncached[1]):
        np.testing.assert_array_equal(a, b)
