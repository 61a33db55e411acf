"""Pooling kernels (csrc/pool.c) against their reference twins.

Windows are given per output row and column (start, count, dilation); the
cases cover padding (negative starts), windows past the end, dilation,
adaptive (overlapping, uneven) windows, empty inputs and the threading
threshold.  float32 kernels are compared with the twins in float64.
"""
import numpy as np
import pytest

from fastgrad import _C
from twin_checks import close_within, twin

TOL = {np.float32: (2e-6, 2e-6), np.float64: (1e-13, 1e-14)}

# (input shape, windows)
CASES = [
    ((2, 3, 6, 6), dict(h_start=(0, 2, 4), h_count=(2, 2, 2), w_start=(0, 2, 4), w_count=(2, 2, 2))),
    ((2, 3, 7, 5), dict(h_start=(-1, 1, 3, 5), h_count=(3, 3, 3, 3), w_start=(-1, 1, 3), w_count=(3, 3, 3))),
    ((1, 2, 9, 9), dict(h_start=(0, 1, 2), h_count=(3, 3, 3), w_start=(0, 3), w_count=(2, 2), dilation=(2, 3))),
    ((3, 5, 7), dict(h_start=(0, 2, 4), h_count=(3, 3, 3), w_start=(0, 1, 3), w_count=(2, 3, 2))),  # adaptive
    ((4, 1, 10), dict(h_start=(0,), h_count=(1,), w_start=(-1, 2, 5, 8), w_count=(3, 3, 3, 3))),  # 1-d
    ((0, 3, 4, 4), dict(h_start=(0, 2), h_count=(2, 2), w_start=(0, 2), w_count=(2, 2))),  # no planes
    ((2, 3, 4, 4), dict(h_start=(), h_count=(), w_start=(0, 2), w_count=(2, 2))),  # no output rows
    ((8, 16, 40, 40), dict(h_start=tuple(range(0, 40, 2)), h_count=(2,) * 20, w_start=tuple(range(0, 40, 2)),
                           w_count=(2,) * 20)),  # above the threading threshold
    # evenly spaced windows inside the plane (the row-at-a-time path): overlapping, with gaps,
    # and with the last window past the edge (the general path)
    ((2, 3, 9, 10), dict(h_start=tuple(range(7)), h_count=(3,) * 7, w_start=tuple(range(8)), w_count=(3,) * 8)),
    ((2, 2, 7, 11), dict(h_start=(0, 3), h_count=(2, 2), w_start=(1, 4, 7), w_count=(2, 2, 2))),
    ((2, 2, 6, 7), dict(h_start=(0, 2, 4), h_count=(2, 2, 2), w_start=(0, 2, 4, 6), w_count=(2, 2, 2, 2))),
]


def divisors(windows, mode):
    if mode == "count":
        return (tuple(float(c) for c in windows["h_count"]), tuple(float(c) for c in windows["w_count"]))
    return (tuple(1.5 + i for i in range(len(windows["h_start"]))), tuple(2.0 for _ in windows["w_start"]))


