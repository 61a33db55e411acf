"""Normalization kernels (csrc/norm.c) against their reference twins, over dtypes, shapes
(empty batch, one channel, the threading threshold), training and evaluation, and bad input.
float32 kernels are compared with the twins in float64."""
import numpy as np
import pytest

from fastgrad import _C
from twin_checks import close_within, twin

TOL = {np.float32: (3e-5, 3e-5), np.float64: (1e-11, 1e-12)}
SHAPES = [(4, 3, 5), (2, 1, 1), (1, 6, 7), (0, 4, 3), (64, 8, 100)]  # the last one above the threshold


def close(actual, expected, dtype):
    close_within(TOL, actual, expected, dtype)


def arrays(rng, shape, dtype):
    x = np.asarray(rng.standard_normal(shape) * 3 + 1, dtype=dtype)
    c = shape[1]
    return (x, np.asarray(rng.standard_normal(shape), dtype=dtype), np.asarray(rng.standard_normal(c), dtype=dtype),
            np.asarray(rng.standard_normal(c), dtype=dtype))


@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_batch_norm_matches_twin(shape, dtype, training, affine, rng):
    if training and shape[0] * shape[2] == 0:
        pytest.skip("no values for batch statistics: covered by the bad-input test")
    x, gy, w, b = arrays(rng, shape, dtype)
    w, b = (w, b) if affine else (None, None)
    kw = {} if training else dict(mean=rng.standard_normal(shape[1]).astype(dtype),
                                  var=rng.uniform(0.5, 2, shape[1]).astype(dtype))
    y, mean, var = _C.batch_norm_fwd(x, weight=w, bias=b, eps=1e-5, training=training, **kw)
    x64 = x.astype(np.float64)
    up = (lambda a: None if a is None else a.astype(np.float64))
    ref = twin("batch_norm_fwd", x64, up(w), up(b), **{k: up(v) for k, v in kw.items()}, eps=1e-5, training=training)
    assert y.dtype == dtype and y.shape == shape
    for got, expected in zip((y, mean, var), ref):
        close(got, expected, dtype)
    grads = _C.batch_norm_bwd(x, gy, mean=mean, var=var, weight=w, eps=1e-5, training=training, weight_grad=True,
                              bias_grad=True)
    ref_grads = twin("batch_norm_bwd", x64, gy.astype(np.float64), up(mean), up(var), up(w), eps=1e-5,
                     training=training, weight_grad=True, bias_grad=True)
    for got, expected in zip(grads, ref_grads):
        assert got.dtype == dtype
        close(got, expected, dtype)


@pytest.mark.parametrize("groups", [1, "all"])
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("shape", SHAPES + [(3, 6, 4)], ids=str)
def test_group_norm_matches_twin(shape, dtype, affine, groups, rng):
    groups = shape[1] if groups == "all" else groups
    x, gy, w, b = arrays(rng, shape, dtype)
    w, b = (w, b) if affine else (None, None)
    y, mean, rstd = _C.group_norm_fwd(x, weight=w, bias=b, groups=groups, eps=1e-5)
    up = (lambda a: None if a is None else a.astype(np.float64))
    ref = twin("group_norm_fwd", up(x), up(w), up(b), groups=groups, eps=1e-5)
    assert y.dtype == dtype and mean.shape == rstd.shape == (shape[0], groups)
    for got, expected in zip((y, mean, rstd), ref):
        close(got, expected, dtype)
    grads = _C.group_norm_bwd(x, gy, mean=mean, rstd=rstd, weight=w, groups=groups, weight_grad=True,
                              bias_grad=True)
    ref_grads = twin("group_norm_bwd", up(x), up(gy), up(mean), up(rstd), up(w), groups=groups, weight_grad=True,
                     bias_grad=True)
    for got, expected in zip(grads, ref_grads):
        close(got, expected, dtype)


def test_only_the_requested_gradients_are_returned(rng):
    x, gy, w, _ = arrays(rng, (3, 4, 5), np.float64)
    _, mean, var = _C.batch_norm_fwd(x)
    gx, gw, gb = _C.batch_norm_bwd(x, gy, mean=mean, var=var, weight=w, input_grad=False, bias_grad=True)
    assert gx is None and gw is None and gb.shape == (4,)
    _, mean, rstd = _C.group_norm_fwd(x, groups=2)
    gx, gw, gb = _C.group_norm_bwd(x, gy, mean=mean, rstd=rstd, groups=2)
    assert gx.shape == x.shape and gw is None and gb is None


def test_noncontiguous_input_reads_its_values(rng):
    base = rng.standard_normal((4, 3, 10))
    x = base[:, :, ::2]
    np.testing.assert_array_equal(_C.batch_norm_fwd(x)[0], _C.batch_norm_fwd(np.ascontiguousarray(x))[0])
    np.testing.assert_array_equal(_C.group_norm_fwd(x, groups=3)[0],
                                  _C.group_norm_fwd(np.ascontiguousarray(x), groups=3)[0])


def test_statistics_of_large_offsets_stay_accurate():
    # Two passes over x: the variance of values around 1e4 is not lost to cancellation.
    x = (1e4 + np.array([0.0, 1.0, 2.0, 3.0], np.float32)).reshape(1, 1, 4)
    _, mean, var = _C.batch_norm_fwd(x)
    np.testing.assert_allclose(var, [1.25], rtol=1e-6)


X = np.ones((2, 3, 4))


@pytest.mark.parametrize("call, error, fragment", [
    (lambda: _C.batch_norm_fwd(np.ones((2, 3))), ValueError, "3-d"),
    (lambda: _C.batch_norm_fwd(np.ones((2, 3, 4), np.int32)), TypeError, "dtype"),
    (lambda: _C.batch_norm_fwd(np.ones((0, 3, 4))), ValueError, "no values"),
    (lambda: _C.batch_norm_fwd(X, weight=np.ones(4)), ValueError, "weight"),
    (lambda: _C.batch_norm_fwd(X, weight=[1.0, 1.0, 1.0]), TypeError, "weight"),
    (lambda: _C.batch_norm_fwd(X, training=False), ValueError, "required"),
    (lambda: _C.batch_norm_fwd(X, eps=-1.0), ValueError, "eps"),
    (lambda: _C.batch_norm_bwd(X, np.ones((2, 3, 5)), mean=np.ones(3), var=np.ones(3)), ValueError, "grad"),
    (lambda: _C.batch_norm_bwd(X, X, mean=np.ones(2), var=np.ones(3)), ValueError, "mean"),
    (lambda: _C.group_norm_fwd(X, groups=2), ValueError, "groups"),
    (lambda: _C.group_norm_fwd(X, groups=0), ValueError, "groups"),
    (lambda: _C.group_norm_fwd(X, groups=1.5), TypeError, "groups"),
    (lambda: _C.group_norm_bwd(X, X, mean=np.ones((2, 1)), rstd=np.ones((2, 3)), groups=3), ValueError, "mean"),
])
def test_bad_input_raises_a_clear_error(call, error, fragment):
    with pytest.raises(error, match="^(batch|group)_norm(_backward)?: ") as info:
        call()
    assert fragment in str(info.value)
