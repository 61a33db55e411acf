"""The linear epilogue that also writes the bfloat16 bits of its output (_C.bias_act_fwd_bf16, csrc/bf16.c):
its float32 output is bias_act_fwd's bit for bit, and its bits are that output rounded separately (the
NumPy twin, _C.bf16_bits and ml_dtypes agree)."""
import numpy as np
import pytest

from fastgrad import _C
from fastgrad.backend import reference
from fastgrad.backend.reference.bf16 import bf16_bits, bias_act_bf16

ACTIVATIONS = ["none", "relu", "sigmoid", "tanh", "gelu", "gelu_tanh"]
SHAPES = [(1, 1), (4, 7), (0, 5), (5, 0), (300, 301), (70_000, 3), (2049, 2049)]  # the last is threaded


def _z(rng, shape):
    return np.asarray(rng.standard_normal(shape) * 3, dtype=np.float32)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_output_and_bits_equal_the_separate_passes(rng, activation, shape):
    z = _z(rng, shape)
    bias = np.asarray(rng.standard_normal(shape[1]), dtype=np.float32)
    for b in (bias, None):
        y, saved, bits = _C.bias_act_fwd_bf16(z, bias=b, activation=activation)
        want_y, want_saved = _C.bias_act_fwd(z, bias=b, activation=activation)
        assert y.dtype == saved.dtype == np.float32 and bits.dtype == np.uint16
        assert y.shape == saved.shape == bits.shape == shape
        np.testing.assert_array_equal(y, want_y)
        np.testing.assert_array_equal(saved, want_saved)
        np.testing.assert_array_equal(bits, bf16_bits(want_y))
        np.testing.assert_array_equal(bits, _C.bf16_bits(want_y))
        twin_y, twin_saved, twin_bits = bias_act_bf16(z.astype(np.float64), b, activation)
        np.testing.assert_allclose(y, twin_y, rtol=3e-6, atol=3e-6)
        np.testing.assert_allclose(saved, twin_saved, rtol=3e-6, atol=3e-6)
        widened = (bits.astype(np.uint32) << 16).view(np.float32)
        np.testing.assert_allclose(widened, twin_y, rtol=2.0 ** -8, atol=3e-6)  # within a bfloat16 rounding


@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_inplace_writes_into_z(rng, activation):
    z = _z(rng, (6, 9))
    bias = np.asarray(rng.standard_normal(9), dtype=np.float32)
    want_y, want_saved = _C.bias_act_fwd(z, bias=bias, activation=activation)
    buffer = z.copy()
    y, saved, bits = _C.bias_act_fwd_bf16(buffer, bias=bias, activation=activation, inplace=True)
    assert saved is buffer and (y is buffer) == (activation == "relu")
    np.testing.assert_array_equal(y, want_y)
    np.testing.assert_array_equal(buffer, want_saved)
    np.testing.assert_array_equal(bits, bf16_bits(want_y))
    kept = z.copy()
    _C.bias_act_fwd_bf16(kept, bias=bias, activation=activation)
    np.testing.assert_array_equal(kept, z)  # inplace=False leaves z alone


def test_non_contiguous_input(rng):
    base = _z(rng, (20, 30))
    bias = np.asarray(rng.standard_normal(40), dtype=np.float32)[::4]
    for z in (base[::2, 1::3], base.T[:10, :10]):
        b = bias[: z.shape[1]]
        y, _, bits = _C.bias_act_fwd_bf16(z, bias=b, activation="tanh")
        want_y, _ = _C.bias_act_fwd(np.ascontiguousarray(z), bias=np.ascontiguousarray(b), activation="tanh")
        np.testing.assert_array_equal(y, want_y)
        np.testing.assert_array_equal(bits, bf16_bits(want_y))


def test_special_values(rng):
    z = np.array([[0.0, -0.0, np.inf, -np.inf, np.nan, 3.4e38, -1e-40, 1.0 + 2.0 ** -8]], dtype=np.float32)
    for activation in ACTIVATIONS:
        with np.errstate(all="ignore"):
            y, _, bits = _C.bias_act_fwd_bf16(z, activation=activation)
            want_y, _ = _C.bias_act_fwd(z, activation=activation)
        np.testing.assert_array_equal(y, want_y)
        np.testing.assert_array_equal(bits, bf16_bits(want_y))


def test_bits_match_ml_dtypes(rng):
    ml_dtypes = pytest.importorskip("ml_dtypes")
    z = _z(rng, (64, 100))
    y, _, bits = _C.bias_act_fwd_bf16(z, activation="sigmoid")
    np.testing.assert_array_equal(bits, y.astype(ml_dtypes.bfloat16).view(np.uint16))


def test_the_twin_is_not_a_dispatched_kernel():
    assert "bias_act_bf16" not in reference.TWINS  # float32 only: no float64 or CuPy version