def close(actual, expected, dtype):
    close_within(TOL, actual, expected, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("shape, windows", CASES, ids=[str(c[0]) for c in CASES])
def test_max_pool_matches_twin(shape, windows, dtype, rng):
    x = np.asarray(rng.standard_normal(shape), dtype=dtype)
    if x.size > 4:
        x.flat[3] = x.flat[4]  # a tie: the first maximum is kept
    y, index = _C.max_pool2d_fwd(x, **windows)
    ref_y, ref_index = twin("max_pool2d_fwd", x.astype(np.float64), **windows)
    assert y.dtype == dtype and index.dtype == np.int32 and y.shape == index.shape == ref_y.shape
    close(y, ref_y, dtype)
    np.testing.assert_array_equal(index, ref_index)
    gy = np.asarray(rng.standard_normal(y.shape), dtype=dtype)
    gx = _C.max_pool2d_bwd(gy, index=index, height=shape[-2], width=shape[-1])
    assert gx.dtype == dtype and gx.shape == shape
    close(gx, twin("max_pool2d_bwd", gy.astype(np.float64), index, height=shape[-2], width=shape[-1]), dtype)


@pytest.mark.parametrize("mode", ["count", "other"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("shape, windows", CASES, ids=[str(c[0]) for c in CASES])
def test_avg_pool_matches_twin(shape, windows, dtype, mode, rng):
    hd, wd = divisors(windows, mode)
    kw = dict(windows, h_divisor=hd, w_divisor=wd)
    x = np.asarray(rng.standard_normal(shape), dtype=dtype)
    y = _C.avg_pool2d_fwd(x, **kw)
    ref_y = twin("avg_pool2d_fwd", x.astype(np.float64), **kw)
    assert y.dtype == dtype and y.shape == ref_y.shape
    close(y, ref_y, dtype)
    gy = np.asarray(rng.standard_normal(y.shape), dtype=dtype)
    gx = _C.avg_pool2d_bwd(gy, height=shape[-2], width=shape[-1], **kw)
    assert gx.dtype == dtype and gx.shape == shape
    close(gx, twin("avg_pool2d_bwd", gy.astype(np.float64), height=shape[-2], width=shape[-1], **kw), dtype)


def test_max_pool_propagates_nan_and_keeps_the_first_nan(rng):
    x = rng.standard_normal((1, 1, 2, 4))
    x[0, 0, 0, 1] = x[0, 0, 1, 0] = np.nan
    windows = dict(h_start=(0,), h_count=(2,), w_start=(0, 2), w_count=(2, 2))
    y, index = _C.max_pool2d_fwd(x, **windows)
    assert np.isnan(y[0, 0, 0, 0]) and index[0, 0, 0, 0] == 1
    assert y[0, 0, 0, 1] == np.max(x[0, 0, :, 2:])
    ref_y, ref_index = twin("max_pool2d_fwd", x, **windows)
    np.testing.assert_array_equal(index, ref_index)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("shape, windows", [CASES[0], CASES[1], CASES[-3]], ids=["even", "padded", "overlapping"])
def test_max_pool_with_scattered_nans_matches_twin(shape, windows, dtype, rng):
    x = np.asarray(rng.standard_normal(shape), dtype=dtype)
    x.flat[::7] = np.nan  # NaNs at the start, middle and end of windows
    y, index = _C.max_pool2d_fwd(x, **windows)
    ref_y, ref_index = twin("max_pool2d_fwd", x.astype(np.float64), **windows)
    np.testing.assert_array_equal(np.isnan(y), np.isnan(ref_y))
    np.testing.assert_array_equal(index, ref_index)


def test_noncontiguous_inputs(rng):
    shape, windows = CASES[1]
    base = rng.standard_normal(shape[:-1] + (2 * shape[-1],))
    x = base[..., ::2]
    y, index = _C.max_pool2d_fwd(x, **windows)
    np.testing.assert_array_equal(y, _C.max_pool2d_fwd(np.ascontiguousarray(x), **windows)[0])
    hd, wd = divisors(windows, "count")
    np.testing.assert_array_equal(_C.avg_pool2d_fwd(x, h_divisor=hd, w_divisor=wd, **windows),
                                  _C.avg_pool2d_fwd(np.ascontiguousarray(x), h_divisor=hd, w_divisor=wd, **windows))
    gy = rng.standard_normal(y.shape + (2,))[..., 0]
    np.testing.assert_array_equal(_C.max_pool2d_bwd(gy, index=index, height=7, width=5),
                                  _C.max_pool2d_bwd(np.ascontiguousarray(gy), index=index, height=7, width=5))


W = dict(h_start=(0,), h_count=(2,), w_start=(0,), w_count=(2,))


@pytest.mark.parametrize("call, error, fragment", [
    (lambda: _C.max_pool2d_fwd(np.ones(4), **W), ValueError, "at least 2 axes"),
    (lambda: _C.max_pool2d_fwd(np.ones((2, 2), np.int32), **W), TypeError, "dtype"),
    (lambda: _C.max_pool2d_fwd(np.ones((2, 2)), **dict(W, h_count=(-1,))), ValueError, "h_count"),
    (lambda: _C.max_pool2d_fwd(np.ones((2, 2)), **dict(W, w_start=(0, 1))), ValueError, "one entry per output"),
    (lambda: _C.max_pool2d_fwd(np.ones((2, 2)), **dict(W, h_start=(0.5,))), TypeError, "h_start"),
    (lambda: _C.max_pool2d_fwd(np.ones((2, 2)), **dict(W, h_start=np.zeros((1, 1), np.int64))), ValueError, "1-d"),
    (lambda: _C.max_pool2d_fwd(np.ones((2, 2)), **W, dilation=0), ValueError, "dilation"),
    (lambda: _C.max_pool2d_bwd(np.ones((1, 1)), index=np.zeros((1, 1), np.int64), height=2, width=2), TypeError,
     "int32"),
    (lambda: _C.max_pool2d_bwd(np.ones((1, 1)), index=np.zeros((1, 2), np.int32), height=2, width=2), ValueError,
     "index"),
    (lambda: _C.max_pool2d_bwd(np.ones((1, 1)), index=np.zeros((1, 1), np.int32), height=-2, width=2), ValueError,
     "height"),
    (lambda: _C.avg_pool2d_fwd(np.ones((2, 2)), **W, h_divisor=(0.0,), w_divisor=(1.0,)), ValueError, "positive"),
    (lambda: _C.avg_pool2d_fwd(np.ones((2, 2)), **W, h_divisor=(1.0, 2.0), w_divisor=(1.0,)), ValueError,
     "one entry per output"),
    (lambda: _C.avg_pool2d_bwd(np.ones((1, 2)), height=2, width=2, **W, h_divisor=(1.0,), w_divisor=(1.0,)),
     ValueError, "windows give outputs"),
])
def test_bad_input_raises_a_clear_error(call, error, fragment):
    with pytest.raises(error, match="^(max|avg)_pool2d(_backward)?: ") as info:
        call()
    assert fragment in str(info.value)


def test_out_of_range_indices_are_ignored_not_written():
    # The backward only writes inside each plane, whatever the indices hold.
    gx = _C.max_pool2d_bwd(np.ones((2, 1, 2)), index=np.array([[[-1, 4]], [[3, 1 << 30]]], np.int32), height=2,
                           width=2)
    np.testing.assert_array_equal(gx, [[[0, 0], [0, 0]], [[0, 0], [0, 1]]])
