"""Every activation kernel against its reference twin.

The oracle for a float32 kernel is its twin evaluated in float64 on the same
inputs, so the tolerance measures the kernel's error; float64 kernels are
compared with the twin in float64.  Cases: float32/float64, shapes from 0-d
and empty through sizes around the OpenMP threshold (32768) to a million,
contiguous, strided and broadcast inputs, and extreme values (+-1e4, +-inf,
NaN, +-0, subnormals).
"""
import numpy as np
import pytest

from fastgrad import _C
from fastgrad.backend import NUMPY, reference

# name: (kwargs, what the backward takes: "y" (the output) or "x" (the input))
ACTIVATIONS = {
    "sigmoid": ({}, "y"),
    "relu": ({}, "y"),
    "tanh": ({}, "y"),
    "gelu": ({}, "x"),
    "gelu_tanh": ({}, "x"),
    "silu": ({}, "x"),
    "leaky_relu": ({"negative_slope": 0.1}, "y"),
    "softplus": ({"beta": 1.5, "threshold": 2.0}, "x"),
}
CASES = [(name, kw, saved) for name, (kw, saved) in ACTIVATIONS.items()]
CASES.append(("leaky_relu", {"negative_slope": -0.5}, "x"))
CASES.append(("softplus", {}, "x"))
CASE_IDS = [f"{name}-{kw}" for name, kw, _ in CASES]

SHAPES = [(), (0,), (1,), (7,), (3, 5), (2, 0, 3), (32767,), (32768,), (32769,), (257, 129)]
LARGE = (1_000_003,)
EXTREMES = np.array([1e4, -1e4, np.inf, -np.inf, np.nan, 0.0, -0.0, 1e-40, -1e-40, 88.0, -88.0, 104.0,
                     -104.0, 710.0, -710.0, 1e-8, -1e-8, 0.5, -0.5, 20.0, 30.0])

TOL = {np.float32: (2e-6, 2e-6), np.float64: (1e-12, 1e-14)}


def assert_close(actual, expected, dtype, scale=None):
    """|a - e| <= atol (1 + |scale|) + rtol |e| elementwise, with NaN and inf matching."""
    rtol, atol = TOL[dtype]
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape
    nan = np.isnan(expected)
    np.testing.assert_array_equal(np.isnan(actual), nan, err_msg="NaN positions differ")
    inf = np.isinf(expected)
    np.testing.assert_array_equal(actual[inf], expected[inf], err_msg="infinities differ")
    scale = np.zeros(()) if scale is None else np.abs(np.where(np.isfinite(scale), scale, 0))
    bound = np.broadcast_to(atol * (1 + scale) + rtol * np.abs(np.where(inf | nan, 0, expected)),
                            expected.shape)
    with np.errstate(invalid="ignore"):
        excess = np.where(inf | nan, 0, np.abs(actual - expected) - bound)
    if excess.size and excess.max() > 0:
        i = np.unravel_index(np.argmax(excess), excess.shape)
        raise AssertionError(f"at {i}: got {actual[i]!r}, expected {expected[i]!r} (bound {bound[i]:.3g})")


def make(rng, shape, dtype, layout="contiguous", values="normal"):
    """An input of `shape` and `dtype` in the given memory layout."""
    def draw(shape):
        if values == "extreme":
            return rng.choice(EXTREMES, size=shape)
        return rng.standard_normal(shape) * 3

    if layout == "contiguous":
        return np.asarray(draw(shape), dtype=dtype)
    if layout == "strided":  # every other element of a larger buffer
        if len(shape) == 0:
            return np.asarray(draw(shape), dtype=dtype)
        big = np.asarray(draw(shape[:-1] + (2 * shape[-1],)), dtype=dtype)
        return big[..., ::2]
    if layout == "broadcast":  # a stride-0 view
        if len(shape) == 0:
            return np.asarray(draw(shape), dtype=dtype)
        row = np.asarray(draw(shape[-1:]), dtype=dtype)
        return np.broadcast_to(row, shape)
    raise ValueError(layout)


def twin(name, *args, **kw):
    return reference.TWINS[name](np, *args, **kw)


def oracle(name, args, dtype, **kw):
    """The twin in float64 (errors silenced: it sees inf and NaN on purpose)."""
    with np.errstate(all="ignore"):
        return twin(name, *[a.astype(np.float64) for a in args], **kw)


def check_pair(name, kw, saved, x, dtype, rng):
    y = getattr(_C, name + "_fwd")(x, **kw)
    assert y.dtype == dtype and y.shape == x.shape
    assert_close(y, oracle(name + "_fwd", [x], dtype, **kw), dtype)
    gy = np.asarray(rng.standard_normal(x.shape), dtype=dtype)
    s = (y if saved == "y" else x).copy(order="C")
    gx = getattr(_C, name + "_bwd")(s, gy, **kw)
    assert gx.dtype == dtype and gx.shape == x.shape
    assert_close(gx, oracle(name + "_bwd", [s, gy], dtype, **kw), dtype, scale=gy.astype(np.float64))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_kernel_matches_twin(case, shape, dtype, rng):
    name, kw, saved = case
    check_pair(name, kw, saved, make(rng, shape, dtype), dtype, rng)


