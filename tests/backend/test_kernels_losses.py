"""Every softmax and loss kernel against its reference twin.

As for the activations, a float32 kernel is compared with its twin in float64
on the same inputs, a float64 kernel with its twin in float64.  Row kernels
are tried on shapes whose size straddles the OpenMP threshold, on one long
row, on empty arrays and on strided and broadcast inputs; the loss kernels
with both reductions, class weights, ignore_index and label smoothing, and
extreme logits.
"""
import numpy as np
import pytest

from fastgrad import _C
from fastgrad.backend import NUMPY, reference

TOL = {np.float32: (3e-6, 3e-6), np.float64: (1e-12, 1e-13)}
DTYPES = pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
EXTREMES = np.array([1e4, -1e4, 0.0, 50.0, -50.0, 88.0, -104.0, 1.0, -1.0])


def twin(name, *args, **kw):
    with np.errstate(all="ignore"):
        return reference.TWINS[name](np, *args, **kw)


def f64(*arrays):
    return [None if a is None else np.asarray(a, dtype=np.float64) for a in arrays]


def assert_close(actual, expected, dtype, scale=1.0):
    rtol, atol = TOL[dtype]
    np.testing.assert_allclose(np.asarray(actual, np.float64), np.asarray(expected, np.float64),
                               rtol=rtol, atol=atol * scale, equal_nan=True)


def strided(a):
    """A non-contiguous view holding the same values as a."""
    big = np.empty(a.shape[:-1] + (2 * a.shape[-1],), dtype=a.dtype) if a.ndim else None
    if big is None:
        return a
    big[..., ::2] = a
    return big[..., ::2]


# ---- softmax and log_softmax -------------------------------------------------------------------

ROW_SHAPES = [(), (0,), (1,), (5,), (3, 7), (0, 4), (4, 0), (2, 3, 4), (4096, 8), (4097, 8), (1, 100_003),
              (257, 129), (3000, 1000)]


@DTYPES
@pytest.mark.parametrize("shape", ROW_SHAPES, ids=str)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_row_kernels_match_twin(name, shape, dtype, rng):
    x = np.asarray(rng.standard_normal(shape) * 4, dtype=dtype)
    y = getattr(_C, name + "_fwd")(x)
    assert y.shape == x.shape and y.dtype == dtype
    assert_close(y, twin(name + "_fwd", *f64(x)), dtype)
    gy = np.asarray(rng.standard_normal(shape), dtype=dtype)
    gx = getattr(_C, name + "_bwd")(y, gy)
    assert_close(gx, twin(name + "_bwd", *f64(y, gy)), dtype, scale=4.0)


@DTYPES
@pytest.mark.parametrize("shape", [(60, 700), (70, 10), (19, 40)], ids=str)
@pytest.mark.parametrize("layout", ["strided", "broadcast", "transposed"])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_row_kernels_take_any_layout(name, layout, shape, dtype, rng):
    x = np.asarray(rng.standard_normal(shape), dtype=dtype)
    view = {"strided": strided(x), "broadcast": np.broadcast_to(x[0], x.shape), "transposed": x.T}[layout]
    assert not view.flags.c_contiguous
    y = getattr(_C, name + "_fwd")(view)
    assert_close(y, twin(name + "_fwd", *f64(view)), dtype)
    gx = getattr(_C, name + "_bwd")(strided(y), np.broadcast_to(np.asarray(1.0, dtype), y.shape))
    assert_close(gx, twin(name + "_bwd", *f64(y, np.ones(y.shape))), dtype, scale=4.0)


