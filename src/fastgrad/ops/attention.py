"""Scaled dot-product attention: softmax(q k^T * scale + mask) v as one primitive.

The forward is a batched GEMM for the scores (q is scaled first: it is the
smaller operand), the masked, numerically stable softmax in one fused pass
(csrc/attention.c: attention_softmax_*), dropout and a second GEMM.  The
backward keeps q, k, v, the probabilities p and, with dropout, the kept
elements (one byte each): the dropped-out probabilities are recomputed
where needed instead of being kept beside p.
"""
import math
import numbers

import numpy as np

from ..autograd.primitive import Primitive as Function
from ..autograd.tensor import Tensor
from ..backend import namespace_of, same_device
from ..backend.mixed_precision import autocast_backend
from ..creation import default_generator
from ..backend import _is_cupy
from .shape import astype


def _dropped(xp, p, keep, keep_scale):
    """p as the second product sees it: p * keep * keep_scale, or p without dropout."""
    return p if keep is None else xp.where(keep, p * keep_scale, 0.0)


class ScaledDotProductAttention(Function):
    @staticmethod
    def forward(ctx, b, q, k, v, mask=None, causal=False, scale=1.0, keep=None, keep_scale=1.0):
        b = autocast_backend(ctx, b)
        xp = b.xp
        p = b.attention_softmax_fwd(b.matmul(q * scale, xp.matrix_transpose(k)), mask=mask, causal=causal)
        ctx.causal, ctx.scale, ctx.keep, ctx.keep_scale = causal, scale, keep, keep_scale
        ctx.save_for_backward(q, k, v, p, mask)
        return b.matmul(_dropped(xp, p, keep, keep_scale), v)

    @staticmethod
    def backward(ctx, b, g):
        q, k, v, p, mask = ctx.saved_arrays
        xp = b.xp
        if isinstance(q, Tensor) or isinstance(k, Tensor) or isinstance(mask, Tensor):
            # NOTE: with create_graph p is recomputed from q, k and the mask, so that
            # second derivatives see how it depends on them.
            p = b.attention_softmax_fwd(b.matmul(q * ctx.scale, xp.matrix_transpose(k)), mask=mask,
                                        causal=ctx.causal)
        needs = ctx.needs_input_grad
        gv = b.matmul(xp.matrix_transpose(_dropped(xp, p, ctx.keep, ctx.keep_scale)), g) if needs[2] else None
        gq = gk = gmask = None
        if needs[0] or needs[1] or (len(needs) > 3 and needs[3]):
            gs = b.attention_softmax_bwd(p, b.matmul(g, xp.matrix_transpose(v)), keep=ctx.keep,
                                         keep_scale=ctx.keep_scale)
            if needs[0]:
                gq = b.matmul(gs, k) * ctx.scale
            if needs[1]:
                gk = b.matmul(xp.matrix_transpose(gs), q * ctx.scale)
            gmask = gs
        if len(needs) > 3:  # the mask was an input (a float mask that may require grad)
            return gq, gk, gv, (gmask if needs[3] else None)
        return gq, gk, gv


def _data(a):
    return a._data if isinstance(a, Tensor) else a


def _check_qkv(op, query, key, value):
    for name, a in (("query", query), ("key", key), ("value", value)):
        if not hasattr(a, "shape") or not hasattr(a, "dtype"):
            raise TypeError(f"{op}: argument '{name}' must be a Tensor or an array, got {type(a).__name__}")
        if a.ndim < 2:
            raise ValueError(f"{op}: argument '{name}' must have at least 2 axes (..., length, features), got "
                             f"shape {tuple(a.shape)}")
        kind = getattr(a.dtype, "kind", None)
        if kind is not None and kind != "f":
            raise TypeError(f"{op}: argument '{name}' has dtype {a.dtype}; expected a floating dtype")
    if not (query.dtype == key.dtype == value.dtype):
        raise TypeError(f"{op}: query, key and value must have one dtype, got {query.dtype}, {key.dtype} and "
                        f"{value.dtype}")
    if query.shape[-1] != key.shape[-1]:
        raise ValueError(f"{op}: query and key must have the same number of features (last axis), got "
                         f"{tuple(query.shape)} and {tuple(key.shape)}")
    if key.shape[-2] != value.shape[-2]:
        raise ValueError(f"{op}: key and value must have the same length (second to last axis), got "
                         f"{tuple(key.shape)} and {tuple(value.shape)}")
    try:
        batch = np.broadcast_shapes(tuple(query.shape[:-2]), tuple(key.shape[:-2]), tuple(value.shape[:-2]))
    except ValueError:
        raise ValueError(f"{op}: the leading (batch) axes of query {tuple(query.shape)}, key "
                         f"{tuple(key.shape)} and value {tuple(value.shape)} do not broadcast") from None
    return batch + (query.shape[-2], key.shape[-2])


