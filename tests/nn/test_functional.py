"""fastgrad.nn.functional: PyTorch's names and signatures, the legacy reduction
flags, and the composed functions (dropout, layer_norm, embedding)."""
import inspect

import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F


# PyTorch's documented parameters of the functions it defines in C (no Python signature)
BUILTIN_SIGNATURES = {"linear": ["input", "weight", "bias"], "gelu": ["input", "approximate"],
                      "softplus": ["input", "beta", "threshold"]}
BUILTIN_SIGNATURES.update({name: ["input", "weight", "bias", "stride", "padding", "dilation", "groups"]
                           for name in ("conv1d", "conv2d", "conv3d")})
BUILTIN_SIGNATURES["conv_transpose2d"] = ["input", "weight", "bias", "stride", "padding", "output_padding", "groups",
                                          "dilation"]
BUILTIN_SIGNATURES["conv_transpose1d"] = BUILTIN_SIGNATURES["conv_transpose2d"]
BUILTIN_SIGNATURES["adaptive_avg_pool1d"] = ["input", "output_size"]
BUILTIN_SIGNATURES["adaptive_max_pool1d"] = ["input", "output_size", "return_indices"]
BUILTIN_SIGNATURES["bilinear"] = ["input1", "input2", "weight", "bias"]
BUILTIN_SIGNATURES["avg_pool1d"] = ["input", "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"]
BUILTIN_SIGNATURES["avg_pool2d"] = BUILTIN_SIGNATURES["avg_pool1d"] + ["divisor_override"]
BUILTIN_SIGNATURES["avg_pool3d"] = BUILTIN_SIGNATURES["avg_pool2d"]
# ... and of those it dispatches on return_indices (signature (*args, **kwargs))
BUILTIN_SIGNATURES.update({name: ["input", "kernel_size", "stride", "padding", "dilation", "ceil_mode",
                                  "return_indices"] for name in ("max_pool1d", "max_pool2d", "max_pool3d")})
BUILTIN_SIGNATURES["adaptive_max_pool2d"] = ["input", "output_size", "return_indices"]
BUILTIN_SIGNATURES["adaptive_max_pool3d"] = BUILTIN_SIGNATURES["adaptive_max_pool2d"]
BUILTIN_SIGNATURES["one_hot"] = ["tensor", "num_classes"]
BUILTIN_SIGNATURES["scaled_dot_product_attention"] = ["query", "key", "value", "attn_mask", "dropout_p",
                                                      "is_causal", "scale", "enable_gqa"]
BUILTIN_SIGNATURES.update(prelu=["input", "weight"], logsigmoid=["input"],
                          cosine_similarity=["x1", "x2", "dim", "eps"],
                          pairwise_distance=["x1", "x2", "p", "eps", "keepdim"], pdist=["input", "p"])
BUILTIN_SIGNATURES.update(hardshrink=["input", "lambd"], softshrink=["input", "lambd"],
                          pixel_shuffle=["input", "upscale_factor"], pixel_unshuffle=["input", "downscale_factor"],
                          channel_shuffle=["input", "groups"])
BUILTIN_SIGNATURES["conv_transpose3d"] = BUILTIN_SIGNATURES["conv_transpose2d"]
BUILTIN_SIGNATURES.update(conv_tbc=["input", "weight", "bias", "pad"], native_channel_shuffle=["input", "groups"])
BUILTIN_SIGNATURES.update({name: ["input", "kernel_size", "output_size", "output_ratio", "return_indices",
                                  "_random_samples"] for name in ("fractional_max_pool2d", "fractional_max_pool3d")})
BUILTIN_SIGNATURES.update(rrelu_=["input", "lower", "upper", "training"], relu_=["input"], selu_=["input"],
                          elu_=["input", "alpha"], celu_=["input", "alpha"], leaky_relu_=["input", "negative_slope"],
                          hardtanh_=["input", "min_val", "max_val"], threshold_=["input", "threshold", "value"])