def test_bad_input_is_refused_by_name(rng):
    z = _z(rng, (3, 4))
    with pytest.raises(TypeError, match="linear: argument 'z' has dtype float64"):
        _C.bias_act_fwd_bf16(z.astype(np.float64))
    with pytest.raises(ValueError, match="linear: argument 'z' must be 2-d"):
        _C.bias_act_fwd_bf16(np.array(1.0, np.float32))
    with pytest.raises(ValueError, match="linear: argument 'z' must be 2-d"):
        _C.bias_act_fwd_bf16(z[0])
    with pytest.raises(ValueError, match="bias"):
        _C.bias_act_fwd_bf16(z, bias=np.zeros(5, np.float32))
    with pytest.raises(ValueError, match="linear: unknown activation 'swish'"):
        _C.bias_act_fwd_bf16(z, activation="swish")
    frozen = z.copy()
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match="linear: argument 'z' must be writeable"):
        _C.bias_act_fwd_bf16(frozen, inplace=True)
    with pytest.raises(TypeError, match="linear: argument 'z'"):
        _C.bias_act_fwd_bf16([[1.0, 2.0]])


# ---- the linear layer: the next layer's GEMM reads the bits the epilogue wrote ----

def _chain(rng, activation, link=True, shape=(16, 24)):
    """linear(activation) -> linear under autocast; link=False puts an op between the layers,
    so the second one rounds its input itself.  Returns the output, the hidden output and the leaves."""
    import fastgrad as fg

    seeded = np.random.default_rng(3)
    x = fg.tensor(seeded.standard_normal(shape).astype(np.float32), requires_grad=True)
    w1 = fg.tensor(seeded.standard_normal((20, 24)).astype(np.float32) * 0.3, requires_grad=True)
    w2 = fg.tensor(seeded.standard_normal((5, 20)).astype(np.float32) * 0.3, requires_grad=True)
    b1 = fg.tensor(seeded.standard_normal(20).astype(np.float32), requires_grad=True)
    with fg.autocast():
        h = fg.linear(x, w1, b1, activation=activation)
        y = fg.linear(h if link else h * 1.0, w2)
    return y, h, (x, w1, w2, b1)


def _counting_roundings(monkeypatch):
    import importlib

    calls = []
    linear_module = importlib.import_module("fastgrad.ops.linear")
    real = linear_module.rounded_operand

    def counting(a, dtype, bits):
        calls.append(a.shape)
        return real(a, dtype, bits)

    monkeypatch.setattr(linear_module, "rounded_operand", counting)
    return calls


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("shape", [(16, 24), (2, 8, 24)])
def test_linear_reuses_the_bits_of_its_input(rng, bf16_gemm, monkeypatch, activation, shape):
    calls = _counting_roundings(monkeypatch)
    y, h, leaves = _chain(rng, activation, shape=shape)
    hidden = shape[:-1] + (20,)
    reused = bf16_gemm == "onednn"
    assert (hidden not in calls and (int(np.prod(shape[:-1])), 20) not in calls) == reused
    if reused:
        np.testing.assert_array_equal(h._node.output_bits.reshape(hidden), bf16_bits(h._data))
    y.sum().backward()
    grads = [t.grad._data for t in leaves]
    y_apart, _, leaves_apart = _chain(rng, activation, link=False, shape=shape)
    y_apart.sum().backward()
    np.testing.assert_array_equal(y._data, y_apart._data)  # the same bits as rounding h again
    for g, t in zip(grads, leaves_apart):
        np.testing.assert_array_equal(g, t.grad._data)


@pytest.mark.parametrize("activation", ["none", "gelu"])
def test_no_bits_where_the_output_is_not_saved(rng, bf16_gemm, activation):
    _, h, _ = _chain(rng, activation)
    assert getattr(h._node, "output_bits", None) is None


def test_an_input_changed_in_place_is_rounded_again(rng, bf16_gemm):
    import fastgrad as fg

    seeded = np.random.default_rng(4)
    x = fg.tensor(seeded.standard_normal((6, 8)).astype(np.float32))
    w1 = fg.tensor(seeded.standard_normal((7, 8)).astype(np.float32), requires_grad=True)
    w2 = fg.tensor(seeded.standard_normal((3, 7)).astype(np.float32), requires_grad=True)
    with fg.autocast():
        h = fg.linear(x, w1, activation="relu")
        with fg.no_grad():
            h.add_(1.5)  # an in-place op: the bits written for h are stale now
        y = fg.linear(h, w2)
        fresh = fg.linear(fg.tensor(h._data.copy()), w2)
    np.testing.assert_array_equal(y._data, fresh._data)


def test_no_bits_without_a_graph(rng, bf16_gemm):
    import fastgrad as fg

    with fg.no_grad():
        y, h, _ = _chain(rng, "relu")
    assert h._node is None and y.shape == (16, 5)
