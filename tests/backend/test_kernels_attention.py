"""Attention softmax kernels (csrc/attention.c) against their reference twins, over dtypes,
shapes (empty, one row, many leading axes, the threading threshold), broadcast and
non-contiguous masks, causal rows, fully masked rows, dropout's keep mask, and bad input.
float32 kernels are compared with the twins in float64."""
import numpy as np
import pytest

from fastgrad import _C
from refusals import refusal_test
from twin_checks import close_within, twin

TOL = {np.float32: (1e-5, 1e-6), np.float64: (1e-12, 1e-14)}
# (scores shape, mask shape or None); the last is above the threading threshold
CASES = [((2, 3, 5, 7), None), ((2, 3, 5, 7), (3, 1, 7)), ((5, 7), (5, 7)), ((4, 6), (6,)), ((3, 4, 4), (4, 1)),
         ((2, 2, 2, 3, 4), (2, 1, 3, 4)), ((2, 0, 3, 4), (3, 4)), ((2, 3, 0), None), ((1, 1, 1, 1), (1,)),
         ((2, 4, 64, 300), (2, 1, 1, 300))]


def close(actual, expected, dtype):
    close_within(TOL, actual, expected, dtype)


def up(a):
    return None if a is None else a.astype(np.float64)


@pytest.mark.parametrize("causal", [False, True], ids=["full", "causal"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("shape, mask_shape", CASES, ids=str)
def test_forward_and_backward_match_the_twins(shape, mask_shape, dtype, causal, rng):
    scores = np.asarray(rng.standard_normal(shape) * 4, dtype=dtype)
    mask = None if mask_shape is None else np.asarray(rng.standard_normal(mask_shape), dtype=dtype)
    p = _C.attention_softmax_fwd(scores, mask=mask, causal=causal)
    assert p.dtype == dtype and p.shape == shape
    close(p, twin("attention_softmax_fwd", up(scores), up(mask), causal), dtype)
    if p.size:
        np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-5)
    gp = np.asarray(rng.standard_normal(shape), dtype=dtype)
    close(_C.attention_softmax_bwd(p, gp), twin("attention_softmax_bwd", up(p), up(gp)), dtype)
    keep = rng.random(shape) > 0.25
    close(_C.attention_softmax_bwd(p, gp, keep=keep, keep_scale=4 / 3),
          twin("attention_softmax_bwd", up(p), up(gp), keep, 4 / 3), dtype)


def test_causal_rows_see_only_earlier_columns_and_no_huge_value_overflows(rng):
    scores = rng.standard_normal((3, 4, 6)) * 1e3  # exp of these overflows without the max shift
    p = _C.attention_softmax_fwd(scores, causal=True)
    assert np.isfinite(p).all()
    rows, cols = np.indices((4, 6))
    assert (p[:, rows < cols] == 0).all()
    np.testing.assert_allclose(p.sum(axis=-1), 1.0)


def test_fully_masked_rows_are_zeros_and_nan_propagates(rng):
    scores = rng.standard_normal((2, 3, 4))
    mask = np.zeros((3, 4))
    mask[1] = -np.inf
    p = _C.attention_softmax_fwd(scores, mask=mask)
    assert (p[:, 1] == 0).all()
    np.testing.assert_allclose(p[:, [0, 2]].sum(axis=-1), 1.0)
    np.testing.assert_allclose(p, twin("attention_softmax_fwd", scores, mask), rtol=1e-13)
    g = _C.attention_softmax_bwd(p, rng.standard_normal(p.shape))
    assert (g[:, 1] == 0).all()
    scores[0, 2, 1] = np.nan
    p = _C.attention_softmax_fwd(scores)
    assert np.isnan(p[0, 2]).all() and np.isfinite(np.delete(p.reshape(6, 4), 2, axis=0)).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
def test_non_contiguous_inputs_and_masks_of_another_float_dtype(dtype, rng):
    scores = np.asarray(rng.standard_normal((3, 8, 10)), dtype=dtype)[:, ::2, ::2]
    mask = rng.standard_normal((5, 4)).T  # a transposed float64 view: strides (8, 40)
    p = _C.attention_softmax_fwd(scores, mask=mask)
    close(p, twin("attention_softmax_fwd", up(scores), mask), dtype)
    gp = np.asarray(rng.standard_normal((3, 4, 10)), dtype=dtype)[..., ::2]
    close(_C.attention_softmax_bwd(p, gp), twin("attention_softmax_bwd", up(p), up(gp)), dtype)
    reversed_mask = np.asarray(rng.standard_normal((4, 5)), dtype=dtype)[::-1, ::-1]
    close(_C.attention_softmax_fwd(scores, mask=reversed_mask),
          twin("attention_softmax_fwd", up(scores), up(reversed_mask)), dtype)


def test_one_thread_count_gives_the_same_bits(rng):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    scores = rng.standard_normal((4, 8, 64, 256)).astype(np.float32)
    mask = rng.standard_normal((64, 256)).astype(np.float32)
    with threadpoolctl.threadpool_limits(1, user_api="openmp"):
        one = _C.attention_softmax_fwd(scores, mask=mask, causal=True)
        g_one = _C.attention_softmax_bwd(one, scores)
    two = _C.attention_softmax_fwd(scores, mask=mask, causal=True)
    np.testing.assert_array_equal(one, two)
    np.testing.assert_array_equal(g_one, _C.attention_softmax_bwd(two, scores))


BAD = [
    (lambda: _C.attention_softmax_fwd(np.ones(3)), ValueError, "'scores' must have at least 2 axes"),
    (lambda: _C.attention_softmax_fwd(np.ones((2, 3), np.int64)), TypeError, "'scores' has dtype int64"),
    (lambda: _C.attention_softmax_fwd([[1.0, 2.0]]), TypeError, "'scores' must be a numpy.ndarray"),
    (lambda: _C.attention_softmax_fwd(np.ones((2, 3)), mask=np.ones((3, 3))), ValueError,
     "'mask' of shape (3, 3) does not broadcast"),
    (lambda: _C.attention_softmax_fwd(np.ones((2, 3)), mask=np.ones((2, 2, 3))), ValueError, "does not broadcast"),
    (lambda: _C.attention_softmax_fwd(np.ones((2, 3)), mask=np.ones((2, 3), bool)), TypeError,
     "'mask' has dtype bool"),
    (lambda: _C.attention_softmax_fwd(np.ones((2, 3)), mask=[0.0]), TypeError, "'mask' must be a numpy.ndarray"),
    (lambda: _C.attention_softmax_bwd(np.ones((2, 3)), np.ones((3, 2))), ValueError, "'grad' has shape (3, 2)"),
    (lambda: _C.attention_softmax_bwd(np.ones((2, 3)), np.ones((2, 3), np.float32)), TypeError,
     "'grad' has dtype float32"),
    (lambda: _C.attention_softmax_bwd(np.ones((2, 3)), np.ones((2, 3)), keep=np.ones((2, 3))), TypeError,
     "'keep' must be a bool"),
    (lambda: _C.attention_softmax_bwd(np.ones((2, 3)), np.ones((2, 3)), keep=np.ones((3,), bool)), ValueError,
     "'keep' has shape (3,)"),
    (lambda: _C.attention_softmax_bwd(np.ones((2, 3)), np.ones((2, 3)), keep_scale="2"), TypeError,
     "'keep_scale' must be a number"),
]


test_bad_input_is_refused_by_name = refusal_test(BAD, "attention_softmax")