@DTYPES
@pytest.mark.parametrize("cols", [5, 16, 37])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_row_kernels_extreme_values(name, cols, dtype, rng):
    x = np.asarray(rng.choice(EXTREMES, size=(500, cols)), dtype=dtype)
    x[0] = np.inf
    x[1, 3] = np.nan
    x[2] = -np.inf
    x[3, :cols - 1] = -np.inf
    x[20, 2] = np.inf
    x[21, 4] = np.nan
    y = getattr(_C, name + "_fwd")(x)
    assert_close(y, twin(name + "_fwd", *f64(x)), dtype)
    bad = [0, 1, 2, 20, 21]  # a row with +inf, with NaN, or all -inf: NaN throughout, as in the twin
    assert np.isnan(y[bad]).all()
    assert not np.isnan(np.delete(y, bad, axis=0)).any()
    if name == "softmax":
        np.testing.assert_allclose(np.delete(y, bad, axis=0).sum(axis=1), 1.0, rtol=1e-5)
    gy = np.asarray(rng.standard_normal(x.shape), dtype=dtype)
    gx = getattr(_C, name + "_bwd")(y, gy)
    assert_close(gx, twin(name + "_bwd", *f64(y, gy)), dtype, scale=4.0)
    assert np.isnan(gx[bad]).all() and not np.isnan(np.delete(gx, bad, axis=0)).any()


# Rows of fewer than 32 columns go through the row kernels 16 at a time, transposed so that
# each row sits in a SIMD lane (below 16 columns only for the backward kernels); longer rows
# one at a time.  Each path is tried on either side of its bounds, with row counts that leave
# a partial block of lanes.
LANES = 16
SHORT_AND_LONG_COLS = [1, 2, 15, 16, 17, 31, 32, 33, 1000]
ROW_COUNTS = [0, 1, LANES - 1, LANES + 1, 1001]


@DTYPES
@pytest.mark.parametrize("rows", ROW_COUNTS)
@pytest.mark.parametrize("cols", SHORT_AND_LONG_COLS)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_row_kernels_short_and_long_rows(name, cols, rows, dtype, rng):
    x = np.asarray(rng.standard_normal((rows, cols)) * 4, dtype=dtype)
    y = getattr(_C, name + "_fwd")(x)
    assert y.shape == x.shape and y.dtype == dtype
    assert_close(y, twin(name + "_fwd", *f64(x)), dtype)
    gy = np.asarray(rng.standard_normal(x.shape), dtype=dtype)
    gx = getattr(_C, name + "_bwd")(y, gy)
    assert_close(gx, twin(name + "_bwd", *f64(y, gy)), dtype, scale=4.0)


