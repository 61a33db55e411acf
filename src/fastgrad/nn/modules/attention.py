"""MultiheadAttention with PyTorch's parameters, initialisation, masks and outputs."""
import math

import numpy as np

from ... import ops
from ...autograd.tensor import Tensor
from ...dtypes import get_default_dtype
from ...ops.attention import attention_softmax, scaled_dot_product_attention
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .linear import NonDynamicallyQuantizableLinear
from .module import Module


def _data(a):
    return a._data if isinstance(a, Tensor) else a


def _additive(op, name, mask, dtype):
    """A mask as something added to the scores: bool True (not allowed) becomes -inf, False 0."""
    if mask is None:
        return None
    data = _data(mask)
    if not hasattr(data, "dtype"):
        data = mask = np.asarray(mask)
    kind = getattr(data.dtype, "kind", None)
    if kind == "b":
        return np.where(np.asarray(data), -np.inf, 0.0).astype(dtype)
    if kind != "f":
        raise TypeError(f"{op}: argument '{name}' must be a bool or floating mask, got dtype {data.dtype}")
    return mask if data.dtype == dtype else ops.astype(mask, dtype)


class MultiheadAttention(Module):
    """Attention of `num_heads` heads over projections of query, key and value, as PyTorch's
    nn.MultiheadAttention:

        head_i = softmax(Q_i K_i^T / sqrt(d) + mask) V_i,   Q = query W_q^T + b_q (K, V alike)
        output = concat(head_1, ..., head_h) W_o^T + b_o

    Inputs are (L, N, E) (batch_first: (N, L, E)) or unbatched (L, E).  key_padding_mask
    (N, S) and attn_mask (L, S) or (N * num_heads, L, S) are bool (True: not allowed) or float
    (added).  Returns (output, weights): weights (N, L, S) averaged over the heads
    (average_attn_weights) or (N, num_heads, L, S) when need_weights, else None.
    need_weights=False runs F.scaled_dot_product_attention (the fused softmax, the
    probabilities kept once); need_weights=True keeps the weights for the caller.
    Parameters and initialisation are PyTorch's: in_proj_weight (3E, E) (or q_proj_weight,
    k_proj_weight, v_proj_weight when kdim or vdim differ from E) xavier-uniform,
    in_proj_bias zeros, out_proj a Linear with a zero bias.

    >>> mha = MultiheadAttention(8, 2, batch_first=True)
    >>> x = fastgrad.randn(3, 5, 8)
    >>> out, weights = mha(x, x, x)
    >>> out.shape, weights.shape
    ((3, 5, 8), (3, 5, 5))
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False,
                 kdim=None, vdim=None, batch_first=False, device=None, dtype=None):
        super().__init__()
        op = "MultiheadAttention"
        if not isinstance(embed_dim, int) or embed_dim <= 0 or not isinstance(num_heads, int) or num_heads <= 0:
            raise ValueError(f"{op}: embed_dim and num_heads must be positive ints, got {embed_dim!r} and "
                             f"{num_heads!r}")
        if embed_dim % num_heads:
            raise ValueError(f"{op}: embed_dim ({embed_dim}) must be divisible by num_heads ({num_heads})")
        if not 0.0 <= dropout <= 1.0:
            raise ValueError(f"{op}: dropout must be in [0, 1], got {dropout!r}")
        if add_bias_kv or add_zero_attn:
            raise NotImplementedError(f"{op}: add_bias_kv and add_zero_attn are not supported")
        self.embed_dim = embed_dim
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        dtype = np.dtype(dtype) if dtype is not None else get_default_dtype()
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(np.empty((3 * embed_dim, embed_dim), dtype=dtype))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = Parameter(np.empty((embed_dim, embed_dim), dtype=dtype))
            self.k_proj_weight = Parameter(np.empty((embed_dim, self.kdim), dtype=dtype))
            self.v_proj_weight = Parameter(np.empty((embed_dim, self.vdim), dtype=dtype))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(np.empty(3 * embed_dim, dtype=dtype))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, dtype=dtype)
        self._reset_parameters()
        self._place_on(device)

    def _reset_parameters(self):
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)

    def _projections(self, query, key, value):
        e = self.embed_dim
        b = self.in_proj_bias
        bq, bk, bv = (None, None, None) if b is None else (b[:e], b[e:2 * e], b[2 * e:])
        if self._qkv_same_embed_dim:
            w = self.in_proj_weight
            if query is key and key is value:  # self-attention: one GEMM for the three projections
                qkv = F.linear(query, w, b)
                return qkv[..., :e], qkv[..., e:2 * e], qkv[..., 2 * e:]
            wq, wk, wv = w[:e], w[e:2 * e], w[2 * e:]
        else:
            wq, wk, wv = self.q_proj_weight, self.k_proj_weight, self.v_proj_weight
        return F.linear(query, wq, bq), F.linear(key, wk, bk), F.linear(value, wv, bv)

    def _check(self, query, key, value, key_padding_mask, attn_mask):
        op = "MultiheadAttention"
        for name, a in (("query", query), ("key", key), ("value", value)):
            if not hasattr(a, "ndim"):
                raise TypeError(f"{op}: argument '{name}' must be a Tensor or an array, got {type(a).__name__}")
        batched = query.ndim == 3
        if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
            raise ValueError(f"{op}: query, key and value must all be 3-d (batched) or 2-d (unbatched), got "
                             f"shapes {tuple(query.shape)}, {tuple(key.shape)} and {tuple(value.shape)}")
        for name, a, size in (("query", query, self.embed_dim), ("key", key, self.kdim),
                              ("value", value, self.vdim)):
            if a.shape[-1] != size:
                raise ValueError(f"{op}: argument '{name}' has {a.shape[-1]} features (last axis), expected "
                                 f"{size}")
        if key.shape[:-1] != value.shape[:-1]:
            raise ValueError(f"{op}: key {tuple(key.shape)} and value {tuple(value.shape)} must agree in all "
                             "axes but the last")
        if batched and query.shape[:2][1 - self.batch_first] != key.shape[:2][1 - self.batch_first]:
            raise ValueError(f"{op}: query {tuple(query.shape)} and key {tuple(key.shape)} have different "
                             "batch sizes")
        if key_padding_mask is not None:
            n, s = (query.shape[0 if self.batch_first else 1], key.shape[1 if self.batch_first else 0]) \
                if batched else (None, key.shape[0])
            expected = (n, s) if batched else (s,)
            if tuple(key_padding_mask.shape) != expected:
                raise ValueError(f"{op}: argument 'key_padding_mask' has shape {tuple(key_padding_mask.shape)}, "
                                 f"expected {expected}")
        if attn_mask is not None:
            length = query.shape[1 if (batched and self.batch_first) else 0]
            source = key.shape[1 if (batched and self.batch_first) else 0]
            allowed = [(length, source)]
            if batched:
                allowed.append((query.shape[0 if self.batch_first else 1] * self.num_heads, length, source))
            else:
                allowed.append((self.num_heads, length, source))
            if tuple(attn_mask.shape) not in allowed:
                raise ValueError(f"{op}: argument 'attn_mask' has shape {tuple(attn_mask.shape)}, expected one of "
                                 f"{allowed}")
        return batched

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        op = "MultiheadAttention"
        batched = self._check(query, key, value, key_padding_mask, attn_mask)
        if is_causal and attn_mask is None:
            raise ValueError(f"{op}: is_causal=True is a hint that attn_mask is the causal mask; attn_mask is "
                             "required with it")
        if not batched:  # one sample of a batch
            query, key, value = (ops.unsqueeze(a, 0) for a in (query, key, value))
            if key_padding_mask is not None:
                key_padding_mask = ops.unsqueeze(key_padding_mask, 0)
        elif not self.batch_first:  # (L, N, E) -> (N, L, E), a view
            query, key, value = (a if a is None else ops.swapaxes(a, 0, 1) for a in (query, key, value))
        n, length, _ = query.shape
        source = key.shape[1]
        h, d = self.num_heads, self.head_dim

        def heads(x, size):  # (N, size, E) -> (N, H, size, d)
            return ops.swapaxes(ops.reshape(x, (n, size, h, d)), 1, 2)

        q, k, v = self._projections(query, key, value)
        q, k, v = heads(q, length), heads(k, source), heads(v, source)
        mask = self._merged_mask(key_padding_mask, attn_mask, n, length, source, q.dtype)
        dropout_p = self.dropout if self.training else 0.0
        if need_weights:
            weights = attention_softmax((q * (1.0 / math.sqrt(d))) @ ops.swapaxes(k, -1, -2), mask)
            weights = F.dropout(weights, dropout_p, True)
            out = weights @ v
        else:
            causal = is_causal and key_padding_mask is None
            out = scaled_dot_product_attention(q, k, v, attn_mask=None if causal else mask, dropout_p=dropout_p,
                                               is_causal=causal)
            weights = None
        out = self.out_proj(ops.reshape(ops.swapaxes(out, 1, 2), (n, length, self.embed_dim)))
        if not batched:
            out = ops.squeeze(out, 0)
        elif not self.batch_first:
            out = ops.swapaxes(out, 0, 1)
        if weights is not None:
            if average_attn_weights:
                weights = weights.mean(axis=1)
            if not batched:
                weights = ops.squeeze(weights, 0)
        return out, weights

    @classmethod
    def _over_tensors(cls, embed_dim, num_heads, dropout, training, in_proj_weight, in_proj_bias, out_proj_weight,
                      out_proj_bias, q_proj_weight=None, k_proj_weight=None, v_proj_weight=None):
        """A MultiheadAttention whose weights are the given tensors (not registered as parameters,
        so gradients reach the tensors themselves): F.multi_head_attention_forward runs its forward."""
        self = cls.__new__(cls)
        Module.__init__(self)
        separate = in_proj_weight is None
        fields = dict(embed_dim=embed_dim, num_heads=num_heads, dropout=dropout, training=training, batch_first=False,
                      head_dim=embed_dim // num_heads, _qkv_same_embed_dim=not separate,
                      kdim=k_proj_weight.shape[1] if separate else embed_dim,
                      vdim=v_proj_weight.shape[1] if separate else embed_dim,
                      in_proj_weight=in_proj_weight, in_proj_bias=in_proj_bias, q_proj_weight=q_proj_weight,
                      k_proj_weight=k_proj_weight, v_proj_weight=v_proj_weight,
                      out_proj=lambda x: F.linear(x, out_proj_weight, out_proj_bias))
        self.__dict__.update(fields)
        return self

    def _merged_mask(self, key_padding_mask, attn_mask, n, length, source, dtype):
        """The additive mask of the scores (N, H, L, S), broadcasting, or None."""
        op = "MultiheadAttention"
        merged = _additive(op, "attn_mask", attn_mask, dtype)
        if merged is not None and merged.ndim == 3:
            merged = ops.reshape(merged, (n, self.num_heads, length, source)) if isinstance(merged, Tensor) \
                else merged.reshape(n, self.num_heads, length, source)
        padding = _additive(op, "key_padding_mask", key_padding_mask, dtype)
        if padding is not None:
            padding = ops.reshape(padding, (n, 1, 1, source)) if isinstance(padding, Tensor) \
                else padding.reshape(n, 1, 1, source)
            merged = padding if merged is None else merged + padding
        return merged
