"""F.scaled_dot_product_attention: gradients against central differences (float64), values
and every gradient against PyTorch, masks (bool, float with a gradient, broadcast), causal,
dropout, second derivatives, what the backward keeps, and bad input."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
from fastgrad.creation import default_generator
from torch_parity import check_against_torch

TOL = dict(rtol=1e-10, atol=1e-12)


def leaves(*arrays):
    return [fg.tensor(a, requires_grad=True) for a in arrays]


def qkv(rng, q_shape=(2, 3, 4, 5), k_shape=(2, 3, 6, 5), v_features=3):
    return (rng.standard_normal(q_shape), rng.standard_normal(k_shape),
            rng.standard_normal(k_shape[:-1] + (v_features,)))


@pytest.mark.parametrize("case", ["plain", "scale", "float_mask", "bool_mask", "causal", "causal_long_key",
                                  "broadcast_key", "three_axes"])
def test_gradients_match_central_differences(case, rng):
    q, k, v = qkv(rng, (2, 3, 5), (2, 4, 5), 2) if case == "three_axes" else qkv(rng)
    if case == "causal_long_key":
        q, k, v = qkv(rng, (1, 2, 3, 4), (1, 2, 5, 4), 2)
    if case == "broadcast_key":
        q, k, v = qkv(rng, (2, 3, 4, 5), (1, 3, 6, 5), 3)
    inputs = leaves(q, k, v)
    kwargs = {"scale": dict(scale=0.7), "causal": dict(is_causal=True), "causal_long_key": dict(is_causal=True),
              "bool_mask": dict(attn_mask=rng.random((4, 6)) > 0.3)}.get(case, {})
    if case == "float_mask":
        inputs.append(fg.tensor(rng.standard_normal((3, 1, 6)), requires_grad=True))
        assert fg.gradcheck(lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m), inputs)
    else:
        assert fg.gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, **kwargs), inputs)


def test_gradients_with_dropout_match_central_differences(rng):
    def attention(q, k, v):
        fg.manual_seed(5)  # the same dropped elements at every evaluation
        return F.scaled_dot_product_attention(q, k, v, dropout_p=0.4)

    assert fg.gradcheck(attention, leaves(*qkv(rng)))


def test_dropout_drops_probabilities_with_fastgrads_generator(rng):
    q, k, v = qkv(rng)
    fg.manual_seed(11)
    got = F.scaled_dot_product_attention(fg.tensor(q), fg.tensor(k), fg.tensor(v), dropout_p=0.3).data
    fg.manual_seed(11)
    keep = default_generator().random((2, 3, 4, 6)) >= 0.3
    s = q @ np.swapaxes(k, -1, -2) / np.sqrt(5)
    p = np.exp(s - s.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    np.testing.assert_allclose(got, (p * keep / 0.7) @ v, **TOL)
    assert 0 < (~keep).sum() < keep.size


def test_the_backward_keeps_the_probabilities_once(rng):
    q, k, v = leaves(*qkv(rng))
    out = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    saved = [a for a in out._node.saved_arrays if a is not None]
    assert [a.shape for a in saved].count((2, 3, 4, 6)) == 1
    assert out._node.keep.dtype == np.bool_ and out._node.keep.shape == (2, 3, 4, 6)


def _torch_case(torch, case, rng):
    q, k, v = qkv(rng)
    kwargs, mask = {}, None
    if case == "bool_mask":
        mask = rng.random((2, 1, 4, 6)) > 0.4
        mask[..., 0] = True
    elif case == "float_mask":
        mask = rng.standard_normal((4, 6))
    elif case == "fully_masked_row":
        mask = np.ones((4, 6), bool)
        mask[2] = False
    elif case == "causal":
        kwargs = dict(is_causal=True)
    elif case == "scale":
        kwargs = dict(scale=0.3)
    elif case == "broadcast_key":
        q, k, v = qkv(rng, (2, 3, 4, 5), (3, 6, 5), 2)
    return (q, k, v), mask, kwargs


@pytest.mark.parametrize("case", ["plain", "bool_mask", "float_mask", "fully_masked_row", "causal", "scale",
                                  "broadcast_key"])
def test_values_and_gradients_match_pytorch(case, rng):
    torch = pytest.importorskip("torch")
    arrays, mask, kwargs = _torch_case(torch, case, rng)
    mask_m = mask_t = None
    if mask is not None:
        float_mask = mask.dtype != np.bool_
        mask_m = fg.tensor(mask, requires_grad=float_mask) if float_mask else mask
        mask_t = torch.tensor(mask, requires_grad=float_mask)
    check_against_torch(torch, lambda *qkv: F.scaled_dot_product_attention(*qkv, attn_mask=mask_m, **kwargs),
                        lambda *qkv: torch.nn.functional.scaled_dot_product_attention(*qkv, attn_mask=mask_t, **kwargs),
                        arrays, rng, TOL)
    if mask is not None and mask.dtype != np.bool_:
        np.testing.assert_allclose(mask_m.grad.data, mask_t.grad.numpy(), **TOL)


def test_float32_matches_pytorch(rng):
    torch = pytest.importorskip("torch")
    arrays = [a.astype(np.float32) for a in qkv(rng, (2, 4, 16, 8), (2, 4, 16, 8), 8)]
    mine, theirs = leaves(*arrays), [torch.tensor(a, requires_grad=True) for a in arrays]
    got = F.scaled_dot_product_attention(*mine, is_causal=True)
    expected = torch.nn.functional.scaled_dot_product_attention(*theirs, is_causal=True)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got.data, expected.detach().numpy(), rtol=1e-5, atol=1e-6)
    got.sum().backward()
    expected.sum().backward()
    for m, t in zip(mine, theirs):
        np.testing.assert_allclose(m.grad.data, t.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_second_derivatives_match_pytorch(rng):
    torch = pytest.importorskip("torch")
    arrays = qkv(rng, (1, 2, 3, 4), (1, 2, 5, 4), 2)
    mask = rng.standard_normal((3, 5))
    mine, theirs = leaves(*arrays), [torch.tensor(a, requires_grad=True) for a in arrays]
    out_m = F.scaled_dot_product_attention(*mine, attn_mask=fg.tensor(mask))
    out_t = torch.nn.functional.scaled_dot_product_attention(*theirs, attn_mask=torch.tensor(mask))
    grads_m = fg.autograd.grad((out_m ** 2).sum(), mine, create_graph=True)
    grads_t = torch.autograd.grad((out_t ** 2).sum(), theirs, create_graph=True)
    direction = [rng.standard_normal(a.shape) for a in arrays]
    second_m = fg.autograd.grad(sum((g * fg.tensor(d)).sum() for g, d in zip(grads_m, direction)), mine)
    second_t = torch.autograd.grad(sum((g * torch.tensor(d)).sum() for g, d in zip(grads_t, direction)), theirs)
    for m, t in zip(second_m, second_t):
        np.testing.assert_allclose(np.asarray(m.data), t.numpy(), rtol=1e-9, atol=1e-11)


BAD = [
    (dict(q=(2, 3, 4), k=(2, 5, 3)), ValueError, "query and key must have the same number of features"),
    (dict(q=(2, 3, 4), k=(2, 5, 4), v=(2, 6, 4)), ValueError, "key and value must have the same length"),
    (dict(q=(2, 3, 4), k=(3, 5, 4)), ValueError, "do not broadcast"),
    (dict(q=(4,)), ValueError, "'query' must have at least 2 axes"),
    (dict(dtype_k=np.float32), TypeError, "must have one dtype"),
    (dict(dtype_q=np.int64), TypeError, "'query' has dtype int64"),
    (dict(attn_mask=np.ones((2, 2))), ValueError, "'attn_mask' of shape (2, 2) does not broadcast"),
    (dict(attn_mask=np.ones((3, 5), np.int32)), TypeError, "'attn_mask' has dtype int32"),
    (dict(attn_mask="causal"), TypeError, "'attn_mask' must be a Tensor"),
    (dict(attn_mask=np.ones((3, 5), bool), is_causal=True), ValueError, "cannot both be given"),
    (dict(dropout_p=1.5), ValueError, "'dropout_p' must be a number in [0, 1]"),
    (dict(scale="big"), TypeError, "'scale' must be a number"),
    (dict(enable_gqa=True), NotImplementedError, "enable_gqa"),
]


@pytest.mark.parametrize("spec, error, message", BAD, ids=[m for _, _, m in BAD])
def test_bad_input_is_refused_by_name(spec, error, message):
    spec = dict(spec)
    q = np.ones(spec.pop("q", (2, 3, 4)), dtype=spec.pop("dtype_q", np.float64))
    k = np.ones(spec.pop("k", (2, 5, 4)), dtype=spec.pop("dtype_k", np.float64))
    v = np.ones(spec.pop("v", k.shape[:-1] + (2,)))
    with pytest.raises(error, match="scaled_dot_product_attention") as info:
        F.scaled_dot_product_attention(fg.tensor(q), fg.tensor(k), fg.tensor(v), **spec)
    assert message in str(info.value)
