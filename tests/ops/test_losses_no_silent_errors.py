"""Losses never give a silently wrong number: aliased outputs, out-of-range targets of
any integer dtype, 16-bit sums, shape errors before copies, and None or object
arguments are all either computed right or refused by name."""
import inspect
import tracemalloc
import warnings

import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
from fastgrad import _C
from fastgrad.nn.argument_checks import TENSOR_ARGUMENTS


# ---- out= aliasing an input that a row kernel reads ------------------------------------------

def test_soft_cross_entropy_backward_refuses_out_aliasing_the_target():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 5))
    q = rng.random((4, 5))
    q /= q.sum(axis=1, keepdims=True)
    expected = _C.soft_cross_entropy_bwd(x, q, grad=np.ones(4))
    aliased = q.copy()
    with pytest.raises(ValueError, match="'out' overlaps argument 'target'"):
        _C.soft_cross_entropy_bwd(x, aliased, grad=np.ones(4), out=aliased)
    np.testing.assert_array_equal(aliased, q)  # nothing was written
    inplace = x.copy()   # in place over the logits is still exact
    np.testing.assert_allclose(_C.soft_cross_entropy_bwd(inplace, q, grad=np.ones(4), out=inplace), expected,
                               rtol=1e-12)


def test_cross_entropy_backward_refuses_out_overlapping_grad():
    buf = np.zeros(2 * 3 + 2)
    with pytest.raises(ValueError, match="overlaps argument 'grad'"):
        _C.cross_entropy_bwd(np.zeros((2, 3)), grad=buf[:2], target=np.array([0, 1]), out=buf[:6].reshape(2, 3))


# ---- class targets of every integer dtype ----------------------------------------------------

INTEGER_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]


@pytest.mark.parametrize("dtype", INTEGER_DTYPES, ids=lambda d: np.dtype(d).name)
def test_out_of_range_targets_of_any_integer_dtype_are_refused(dtype):
    logits = fg.tensor(np.zeros((2, 3)))
    too_big = np.array([1, np.iinfo(dtype).max], dtype=dtype)
    with pytest.raises(IndexError, match="out of bounds for 3 classes"):
        F.cross_entropy(logits, too_big)
    with pytest.raises(IndexError, match="out of bounds"):
        F.nll_loss(logits, too_big)
    with pytest.raises(IndexError, match="out of bounds"):
        _C.cross_entropy_fwd(np.zeros((2, 3)), target=too_big)
    fine = np.array([1, 2], dtype=dtype)
    assert F.cross_entropy(logits, fine).item() == pytest.approx(np.log(3), rel=1e-12)


def test_uint64_target_that_wraps_to_ignore_index_is_refused():
    # 2**64 - 100 is -100 (the default ignore_index) when read as int64.
    target = np.array([1, 2 ** 64 - 100], dtype=np.uint64)
    with pytest.raises(IndexError, match="18446744073709551516"):
        F.cross_entropy(fg.tensor(np.zeros((2, 3))), target)
    with pytest.raises(IndexError, match="out of bounds"):
        _C.cross_entropy_bwd(np.zeros((2, 3)), grad=np.ones(2), target=target)


# ---- 16-bit floats accumulate in float32 -----------------------------------------------------

def _f64(a):
    return np.asarray(a, dtype=np.float64)


def test_float16_bce_with_logits_mean_and_sum_do_not_overflow():
    n = 10 ** 6
    x = np.full(n, 5.38, np.float16)
    t = np.ones(n, np.float16)
    true_sum = float(np.logaddexp(0, -_f64(x)).sum())   # about 4600
    total = F.binary_cross_entropy_with_logits(fg.tensor(x), fg.tensor(t), reduction="sum")
    mean = F.binary_cross_entropy_with_logits(fg.tensor(x), fg.tensor(t))
    assert total.dtype == np.float16 and mean.dtype == np.float16
    assert float(total.item()) == pytest.approx(true_sum, rel=2e-3)
    assert float(mean.item()) == pytest.approx(true_sum / n, rel=2e-3)


def test_float16_cross_entropy_mean_over_more_rows_than_float16_counts():
    rows = 70000  # the count of rows is inf in float16
    logits = np.zeros((rows, 2), np.float16)
    target = np.zeros(rows, np.int64)
    for fn in (F.cross_entropy, lambda x, t: F.nll_loss(F.log_softmax(x, dim=1), t)):
        loss = fn(fg.tensor(logits), target)
        assert loss.dtype == np.float16
        assert float(loss.item()) == pytest.approx(np.log(2), rel=2e-3)
    probs = np.full((rows, 2), 0.5, np.float16)
    assert float(F.cross_entropy(fg.tensor(logits), fg.tensor(probs)).item()) == pytest.approx(np.log(2), rel=2e-3)


def test_float16_weighted_losses_accumulate_in_float32():
    n = 200000
    x = fg.tensor(np.full(n, 0.5, np.float16), requires_grad=True)
    t = np.zeros(n, np.float16)
    weight = np.ones(n, np.float16)
    loss = F.mse_loss(x, t, weight=weight)   # sum(weight) is inf in float16
    assert float(loss.item()) == pytest.approx(0.25, rel=1e-3)
    loss.backward()
    assert x.grad.dtype == np.float16 and np.all(np.isfinite(x.grad))
    logits = fg.tensor(np.full(n, -0.46, np.float16))
    bce = F.binary_cross_entropy_with_logits(logits, fg.tensor(np.ones(n, np.float16)), weight=weight,
                                             reduction="mean")
    assert float(bce.item()) == pytest.approx(float(np.logaddexp(0, 0.46)), rel=2e-3)


# ---- shape errors come before copies ---------------------------------------------------------

