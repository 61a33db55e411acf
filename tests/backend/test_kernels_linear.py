"""The linear-layer epilogue kernels against their reference twins.

bias_act_fwd: y = act(z + bias) (and what the backward takes); bias_act_bwd:
gz = gy * act'(saved) and the bias gradient, the column sums of gz, in one
pass.  float32 kernels are compared with the twins in float64.
"""
import numpy as np
import pytest

from fastgrad import _C
from fastgrad.backend import NUMPY, reference

ACTIVATIONS = ["none", "relu", "sigmoid", "tanh", "gelu", "gelu_tanh"]
SHAPES = [(1, 1), (4, 7), (0, 5), (5, 0), (128, 256), (256, 129), (33, 1025), (1024, 1024), (70_000, 3),
          (2049, 2049)]  # the last above the epilogues' threading threshold (1 << 22)
TOL = {np.float32: (3e-6, 3e-6), np.float64: (1e-12, 1e-13)}


def twin(name, *args, **kw):
    with np.errstate(all="ignore"):
        return reference.TWINS[name](np, *args, **kw)


def close(actual, expected, dtype, scale=1.0):
    rtol, atol = TOL[dtype]
    np.testing.assert_allclose(np.asarray(actual, np.float64), np.asarray(expected, np.float64),
                               rtol=rtol, atol=atol * scale, equal_nan=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_epilogues_match_twin(activation, shape, dtype, rng):
    rows, cols = shape
    z = np.asarray(rng.standard_normal(shape) * 2, dtype=dtype)
    bias = np.asarray(rng.standard_normal(cols), dtype=dtype)
    for b in (bias, None):
        y, saved = _C.bias_act_fwd(z, bias=b, activation=activation)
        ref_y, ref_saved = twin("bias_act_fwd", z.astype(np.float64), bias=None if b is None else b.astype(np.float64),
                                activation=activation)
        assert y.dtype == saved.dtype == dtype and y.shape == saved.shape == shape
        close(y, ref_y, dtype)
        close(saved, ref_saved, dtype)
        gy = np.asarray(rng.standard_normal(shape), dtype=dtype)
        for bias_grad in (True, False):
            gz, gb = _C.bias_act_bwd(saved, gy, bias_grad=bias_grad, activation=activation)
            ref_gz, ref_gb = twin("bias_act_bwd", saved.astype(np.float64), gy.astype(np.float64),
                                  bias_grad=bias_grad, activation=activation)
            close(gz, ref_gz, dtype, scale=4.0)
            if bias_grad:
                assert gb.shape == (cols,) and gb.dtype == dtype
                close(gb, ref_gb, dtype, scale=4.0 * max(rows, 1) ** 0.5)
            else:
                assert gb is None


def test_inplace_forward_reuses_the_gemm_buffer(rng):
    z = rng.standard_normal((8, 5))
    bias = rng.standard_normal(5)
    expected = np.maximum(z + bias, 0)
    buf = z.copy()
    y, saved = _C.bias_act_fwd(buf, bias=bias, activation="relu", inplace=True)
    assert y is buf and saved is buf
    np.testing.assert_array_equal(y, expected)
    buf = z.copy()
    y, saved = _C.bias_act_fwd(buf, bias=bias, activation="gelu", inplace=True)
    assert saved is buf and y is not buf  # the gelus keep the pre-activation
    np.testing.assert_array_equal(saved, z + bias)
    z0 = z.copy()
    _C.bias_act_fwd(z, bias=bias, activation="tanh")
    np.testing.assert_array_equal(z, z0)  # not in place unless asked


def test_no_activation_backward_passes_the_gradient_through(rng):
    gy = rng.standard_normal((6, 4))
    gz, gb = _C.bias_act_bwd(gy, gy, bias_grad=True, activation="none")
    assert gz is gy
    np.testing.assert_allclose(gb, gy.sum(axis=0), rtol=1e-14)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
def test_epilogues_take_noncontiguous_inputs(dtype, rng):
    z = np.asarray(rng.standard_normal((40, 300)), dtype=dtype).T  # (300, 40), Fortran order
    bias = np.asarray(rng.standard_normal(80), dtype=dtype)[::2]
    y, saved = _C.bias_act_fwd(z, bias=bias, activation="sigmoid")
    close(y, twin("bias_act_fwd", z.astype(np.float64), bias=bias.astype(np.float64), activation="sigmoid")[0],
          dtype)
    gy = np.broadcast_to(np.asarray(rng.standard_normal(40), dtype=dtype), (300, 40))
    gz, gb = _C.bias_act_bwd(saved[:, ::1], gy, bias_grad=True, activation="sigmoid")
    ref_gz, ref_gb = twin("bias_act_bwd", saved.astype(np.float64), gy.astype(np.float64), bias_grad=True,
                          activation="sigmoid")
    close(gz, ref_gz, dtype)
    close(gb, ref_gb, dtype, scale=20.0)


def test_extreme_values_propagate_like_the_twin(rng):
    z = rng.choice([1e4, -1e4, np.inf, -np.inf, np.nan, 0.0, 1.0], size=(50, 70))
    for activation in ACTIVATIONS:
        y, saved = _C.bias_act_fwd(z, activation=activation)
        ref_y, ref_saved = twin("bias_act_fwd", z, activation=activation)
        np.testing.assert_allclose(y, ref_y, rtol=1e-12, equal_nan=True)
        gz, gb = _C.bias_act_bwd(saved, np.ones_like(z), bias_grad=True, activation=activation)
        ref_gz, ref_gb = twin("bias_act_bwd", ref_saved, np.ones_like(z), bias_grad=True, activation=activation)
        np.testing.assert_allclose(gz, ref_gz, rtol=1e-12, equal_nan=True)
        np.testing.assert_allclose(gb, ref_gb, rtol=1e-12, equal_nan=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
def test_relu_backward_selects_as_the_relu_kernel_does(dtype, rng):
    """A NaN, infinite or negative output gradient where the unit is off gives +0 (as relu's own
    backward and PyTorch's), not NaN or -0: the fused linear+relu equals linear then relu, bit for bit."""
    z = rng.choice([2.0, -2.0, 0.0, -0.0, np.inf, -np.inf, np.nan], size=(33, 70)).astype(dtype)
    gy = rng.choice([1.5, -1.5, 0.0, -0.0, np.inf, -np.inf, np.nan], size=z.shape).astype(dtype)
    y, saved = _C.bias_act_fwd(z, activation="relu")
    gz, gb = _C.bias_act_bwd(saved, gy, bias_grad=True, activation="relu")
    alone = _C.relu_bwd(_C.relu_fwd(z), gy)
    ref_gz, _ = twin("bias_act_bwd", saved, gy, bias_grad=True, activation="relu")
    assert gz.tobytes() == alone.tobytes() == ref_gz.tobytes()
    assert not np.signbit(gz[saved <= 0]).any() and not np.isnan(gz[saved <= 0]).any()
    np.testing.assert_array_equal(gb, _C.bias_act_bwd(alone, alone, bias_grad=True, activation="none")[1])


def test_float16_falls_back_to_the_twin(rng):
    z = np.asarray(rng.standard_normal((3, 4)), dtype=np.float16)
    y, saved = NUMPY.bias_act_fwd(z, bias=np.ones(4, np.float16), activation="relu")
    assert y.dtype == np.float16
    np.testing.assert_array_equal(y, np.maximum(z + np.float16(1), 0))


def test_unknown_activation_is_refused():
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        _C.bias_act_fwd(np.ones((2, 2)), activation="swish")
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        twin("bias_act_fwd", np.ones((2, 2)), activation="swish")