@DTYPES
@pytest.mark.parametrize("cols", [1, 10, 15, 16, 31, 33])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_row_results_do_not_depend_on_the_lane_or_thread(name, cols, dtype, rng):
    """A row's result is the same bits wherever its block of lanes starts and however many
    threads share the rows (the arrays are large enough to be split between threads)."""
    x = np.asarray(rng.standard_normal((70_000 // cols + 3, cols)) * 4, dtype=dtype)
    gy = np.asarray(rng.standard_normal(x.shape), dtype=dtype)
    fwd, bwd = getattr(_C, name + "_fwd"), getattr(_C, name + "_bwd")
    before = _C.get_num_threads()
    try:
        results = []
        for threads in (1, max(2, before)):
            _C.set_num_threads(threads)
            y = fwd(x)
            results.append((y, bwd(y, gy)))
    finally:
        _C.set_num_threads(before)
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])
    y, gx = results[0]
    for start in (1, 3, LANES - 1):  # the same rows, shifted to other lanes
        np.testing.assert_array_equal(fwd(x[start:]), y[start:])
        np.testing.assert_array_equal(bwd(y[start:], gy[start:]), gx[start:])


# ---- cross entropy ---------------------------------------------------------------------------------

CE_SHAPES = [(1, 1), (5, 3), (0, 4), (4096, 8), (4097, 9), (17, 31), (40, 32), (64, 1000), (3, 20_000)]
CE_OPTIONS = [{}, {"label_smoothing": 0.2}, {"weight": True}, {"weight": True, "label_smoothing": 0.3},
              {"ignore_index": 1}, {"ignore_index": -1, "label_smoothing": 0.1, "weight": True}]


def ce_inputs(rng, shape, dtype, options, extreme=False):
    rows, classes = shape
    x = rng.choice(EXTREMES, size=shape) if extreme else rng.standard_normal(shape) * 3
    x = np.asarray(x, dtype=dtype)
    target = rng.integers(0, classes, rows)
    kw = dict(options)
    if "ignore_index" in kw and rows:
        target[::3] = kw["ignore_index"]
    if kw.get("weight"):
        kw["weight"] = np.asarray(rng.uniform(0.5, 2.0, classes), dtype=dtype)
    else:
        kw.pop("weight", None)
    return x, target, kw


def check_cross_entropy(x, target, kw, dtype, rng):
    loss = _C.cross_entropy_fwd(x, target=target, **kw)
    assert loss.shape == (x.shape[0],) and loss.dtype == dtype
    kw64 = dict(kw, weight=f64(kw.get("weight"))[0])
    scale = 1 + np.max(np.abs(x[np.isfinite(x)]), initial=0)
    assert_close(loss, twin("cross_entropy_fwd", *f64(x), target=target, **kw64), dtype, scale)
    grad = np.asarray(rng.standard_normal(x.shape[0]), dtype=dtype)
    gx = _C.cross_entropy_bwd(x, grad=grad, target=target, **kw)
    assert gx.shape == x.shape and gx.dtype == dtype
    assert_close(gx, twin("cross_entropy_bwd", *f64(x), grad=f64(grad)[0], target=target, **kw64), dtype, 4.0)


@DTYPES
@pytest.mark.parametrize("options", CE_OPTIONS, ids=str)
@pytest.mark.parametrize("shape", CE_SHAPES, ids=str)
def test_cross_entropy_matches_twin(shape, options, dtype, rng):
    check_cross_entropy(*ce_inputs(rng, shape, dtype, options), dtype, rng)


@DTYPES
@pytest.mark.parametrize("options", CE_OPTIONS, ids=str)
def test_cross_entropy_extreme_logits(options, dtype, rng):
    x, target, kw = ce_inputs(rng, (300, 9), dtype, options, extreme=True)
    x[5, :] = -np.inf
    x[5, target[5]] = 0.0  # finite at the target only: loss 0
    check_cross_entropy(x, target, kw, dtype, rng)


@DTYPES
def test_cross_entropy_takes_noncontiguous_logits_and_any_integer_targets(dtype, rng):
    x, target, kw = ce_inputs(rng, (50, 30), dtype, {})
    expected = _C.cross_entropy_fwd(x, target=target)
    got = _C.cross_entropy_fwd(np.asfortranarray(x), target=target.astype(np.int32))
    np.testing.assert_array_equal(got, expected)
    got = _C.cross_entropy_fwd(strided(x), target=strided(target.astype(np.uint8)))
    np.testing.assert_array_equal(got, expected)


@DTYPES
@pytest.mark.parametrize("options", [{}, {"label_smoothing": 0.25}, {"weight": True}], ids=str)
@pytest.mark.parametrize("shape", [(1, 1), (6, 4), (0, 3), (4097, 9), (16, 1000)], ids=str)
def test_soft_cross_entropy_matches_twin(shape, options, dtype, rng):
    x = np.asarray(rng.standard_normal(shape) * 3, dtype=dtype)
    q = np.asarray(rng.dirichlet(np.ones(shape[1]), shape[0]) if shape[0] else np.zeros(shape), dtype=dtype)
    kw = dict(options)
    if kw.pop("weight", None):
        kw["weight"] = np.asarray(rng.uniform(0.5, 2.0, shape[1]), dtype=dtype)
    kw64 = dict(kw, weight=f64(kw.get("weight"))[0]) if "weight" in kw else kw
    loss = _C.soft_cross_entropy_fwd(x, q, **kw)
    assert_close(loss, twin("soft_cross_entropy_fwd", *f64(x, q), **kw64), dtype, 10.0)
    grad = np.asarray(rng.standard_normal(shape[0]), dtype=dtype)
    gx = _C.soft_cross_entropy_bwd(strided(x), strided(q), grad=grad, **kw)
    assert_close(gx, twin("soft_cross_entropy_bwd", *f64(x, q), grad=f64(grad)[0], **kw64), dtype, 4.0)


# ---- pointwise losses ----------------------------------------------------------------------------

POINTWISE = {
    "mse_loss": {},
    "l1_loss": {},
    "huber_loss": {"delta": 0.7},
    "binary_cross_entropy_with_logits": {},
    "binary_cross_entropy_with_logits+pos_weight": {"pos_weight": "last"},
    "binary_cross_entropy_with_logits+pos_weight_full": {"pos_weight": "full"},
    "binary_cross_entropy_with_logits+pos_weight_scalar": {"pos_weight": "scalar"},
    "binary_cross_entropy": {},
}
POINT_SHAPES = [(), (0,), (1,), (7,), (3, 5), (32767,), (32769,), (300, 129), (1_000_003,)]


def pointwise_inputs(name, shape, dtype, rng, extreme=False):
    kernel, _, _ = name.partition("+")
    kw = dict(POINTWISE[name])
    if kernel == "binary_cross_entropy":
        x = rng.uniform(0, 1, shape)
        if x.size:
            x.reshape(-1)[:3] = [0.0, 1.0, 1e-30][:x.size]
        t = rng.uniform(0, 1, shape)
    else:
        x = rng.choice(EXTREMES, size=shape) if extreme else rng.standard_normal(shape) * 3
        t = rng.uniform(0, 1, shape) if kernel.startswith("binary") else rng.standard_normal(shape)
    pw = kw.pop("pos_weight", None)
    if pw == "last":
        kw["pos_weight"] = np.asarray(rng.uniform(0.5, 3, shape[-1:]), dtype=dtype)
    elif pw == "full":
        kw["pos_weight"] = np.asarray(rng.uniform(0.5, 3, shape), dtype=dtype)
    elif pw == "scalar":
        kw["pos_weight"] = np.asarray(2.5, dtype=dtype)
    return kernel, np.asarray(x, dtype=dtype), np.asarray(t, dtype=dtype), kw


def check_pointwise(kernel, x, t, kw, dtype, rng):
    kw64 = {k: (f64(v)[0] if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
    scale = 1 + np.max(np.abs(x[np.isfinite(x)]), initial=0)
    loss = getattr(_C, kernel + "_fwd")(x, t, reduction="none", **kw)
    assert loss.shape == x.shape and loss.dtype == dtype
    assert_close(loss, twin(kernel + "_fwd", *f64(x, t), reduction="none", **kw64), dtype, scale)
    total = getattr(_C, kernel + "_fwd")(x, t, reduction="sum", **kw)
    assert total.shape == () and total.dtype == dtype
    assert_close(total, twin(kernel + "_fwd", *f64(x, t), reduction="sum", **kw64), dtype, scale * max(x.size, 1))
    gy = np.asarray(rng.standard_normal(x.shape), dtype=dtype)
    gx = getattr(_C, kernel + "_bwd")(x, t, gy, **kw)
    assert_close(gx, twin(kernel + "_bwd", *f64(x, t, gy), **kw64), dtype, scale)
    gx = getattr(_C, kernel + "_bwd")(x, t, scale=0.25, **kw)
    assert_close(gx, twin(kernel + "_bwd", *f64(x, t), scale=0.25, **kw64), dtype, scale)


@DTYPES
@pytest.mark.parametrize("shape", POINT_SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(POINTWISE))
def test_pointwise_losses_match_twin(name, shape, dtype, rng):
    check_pointwise(*pointwise_inputs(name, shape, dtype, rng), dtype, rng)


@DTYPES
@pytest.mark.parametrize("name", sorted(n for n in POINTWISE if not n.startswith("binary_cross_entropy+")
                                        and n != "binary_cross_entropy"))
def test_pointwise_losses_extreme_values(name, dtype, rng):
    kernel, x, t, kw = pointwise_inputs(name, (40, 1000), dtype, rng, extreme=True)
    x[0, :4] = [np.inf, -np.inf, np.nan, -0.0]
    check_pointwise(kernel, x, t, kw, dtype, rng)


@DTYPES
@pytest.mark.parametrize("name", ["mse_loss", "huber_loss", "binary_cross_entropy_with_logits+pos_weight"])
def test_pointwise_losses_take_any_layout(name, dtype, rng):
    kernel, x, t, kw = pointwise_inputs(name, (50, 700), dtype, rng)
    check_pointwise(kernel, strided(x), np.broadcast_to(t[0], x.shape), kw, dtype, rng)


def test_binary_cross_entropy_clamps_the_log_at_minus_100():
    p = np.array([0.0, 1.0, 0.0, 1.0])
    t = np.array([1.0, 0.0, 0.0, 1.0])
    with np.errstate(all="raise"):
        np.testing.assert_array_equal(_C.binary_cross_entropy_fwd(p, t), [100.0, 100.0, 0.0, 0.0])
        np.testing.assert_array_equal(twin("binary_cross_entropy_fwd", p, t), [100.0, 100.0, 0.0, 0.0])


def test_binary_cross_entropy_rejects_probabilities_outside_0_1():
    with pytest.raises(ValueError, match="between 0 and 1"):
        _C.binary_cross_entropy_fwd(np.array([0.5, 1.5]), np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match="between 0 and 1"):
        _C.binary_cross_entropy_fwd(np.array([0.5, 0.5]), np.array([1.0, -0.1]))
    with pytest.raises(ValueError, match="between 0 and 1"):
        twin("binary_cross_entropy_fwd", np.array([-0.5]), np.array([1.0]))


def test_float16_losses_fall_back_to_the_twin(rng):
    x = np.asarray(rng.standard_normal((4, 6)), dtype=np.float16)
    np.testing.assert_array_equal(NUMPY.softmax_fwd(x), twin("softmax_fwd", x))
    loss = NUMPY.cross_entropy_fwd(x, target=np.array([0, 1, 2, 3]))
    assert loss.dtype == np.float16
    np.testing.assert_array_equal(NUMPY.mse_loss_fwd(x, x * 0, reduction="sum"), twin("mse_loss_fwd", x, x * 0,
                                                                                      reduction="sum"))


@pytest.mark.parametrize("name", ["mse_loss", "binary_cross_entropy_with_logits", "huber_loss",
                                  "binary_cross_entropy"])
def test_sums_do_not_depend_on_the_thread_count(name, rng):
    x = np.asarray(rng.standard_normal(1_000_003), dtype=np.float32)
    if name == "binary_cross_entropy":
        x = np.asarray(rng.uniform(0, 1, x.shape), dtype=np.float32)
    t = np.asarray(rng.uniform(0, 1, x.shape), dtype=np.float32)
    before = _C.get_num_threads()
    try:
        _C.set_num_threads(1)
        one = getattr(_C, name + "_fwd")(x, t, reduction="sum")
        _C.set_num_threads(max(2, before))
        many = getattr(_C, name + "_fwd")(x, t, reduction="sum")
    finally:
        _C.set_num_threads(before)
    assert one == many


@DTYPES
@pytest.mark.parametrize("shape", [(5003, 10), (1203, 40)], ids=str)
def test_cross_entropy_does_not_depend_on_the_thread_count(shape, dtype, rng):
    x, target, kw = ce_inputs(rng, shape, dtype, {"weight": True, "label_smoothing": 0.1})
    grad = np.asarray(rng.standard_normal(shape[0]), dtype=dtype)
    before = _C.get_num_threads()
    try:
        results = []
        for threads in (1, max(2, before)):
            _C.set_num_threads(threads)
            results.append((_C.cross_entropy_fwd(x, target=target, **kw),
                            _C.cross_entropy_bwd(x, grad=grad, target=target, **kw)))
    finally:
        _C.set_num_threads(before)
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])


@pytest.mark.parametrize("threads", [1, 2])
def test_binary_cross_entropy_finds_one_bad_entry_among_many(threads, rng):
    p = np.asarray(rng.uniform(0, 1, 1_000_003), dtype=np.float32)
    t = np.asarray(rng.uniform(0, 1, p.shape), dtype=np.float32)
    p[777_777] = 1.5
    before = _C.get_num_threads()
    try:
        _C.set_num_threads(threads)
        with pytest.raises(ValueError, match="between 0 and 1"):
            _C.binary_cross_entropy_fwd(p, t)
    finally:
        _C.set_num_threads(before)
