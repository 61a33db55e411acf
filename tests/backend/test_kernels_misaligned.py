"""Misaligned arrays (np.frombuffer(buf, offset=1)) never reach the C kernels: the
wrappers copy them to aligned memory (same results as aligned inputs), and refuse a
misaligned `out`, which they cannot copy back into.  The sanitizer stage
(.ci/sanitize.sh) runs these under UBSan, which reports any misaligned load."""
import numpy as np
import pytest

from fastgrad import _C


def misaligned(a):
    """A copy of `a` whose data starts one byte past an aligned address."""
    a = np.asarray(a)
    buf = np.zeros(a.nbytes + 1, np.uint8)
    m = np.frombuffer(buf, dtype=a.dtype, offset=1, count=a.size).reshape(a.shape)
    m[...] = a
    assert not m.flags.aligned and m.flags.c_contiguous
    return m


R = np.random.default_rng(0)
X = R.standard_normal((5, 7))
Q = np.abs(R.standard_normal((5, 7)))
Q /= Q.sum(axis=1, keepdims=True)
P = R.uniform(0.05, 0.95, (5, 7))
T01 = R.uniform(0, 1, (5, 7))
G = R.standard_normal((5, 7))
ROWS = R.standard_normal(5)
TARGET = np.array([0, 6, 3, 1, 2])
W = np.abs(R.standard_normal(7))

# name -> (kernel, positional arrays, keyword arrays, other keywords)
CASES = {
    "relu_fwd": (_C.relu_fwd, [X], {}, {}),
    "sigmoid_bwd": (_C.sigmoid_bwd, [P, G], {}, {}),
    "gelu_bwd": (_C.gelu_bwd, [X, G], {}, {}),
    "leaky_relu_bwd": (_C.leaky_relu_bwd, [X, G], {}, {"negative_slope": 0.1}),
    "softplus_bwd": (_C.softplus_bwd, [X, G], {}, {}),
    "softmax_fwd": (_C.softmax_fwd, [X], {}, {}),
    "log_softmax_bwd": (_C.log_softmax_bwd, [X, G], {}, {}),
    "cross_entropy_fwd": (_C.cross_entropy_fwd, [X], {"target": TARGET, "weight": W}, {"label_smoothing": 0.1}),
    "cross_entropy_bwd": (_C.cross_entropy_bwd, [X], {"target": TARGET, "weight": W, "grad": ROWS}, {}),
    "soft_cross_entropy_fwd": (_C.soft_cross_entropy_fwd, [X, Q], {"weight": W}, {}),
    "soft_cross_entropy_bwd": (_C.soft_cross_entropy_bwd, [X, Q], {"grad": ROWS}, {}),
    "mse_loss_fwd": (_C.mse_loss_fwd, [X, G], {}, {"reduction": "none"}),
    "l1_loss_bwd": (_C.l1_loss_bwd, [X, G, G], {}, {"scale": 0.5}),
    "huber_loss_bwd": (_C.huber_loss_bwd, [X, G, G], {}, {"delta": 0.7}),
    "bce_with_logits_fwd": (_C.binary_cross_entropy_with_logits_fwd, [X, T01], {"pos_weight": W}, {"reduction": "sum"}),
    "bce_with_logits_bwd": (_C.binary_cross_entropy_with_logits_bwd, [X, T01, G], {"pos_weight": W}, {}),
    "bce_fwd": (_C.binary_cross_entropy_fwd, [P, T01], {}, {"reduction": "none"}),
    "bce_bwd": (_C.binary_cross_entropy_bwd, [P, T01, G], {}, {}),
    "bias_act_fwd": (_C.bias_act_fwd, [X], {"bias": W}, {"activation": "gelu"}),
    "bias_act_bwd": (_C.bias_act_bwd, [X, G], {}, {"bias_grad": True, "activation": "tanh"}),
}


def _equal(a, b):
    if isinstance(a, tuple):
        for x, y in zip(a, b):
            _equal(x, y)
    elif a is None:
        assert b is None
    else:
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(CASES))
def test_misaligned_inputs_give_the_aligned_result(name, dtype):
    kernel, arrays, keyword_arrays, params = CASES[name]

    def cast(a):
        return a if a.dtype.kind == "i" else a.astype(dtype)

    arrays = [cast(a) for a in arrays]
    keyword_arrays = {k: cast(v) for k, v in keyword_arrays.items()}
    expected = kernel(*[a.copy() for a in arrays], **{k: v.copy() for k, v in keyword_arrays.items()}, **params)
    got = kernel(*[misaligned(a) for a in arrays], **{k: misaligned(v) for k, v in keyword_arrays.items()},
                 **params)
    _equal(got, expected)


@pytest.mark.parametrize("call", [
    lambda out: _C.relu_fwd(np.ones(6), out=out),
    lambda out: _C.sigmoid_bwd(np.ones(6), np.ones(6), out=out),
    lambda out: _C.mse_loss_bwd(np.ones(6), np.ones(6), out=out),
    lambda out: _C.softmax_fwd(np.ones(6), out=out),
], ids=["relu_fwd", "sigmoid_bwd", "mse_loss_bwd", "softmax_fwd"])
def test_misaligned_out_is_refused(call):
    out = misaligned(np.zeros(6))
    with pytest.raises(ValueError, match="'out' is not aligned"):
        call(out)