def test_every_name_is_there_with_torch_parameters():
    torch = pytest.importorskip("torch")
    for name in F.__all__:
        ours = list(inspect.signature(getattr(F, name)).parameters)
        try:
            theirs = list(inspect.signature(getattr(torch.nn.functional, name)).parameters)
        except ValueError:
            theirs = BUILTIN_SIGNATURES[name]
        if theirs == ["args", "kwargs"]:
            theirs = BUILTIN_SIGNATURES[name]
        assert ours == theirs, f"F.{name}{ours} vs torch {theirs}"


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_sample_weights_reduce_as_torch(name, reduction, rng):
    torch = pytest.importorskip("torch")
    x, t, w = rng.standard_normal((3, 4)), rng.standard_normal((3, 4)), rng.uniform(0.1, 2, (3, 4))
    a, ta = fg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = getattr(F, name)(a, fg.tensor(t), reduction=reduction, weight=w)
    ref = getattr(torch.nn.functional, name)(ta, torch.tensor(t), reduction=reduction, weight=torch.tensor(w))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12)
    out.sum().backward()
    ref.sum().backward()
    np.testing.assert_allclose(a.grad, ta.grad.numpy(), rtol=1e-12)
    with pytest.raises(ValueError, match="input's size"):
        getattr(F, name)(a, fg.tensor(t), weight=np.ones(4))


@pytest.mark.parametrize("size_average,reduce,expected", [(None, None, "mean"), (True, None, "mean"),
                                                          (False, None, "sum"), (None, False, "none"),
                                                          (False, True, "sum")])
def test_legacy_reduction_flags_map_as_torch(size_average, reduce, expected, rng):
    x, t = fg.tensor(rng.standard_normal((3, 2))), fg.tensor(rng.standard_normal((3, 2)))
    want = F.mse_loss(x, t, reduction=expected)
    if size_average is None and reduce is None:
        got = F.mse_loss(x, t)
    else:
        with pytest.warns(DeprecationWarning):
            got = F.mse_loss(x, t, size_average=size_average, reduce=reduce)
    np.testing.assert_array_equal(got.data, want.data)


def test_softmax_dtype_argument(rng):
    x = fg.tensor(rng.standard_normal((2, 3)).astype(np.float32))
    y = F.softmax(x, dim=1, dtype=np.float64)
    assert y.dtype == np.float64
    np.testing.assert_allclose(y.data.sum(axis=1), 1.0, rtol=1e-12)


# ---- dropout -------------------------------------------------------------------------------------

def test_dropout_scales_the_kept_elements_and_is_reproducible():
    x = fg.tensor(np.ones((200, 50)), requires_grad=True)
    fg.manual_seed(7)
    y = F.dropout(x, p=0.3, training=True)
    kept = y.data != 0
    np.testing.assert_allclose(y.data[kept], 1 / 0.7)
    assert abs(kept.mean() - 0.7) < 0.02
    y.sum().backward()
    np.testing.assert_allclose(x.grad, kept / 0.7)
    fg.manual_seed(7)
    np.testing.assert_array_equal(F.dropout(x, p=0.3).data, y.data)


def test_dropout_edge_cases():
    x = fg.tensor(np.ones(10))
    assert F.dropout(x, p=0.5, training=False) is x
    assert F.dropout(x, p=0.0) is x
    np.testing.assert_array_equal(F.dropout(x, p=1.0).data, np.zeros(10))
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout(x, p=1.5)


# ---- layer_norm ----------------------------------------------------------------------------------