def _additive_mask(op, attn_mask, query, scores_shape):
    """The mask as something to add to the scores: a bool mask (True: take part) becomes 0 / -inf."""
    data = _data(attn_mask)
    if not hasattr(data, "shape") or not hasattr(data, "dtype"):
        raise TypeError(f"{op}: argument 'attn_mask' must be a Tensor, an array or None, got "
                        f"{type(attn_mask).__name__}")
    try:
        if np.broadcast_shapes(tuple(data.shape), scores_shape) != scores_shape:
            raise ValueError
    except ValueError:
        raise ValueError(f"{op}: argument 'attn_mask' of shape {tuple(data.shape)} does not broadcast to the "
                         f"attention scores' shape {scores_shape}") from None
    xp = namespace_of(data)
    kind = getattr(data.dtype, "kind", None)
    if data.dtype == getattr(xp, "bool", np.bool_) or kind == "b":
        zero = xp.zeros(tuple(data.shape), dtype=_data(query).dtype, **same_device(data))
        return xp.where(data, zero, -xp.inf)
    if kind is not None and kind != "f":
        raise TypeError(f"{op}: argument 'attn_mask' has dtype {data.dtype}; expected bool or floating")
    return attn_mask if data.dtype == query.dtype else astype(attn_mask, query.dtype)


def dropout_keep(like, shape, p):
    """A bool array of `shape` on like's device: True (kept) with probability 1 - p, from fastgrad's generator."""
    rng = default_generator()
    if isinstance(like, np.ndarray):
        return rng.random(shape) >= p
    xp = namespace_of(like)
    if _is_cupy(like):
        return xp.random.default_rng(int(rng.integers(2**63))).random(shape, dtype=xp.float32) >= p
    return xp.asarray(rng.random(shape) >= p, device=like.device)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    """softmax(query key^T * scale + mask) value, as PyTorch's F.scaled_dot_product_attention.

    query (..., L, E), key (..., S, E), value (..., S, Ev) -> (..., L, Ev); the leading axes
    broadcast.  scale defaults to 1 / sqrt(E).  attn_mask broadcasts to (..., L, S): bool
    (True: the key takes part) or floating (added to the scores).  is_causal hides the keys
    after each query (key index > query index).  A query with no key left gets zeros.
    dropout_p drops probabilities (always: this function has no training flag).  The
    softmax is one fused, numerically stable pass; the backward keeps the probabilities
    once.

    >>> import fastgrad as fg, fastgrad.nn.functional as F
    >>> q = fg.ones(1, 2, 4)
    >>> F.scaled_dot_product_attention(q, q, fg.tensor([[[1.0], [3.0]]])).tolist()
    [[[2.0], [2.0]]]
    """
    op = "scaled_dot_product_attention"
    scores_shape = _check_qkv(op, query, key, value)
    if enable_gqa:
        raise NotImplementedError(f"{op}: enable_gqa=True is not supported")
    if not isinstance(dropout_p, numbers.Real) or not 0.0 <= dropout_p <= 1.0:
        raise ValueError(f"{op}: argument 'dropout_p' must be a number in [0, 1], got {dropout_p!r}")
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1]) if query.shape[-1] else 1.0
    elif not isinstance(scale, numbers.Real) or isinstance(scale, bool):
        raise TypeError(f"{op}: argument 'scale' must be a number or None, got {type(scale).__name__}")
    if is_causal and attn_mask is not None:
        raise ValueError(f"{op}: attn_mask and is_causal=True cannot both be given")
    keep, keep_scale = None, 1.0
    if dropout_p > 0.0:
        keep = dropout_keep(_data(query), scores_shape, dropout_p)
        keep_scale = 0.0 if dropout_p == 1.0 else 1.0 / (1.0 - dropout_p)
    kwargs = dict(causal=bool(is_causal), scale=float(scale), keep=keep, keep_scale=keep_scale)
    if attn_mask is None:
        return ScaledDotProductAttention.apply(query, key, value, **kwargs)
    mask = _additive_mask(op, attn_mask, query, scores_shape)
    return ScaledDotProductAttention.apply(query, key, value, mask, **kwargs)


class AttentionSoftmax(Function):
    """softmax(scores + mask) along the last axis on the fused kernel; saves its output."""

    @staticmethod
    def forward(ctx, b, scores, mask=None, causal=False):
        p = b.attention_softmax_fwd(scores, mask=mask, causal=causal)
        ctx.save_for_backward(p)
        return p

    @staticmethod
    def backward(ctx, b, g):
        (p,) = ctx.saved_arrays
        gs = b.attention_softmax_bwd(p, g)
        return (gs, gs) if len(ctx.needs_input_grad) > 1 else gs


def attention_softmax(scores, mask=None, causal=False):
    """softmax(scores + mask) along the last axis, the columns c > r of row r left out when causal;
    a row with nothing left is zeros.  mask: None, or a float Tensor or array broadcasting to the
    scores (it gets a gradient when it requires one)."""
    if mask is None:
        return AttentionSoftmax.apply(scores, causal=bool(causal))
    return AttentionSoftmax.apply(scores, mask, causal=bool(causal))
