"""im2col / col2im (csrc/conv.c) against their reference twins.

col2im is checked as im2col's adjoint too: <im2col(x), c> == <x, col2im(c)>.
float32 kernels are compared with the twins in float64.
"""
import numpy as np
import pytest

from fastgrad import _C
from fastgrad.backend import NUMPY, reference

TOL = {np.float32: (2e-6, 2e-6), np.float64: (1e-13, 1e-14)}

# (input shape, kernel, stride, padding (top, left), dilation, out size)
GEOMETRIES = [
    ((2, 3, 7, 6), (3, 3), (1, 1), (1, 1), (1, 1), (7, 6)),
    ((1, 1, 5, 5), (1, 1), (1, 1), (0, 0), (1, 1), (5, 5)),
    ((2, 4, 9, 8), (2, 3), (2, 3), (0, 2), (2, 1), (4, 4)),
    ((3, 2, 4, 11), (3, 2), (1, 2), (2, 0), (1, 3), (6, 4)),  # out_h beyond the padded input: zeros
    ((1, 2, 1, 9), (1, 4), (1, 1), (0, 1), (1, 1), (1, 8)),  # conv1d's height-1 image
    ((0, 3, 5, 5), (3, 3), (1, 1), (0, 0), (1, 1), (3, 3)),  # empty batch
    ((2, 0, 5, 5), (3, 3), (1, 1), (0, 0), (1, 1), (3, 3)),  # no channels
    ((2, 3, 5, 5), (3, 3), (1, 1), (0, 0), (1, 1), (0, 3)),  # no output rows
    ((4, 16, 40, 40), (5, 5), (1, 1), (2, 2), (1, 1), (40, 40)),  # above the threading threshold
]


def geometry_kwargs(g):
    _, kernel, stride, padding, dilation, out = g
    return dict(kernel_size=kernel, stride=stride, padding=padding, dilation=dilation, out_size=out)


def close(actual, expected, dtype):
    rtol, atol = TOL[dtype]
    np.testing.assert_allclose(np.asarray(actual, np.float64), np.asarray(expected, np.float64), rtol=rtol, atol=atol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("g", GEOMETRIES, ids=str)
def test_im2col_and_col2im_match_twin(g, dtype, rng):
    shape = g[0]
    kw = geometry_kwargs(g)
    x = np.asarray(rng.standard_normal(shape), dtype=dtype)
    col = _C.im2col_fwd(x, **kw)
    expected = reference.TWINS["im2col_fwd"](np, x.astype(np.float64), **kw)
    assert col.dtype == dtype and col.shape == expected.shape
    close(col, expected, dtype)
    c = np.asarray(rng.standard_normal(col.shape), dtype=dtype)
    gx = _C.im2col_bwd(c, input_shape=shape, **kw)
    expected_gx = reference.TWINS["im2col_bwd"](np, c.astype(np.float64), input_shape=shape, **kw)
    assert gx.dtype == dtype and gx.shape == shape
    close(gx, expected_gx, dtype)


@pytest.mark.parametrize("g", GEOMETRIES[:5], ids=str)
def test_col2im_is_the_adjoint_of_im2col(g, rng):
    kw = geometry_kwargs(g)
    x = rng.standard_normal(g[0])
    col = _C.im2col_fwd(x, **kw)
    c = rng.standard_normal(col.shape)
    np.testing.assert_allclose(np.vdot(col, c), np.vdot(x, _C.im2col_bwd(c, input_shape=g[0], **kw)), rtol=1e-12)


def test_noncontiguous_input_is_read_as_its_values(rng):
    g = GEOMETRIES[0]
    kw = geometry_kwargs(g)
    base = rng.standard_normal((2, 3, 7, 12))
    view = base[:, :, :, ::2]
    np.testing.assert_array_equal(_C.im2col_fwd(view, **kw), _C.im2col_fwd(np.ascontiguousarray(view), **kw))
    col = rng.standard_normal((2 * 7 * 6 * 2, 3 * 9))[::2]
    np.testing.assert_array_equal(_C.im2col_bwd(col, input_shape=g[0], **kw),
                                  _C.im2col_bwd(np.ascontiguousarray(col), input_shape=g[0], **kw))


def test_backend_uses_the_kernels_and_falls_back_for_other_dtypes(rng):
    kw = geometry_kwargs(GEOMETRIES[0])
    x = rng.standard_normal((2, 3, 7, 6)).astype(np.float16)
    col = NUMPY.im2col_fwd(x, **kw)  # no float16 kernel: the twin runs
    assert col.dtype == np.float16
    np.testing.assert_allclose(col.astype(np.float64), _C.im2col_fwd(x.astype(np.float64), **kw), rtol=1e-3)


@pytest.mark.parametrize("call, error, fragment", [
    (lambda: _C.im2col_fwd(np.ones((2, 3, 4)), kernel_size=1, out_size=1), ValueError, "4-d"),
    (lambda: _C.im2col_fwd(np.ones((1, 1, 4, 4), np.int64), kernel_size=1, out_size=4), TypeError, "dtype"),
    (lambda: _C.im2col_fwd([[1.0]], kernel_size=1, out_size=1), TypeError, "numpy.ndarray"),
    (lambda: _C.im2col_fwd(np.ones((1, 1, 4, 4)), kernel_size=0, out_size=4), ValueError, "kernel_size"),
    (lambda: _C.im2col_fwd(np.ones((1, 1, 4, 4)), kernel_size=1, stride=0, out_size=4), ValueError, "stride"),
    (lambda: _C.im2col_fwd(np.ones((1, 1, 4, 4)), kernel_size=1, padding=-1, out_size=4), ValueError, "padding"),
    (lambda: _C.im2col_fwd(np.ones((1, 1, 4, 4)), kernel_size=1, dilation=(1, 0), out_size=4), ValueError,
     "dilation"),
    (lambda: _C.im2col_fwd(np.ones((1, 1, 4, 4)), kernel_size=(1, 2, 3), out_size=4), ValueError, "kernel_size"),
    (lambda: _C.im2col_fwd(np.ones((1, 1, 4, 4)), kernel_size=1.5, out_size=4), TypeError, "kernel_size"),
    (lambda: _C.im2col_fwd(np.ones((1, 1, 4, 4)), kernel_size=1, out_size=-1), ValueError, "out_size"),
    (lambda: _C.im2col_bwd(np.ones((5, 4)), input_shape=(1, 1, 4, 4), kernel_size=2, out_size=3), ValueError,
     "expected (9, 4)"),
    (lambda: _C.im2col_bwd(np.ones((9, 4)), input_shape=(1, -1, 4, 4), kernel_size=2, out_size=3), ValueError,
     "negative"),
])
def test_bad_input_raises_a_clear_error(call, error, fragment):
    with pytest.raises(error, match="^(im2col|col2im): ") as info:
        call()
    assert fragment in str(info.value)


def test_a_window_larger_than_the_input_reads_only_inside_it():
    # out_size far beyond what the input gives: every read is bounds-checked, the rest is zero.
    x = np.arange(4.0).reshape(1, 1, 2, 2)
    col = _C.im2col_fwd(x, kernel_size=3, stride=5, padding=0, out_size=(6, 6))
    assert col.shape == (36, 9)
    np.testing.assert_array_equal(col[0], [0, 1, 0, 2, 3, 0, 0, 0, 0])
    assert not col[1:].any()