@pytest.mark.parametrize("normalized_shape", [(4,), (3, 4)], ids=str)
def test_layer_norm_matches_torch_and_gradcheck(normalized_shape, rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((2, 3, 4))
    w, b = rng.standard_normal(normalized_shape), rng.standard_normal(normalized_shape)
    ours = [fg.tensor(a, requires_grad=True) for a in (x, w, b)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    y = F.layer_norm(ours[0], normalized_shape, ours[1], ours[2])
    ty = torch.nn.functional.layer_norm(theirs[0], normalized_shape, theirs[1], theirs[2])
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = rng.standard_normal(y.shape)
    y.backward(g)
    ty.backward(torch.tensor(g))
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.grad, t.grad.numpy(), rtol=1e-9, atol=1e-11)
    assert fg.gradcheck(lambda a, c, d: F.layer_norm(a, normalized_shape, c, d),
                        [fg.tensor(a, requires_grad=True) for a in (x, w, b)])


def test_layer_norm_checks_the_shape():
    with pytest.raises(ValueError, match="normalized_shape"):
        F.layer_norm(fg.tensor(np.ones((2, 3))), (4,))


# ---- embedding -----------------------------------------------------------------------------------

def test_embedding_rows_and_padding_gradient_match_torch(rng):
    torch = pytest.importorskip("torch")
    weight = rng.standard_normal((6, 3))
    idx = np.array([[0, 2, 2], [5, 1, 0]])
    w, tw = fg.tensor(weight, requires_grad=True), torch.tensor(weight, requires_grad=True)
    y = F.embedding(idx, w, padding_idx=2)
    ty = torch.nn.functional.embedding(torch.tensor(idx), tw, padding_idx=2)
    np.testing.assert_array_equal(y.data, ty.detach().numpy())
    g = rng.standard_normal(y.shape)
    y.backward(g)
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(w.grad, tw.grad.numpy(), rtol=1e-14)
    assert not w.grad[2].any()


def test_embedding_max_norm_renormalizes_like_torch(rng):
    torch = pytest.importorskip("torch")
    weight = rng.standard_normal((5, 4)) * 3
    idx = np.array([1, 3, 3])
    w, tw = fg.tensor(weight.copy()), torch.tensor(weight.copy())
    y = F.embedding(idx, w, max_norm=1.0)
    ty = torch.nn.functional.embedding(torch.tensor(idx), tw, max_norm=1.0)
    np.testing.assert_allclose(y.data, ty.numpy(), rtol=1e-6)
    np.testing.assert_allclose(w.data, tw.numpy(), rtol=1e-6)


def test_embedding_rejects_bad_indices():
    w = fg.tensor(np.ones((4, 2)))
    with pytest.raises(IndexError, match="out of range"):
        F.embedding(np.array([0, 4]), w)
    with pytest.raises(IndexError, match="out of range"):
        F.embedding(np.array([-1]), w)
    with pytest.raises(TypeError, match="integers"):
        F.embedding(np.array([0.5]), w)


# ---- a small network end to end ------------------------------------------------------------------

def test_a_two_layer_network_trains_like_torch(rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((16, 8))
    labels = rng.integers(0, 4, 16)
    params = [rng.standard_normal(s) * 0.3 for s in [(12, 8), (12,), (4, 12), (4,)]]
    ours = [fg.tensor(p, requires_grad=True) for p in params]
    theirs = [torch.tensor(p, requires_grad=True) for p in params]
    h = F.gelu(F.linear(fg.tensor(x), ours[0], ours[1]))
    loss = F.cross_entropy(F.linear(F.layer_norm(h, (12,)), ours[2], ours[3]), labels, label_smoothing=0.1)
    th = torch.nn.functional.gelu(torch.nn.functional.linear(torch.tensor(x), theirs[0], theirs[1]))
    tloss = torch.nn.functional.cross_entropy(
        torch.nn.functional.linear(torch.nn.functional.layer_norm(th, (12,)), theirs[2], theirs[3]),
        torch.tensor(labels), label_smoothing=0.1)
    loss.backward()
    tloss.backward()
    assert loss.item() == pytest.approx(tloss.item(), rel=1e-12)
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.grad, t.grad.numpy(), rtol=1e-9, atol=1e-12)