@pytest.mark.parametrize("layout", ["strided", "broadcast"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_kernel_takes_any_layout(case, dtype, layout, rng):
    name, kw, saved = case
    x = make(rng, (33, 1001), dtype, layout)
    assert not x.flags.c_contiguous
    check_pair(name, kw, saved, x, dtype, rng)
    np.testing.assert_array_equal(getattr(_C, name + "_fwd")(x, **kw),
                                  getattr(_C, name + "_fwd")(np.ascontiguousarray(x), **kw))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_kernel_extreme_values(case, dtype, rng):
    name, kw, saved = case
    for shape in [(len(EXTREMES),), (40000,)]:
        x = make(rng, shape, dtype, values="extreme")
        check_pair(name, kw, saved, x, dtype, rng)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("name", ["sigmoid", "relu", "tanh", "gelu"])
def test_kernel_large(name, dtype, rng):
    kw, saved = ACTIVATIONS[name]
    check_pair(name, kw, saved, make(rng, LARGE, dtype), dtype, rng)


def test_sigmoid_has_no_overflow_warning_and_saturates():
    x = np.array([-1e4, -800.0, -100.0, 0.0, 100.0, 800.0, 1e4], dtype=np.float32)
    with np.errstate(all="raise"):
        y = _C.sigmoid_fwd(x)
        y64 = _C.sigmoid_fwd(x.astype(np.float64))
    assert y[0] == 0.0 and y[-1] == 1.0 and y[3] == 0.5
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(y64))
    assert y64[2] == pytest.approx(np.exp(-100.0), rel=1e-14)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_one_and_many_threads_agree(case, rng):
    name, kw, saved = case
    x = make(rng, (100_003,), np.float32)
    before = _C.get_num_threads()
    try:
        _C.set_num_threads(1)
        one = getattr(_C, name + "_fwd")(x, **kw)
        _C.set_num_threads(max(2, before))
        many = getattr(_C, name + "_fwd")(x, **kw)
    finally:
        _C.set_num_threads(before)
    np.testing.assert_array_equal(one, many)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "silu", "leaky_relu"])
def test_out_may_be_the_input_but_not_a_shifted_view(name, rng):
    x = np.asarray(rng.standard_normal(1000), dtype=np.float64)
    expected = getattr(_C, name + "_fwd")(x)
    buf = x.copy()
    assert getattr(_C, name + "_fwd")(buf, out=buf) is buf
    np.testing.assert_array_equal(buf, expected)
    with pytest.raises(ValueError, match="overlaps"):
        getattr(_C, name + "_fwd")(buf[:-1], out=buf[1:])


@pytest.mark.parametrize("dtype", [np.float16, np.int32, np.int64])
def test_wrappers_refuse_other_dtypes_and_the_backend_falls_back_to_the_twin(dtype, rng):
    x = np.asarray(rng.uniform(-3, 3, 50), dtype=dtype)
    with pytest.raises(TypeError, match="float32 or float64"):
        _C.sigmoid_fwd(x)
    got = NUMPY.sigmoid_fwd(x)
    np.testing.assert_array_equal(got, twin("sigmoid_fwd", x))
    if dtype == np.float16:
        assert got.dtype == np.float16
        gx = NUMPY.softplus_bwd(x, np.ones_like(x), beta=2.0, threshold=5.0)
        np.testing.assert_array_equal(gx, twin("softplus_bwd", x, np.ones_like(x), beta=2.0, threshold=5.0))


def test_scalar_parameters_reach_the_kernel_through_the_backend(rng):
    x = rng.standard_normal(1000)
    np.testing.assert_array_equal(NUMPY.leaky_relu_fwd(x, negative_slope=0.3), np.where(x > 0, x, 0.3 * x))
    y = NUMPY.softplus_fwd(x, beta=2.0, threshold=1.0)
    np.testing.assert_allclose(y, twin("softplus_fwd", x, beta=2.0, threshold=1.0), rtol=1e-14)
    assert np.array_equal(y[2 * x > 1.0], x[2 * x > 1.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
def test_signed_zeros_follow_numpy(dtype):
    x = np.array([0.0, -0.0], dtype=dtype)
    for name in ("tanh", "relu", "gelu", "gelu_tanh", "silu", "leaky_relu"):
        np.testing.assert_array_equal(np.signbit(getattr(_C, name + "_fwd")(x)),
                                      np.signbit(twin(name + "_fwd", x)), err_msg=name)