def _peak_bytes(call, error):
    tracemalloc.start()
    try:
        with pytest.raises(error):
            call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


BIG = 2 ** 24   # 128 MiB of float64 when materialized


@pytest.mark.parametrize("call", [
    lambda x: _C.mse_loss_fwd(x, np.ones(3)),
    lambda x: _C.binary_cross_entropy_with_logits_bwd(x, np.ones(3), scale=1.0),
    lambda x: _C.huber_loss_bwd(x, x, np.ones(3)),
    lambda x: _C.sigmoid_bwd(x, np.ones(3)),
    lambda x: _C.cross_entropy_fwd(x.reshape(2 ** 12, 2 ** 12), target=np.zeros(3, np.int64)),
    lambda x: _C.soft_cross_entropy_fwd(x.reshape(2 ** 12, 2 ** 12), np.ones((3, 3))),
    lambda x: F.binary_cross_entropy_with_logits(np.ones(3, np.float32), x),
    lambda x: F.binary_cross_entropy(x, np.ones(3, np.float32)),
    lambda x: F.cross_entropy(np.ones((3, 3), np.float32), x.reshape(2 ** 12, 2 ** 12)),
], ids=["mse_fwd", "bce_logits_bwd", "huber_bwd_grad", "sigmoid_bwd", "ce_target", "soft_ce_target",
        "F.bce_logits_target_dtype", "F.bce", "F.soft_ce_target_dtype"])
def test_shape_mismatch_is_reported_before_a_broadcast_argument_is_copied(call):
    x = np.broadcast_to(np.float64(0.5), (BIG,))   # 8 bytes of storage
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peak = _peak_bytes(lambda: call(x), (ValueError,))
    assert peak < 16 * 2 ** 20, f"{peak} bytes allocated before the error"


# ---- None and object arrays ------------------------------------------------------------------

def _good_args():
    x = fg.ones((2, 3)) * 0.5
    image = fg.ones((1, 1, 4, 4))
    args = {"linear": [x, fg.ones((4, 3))], "cross_entropy": [x, np.array([0, 1])],
            "nll_loss": [x, np.array([0, 1])], "layer_norm": [x, (3,)],
            "embedding": [np.array([0, 1]), fg.ones((4, 3))], "softmax": [x, 1], "log_softmax": [x, 1],
            "conv2d": [image, fg.ones((2, 1, 3, 3))], "conv1d": [fg.ones((1, 1, 5)), fg.ones((2, 1, 3))],
            "max_pool2d": [image, 2], "avg_pool2d": [image, 2], "max_pool1d": [fg.ones((1, 1, 4)), 2],
            "avg_pool1d": [fg.ones((1, 1, 4)), 2], "batch_norm": [x, np.zeros(3, np.float32),
                                                                 np.ones(3, np.float32)],
            "group_norm": [fg.ones((2, 4)), 2], "instance_norm": [fg.ones((1, 2, 4))],
            "scaled_dot_product_attention": [x, x, x], "pad": [x, (1, 1)], "interpolate": [fg.ones((1, 1, 3)), 2],
            "one_hot": [np.array([0, 2])], "kl_div": [x, x]}
    for name in ("relu", "leaky_relu", "sigmoid", "tanh", "gelu", "silu", "softplus", "dropout"):
        args[name] = [x]
    for name in ("mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss", "binary_cross_entropy",
                 "binary_cross_entropy_with_logits"):
        args[name] = [x, fg.ones((2, 3)) * 0.5]
    return args


GOOD_ARGS = _good_args()


BAD = {"None": None,
       "object floats": np.array([[1.0, 2.0, 3.0]] * 2, dtype=object),
       "object strings": np.array([["a", "b", "c"]] * 2, dtype=object),
       "list with None": [[None, 1.0, 2.0]] * 2}


@pytest.mark.parametrize("bad", sorted(BAD))
@pytest.mark.parametrize("name", sorted(GOOD_ARGS))
def test_none_or_objects_for_a_tensor_argument_raise_type_error_naming_it(name, bad):
    args = GOOD_ARGS[name]
    fn = getattr(F, name)
    fn(*args)   # the good call works
    params = list(inspect.signature(fn).parameters)
    for i in range(len(args)):
        if params[i] not in TENSOR_ARGUMENTS:
            continue
        broken = list(args)
        broken[i] = BAD[bad]
        with pytest.raises(TypeError, match=f"^{name}: argument '{params[i]}'"):
            fn(*broken)


@pytest.mark.parametrize("name", F.__all__)
def test_every_functional_refuses_none_for_its_first_required_tensor_argument(name):
    fn = getattr(F, name)
    params = inspect.signature(fn).parameters
    required = [n for n, p in params.items() if p.default is inspect.Parameter.empty]
    tensor_args = [n for n in required if n in TENSOR_ARGUMENTS]
    assert tensor_args, f"{name} takes no tensor argument by a known name"
    with pytest.raises(TypeError, match=f"^{name}: argument '{tensor_args[0]}' is None"):
        fn(*[None] * len(required))


def test_optional_tensor_arguments_may_be_none_but_not_objects():
    x, w = fg.ones((2, 3)), fg.ones((4, 3))
    assert F.linear(x, w, None).shape == (2, 4)
    assert F.linear(x, w, bias=None).shape == (2, 4)
    with pytest.raises(TypeError, match="linear: argument 'bias' holds Python objects"):
        F.linear(x, w, bias=np.array([None] * 4))
    with pytest.raises(TypeError, match="binary_cross_entropy_with_logits: argument 'pos_weight'"):
        F.binary_cross_entropy_with_logits(x, x, pos_weight=np.array([1, None, 2], dtype=object))
