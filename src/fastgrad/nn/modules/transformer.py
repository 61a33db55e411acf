"""The transformer layers and stacks (encoder, decoder, nn.Transformer) with PyTorch's structure and parameter
names."""
import copy

import numpy as np

from ...autograd.tensor import Tensor
from ...dtypes import get_default_dtype
from .. import functional as F
from .. import init
from .attention import MultiheadAttention
from .container import ModuleList
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .normalization import LayerNorm

_ACTIVATIONS = {"relu": F.relu, "gelu": F.gelu}


def _activation(op, activation):
    """The feed-forward block's activation: "relu", "gelu" or a callable."""
    if isinstance(activation, str):
        if activation not in _ACTIVATIONS:
            raise ValueError(f"{op}: activation should be relu/gelu, not {activation!r}")
        return _ACTIVATIONS[activation]
    if not callable(activation):
        raise TypeError(f"{op}: activation must be 'relu', 'gelu' or a callable, got {type(activation).__name__}")
    return activation


def _copies(op, layer, num_layers):
    """num_layers deep copies of layer (they start from the same weights, as in PyTorch)."""
    if not isinstance(num_layers, int) or isinstance(num_layers, bool) or num_layers < 0:
        raise ValueError(f"{op}: num_layers must be an int >= 0, got {num_layers!r}")
    return ModuleList([copy.deepcopy(layer) for _ in range(num_layers)])


def _add_sublayers(layer, op, attentions, norms, d_model, nhead, dim_feedforward, dropout, activation,
                   layer_norm_eps, batch_first, norm_first, bias, dtype):
    """Sets a transformer layer's sub-modules in PyTorch's order (the state_dict's order): the
    attentions named, linear1, dropout, linear2, then norm1.. and dropout1.. (`norms` of each)."""
    activation = _activation(op, activation)
    for name in attentions:
        setattr(layer, name, MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first,
                                                dtype=dtype))
    layer.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
    layer.dropout = Dropout(dropout)
    layer.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
    layer.norm_first = norm_first
    for i in range(1, norms + 1):
        setattr(layer, f"norm{i}", LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype))
    for i in range(1, norms + 1):
        setattr(layer, f"dropout{i}", Dropout(dropout))
    layer.activation = activation


class _AttentionLayer(Module):
    """What the encoder and decoder layers share: the self-attention block."""

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, need_weights=False,
                           is_causal=is_causal)[0]
        return self.dropout1(x)


class TransformerEncoderLayer(_AttentionLayer):
    """Self-attention and a feed-forward block, each with a residual connection and LayerNorm,
    as PyTorch's nn.TransformerEncoderLayer:

        norm_first=False:  x = norm1(x + sa(x));  x = norm2(x + ff(x))
        norm_first=True:   x = x + sa(norm1(x));  x = x + ff(norm2(x))
        ff(x) = dropout2(linear2(dropout(activation(linear1(x)))))

    sa is MultiheadAttention (need_weights=False: the fused attention) followed by dropout1.
    activation: "relu", "gelu" or a callable.

    >>> layer = TransformerEncoderLayer(d_model=16, nhead=4, dim_feedforward=32, batch_first=True)
    >>> layer(fastgrad.randn(2, 7, 16)).shape
    (2, 7, 16)
    """

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu", layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        _add_sublayers(self, "TransformerEncoderLayer", ("self_attn",), 2, d_model, nhead, dim_feedforward, dropout,
                       activation, layer_norm_eps, batch_first, norm_first, bias, dtype)
        self._place_on(device)

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._ff_block(self.norm2(x))
        x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._ff_block(x))

    def _ff_block(self, x):
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerEncoder(Module):
    """`num_layers` copies of encoder_layer (deep copies: they start from the same weights, as
    in PyTorch) applied in turn, then `norm` when given.  enable_nested_tensor and mask_check
    are accepted for compatibility: they steer PyTorch's inference fast path and change no
    result.  is_causal is the hint that `mask` is the causal mask (it needs the mask).

    >>> layer = TransformerEncoderLayer(d_model=16, nhead=4, dim_feedforward=32)
    >>> TransformerEncoder(layer, num_layers=2)(fastgrad.randn(7, 2, 16)).shape
    (7, 2, 16)
    """

    def __init__(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True, mask_check=True):
        super().__init__()
        self.layers = _copies("TransformerEncoder", encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        out = src
        for layer in self.layers:
            out = layer(out, src_mask=mask, src_key_padding_mask=src_key_padding_mask, is_causal=bool(is_causal))
        return out if self.norm is None else self.norm(out)


class TransformerDecoderLayer(_AttentionLayer):
    """Self-attention, attention over the encoder's output (memory) and a feed-forward block,
    each with a residual connection and LayerNorm, as PyTorch's nn.TransformerDecoderLayer:

        norm_first=False:  x = norm1(x + sa(x));  x = norm2(x + mha(x, memory));  x = norm3(x + ff(x))
        norm_first=True:   x = x + sa(norm1(x));  x = x + mha(norm2(x), memory);  x = x + ff(norm3(x))
        ff(x) = dropout3(linear2(dropout(activation(linear1(x)))))

    sa is self_attn then dropout1, mha multihead_attn then dropout2 (both MultiheadAttention,
    need_weights=False).  activation: "relu", "gelu" or a callable.

    >>> layer = TransformerDecoderLayer(d_model=16, nhead=4, dim_feedforward=32, batch_first=True)
    >>> layer(fastgrad.randn(2, 5, 16), fastgrad.randn(2, 7, 16)).shape
    (2, 5, 16)
    """

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu", layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        _add_sublayers(self, "TransformerDecoderLayer", ("self_attn", "multihead_attn"), 3, d_model, nhead,
                       dim_feedforward, dropout, activation, layer_norm_eps, batch_first, norm_first, bias, dtype)
        self._place_on(device)

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask, memory_key_padding_mask, memory_is_causal)
            return x + self._ff_block(self.norm3(x))
        x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
        x = self.norm2(x + self._mha_block(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal))
        return self.norm3(x + self._ff_block(x))

    def _mha_block(self, x, memory, attn_mask, key_padding_mask, is_causal):
        x = self.multihead_attn(x, memory, memory, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                                need_weights=False, is_causal=is_causal)[0]
        return self.dropout2(x)

    def _ff_block(self, x):
        return self.dropout3(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerDecoder(Module):
    """`num_layers` copies of decoder_layer (deep copies: they start from the same weights, as
    in PyTorch) applied in turn to tgt, each attending to memory, then `norm` when given.
    tgt_is_causal / memory_is_causal are the hints that tgt_mask / memory_mask are causal masks
    (each needs its mask).

    >>> layer = TransformerDecoderLayer(d_model=16, nhead=4, dim_feedforward=32)
    >>> TransformerDecoder(layer, num_layers=2)(fastgrad.randn(5, 2, 16), fastgrad.randn(7, 2, 16)).shape
    (5, 2, 16)
    """

    def __init__(self, decoder_layer, num_layers, norm=None):
        super().__init__()
        self.layers = _copies("TransformerDecoder", decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False):
        out = tgt
        for layer in self.layers:
            out = layer(out, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                        tgt_key_padding_mask=tgt_key_padding_mask, memory_key_padding_mask=memory_key_padding_mask,
                        tgt_is_causal=bool(tgt_is_causal), memory_is_causal=memory_is_causal)
        return out if self.norm is None else self.norm(out)


class Transformer(Module):
    """An encoder stack over src and a decoder stack over tgt attending to the encoder's
    output, as PyTorch's nn.Transformer: encoder = TransformerEncoder(num_encoder_layers
    layers, a final LayerNorm), decoder = TransformerDecoder(num_decoder_layers layers, a final
    LayerNorm), or custom_encoder / custom_decoder.  Every parameter with more than one
    dimension starts xavier-uniform (PyTorch's _reset_parameters).

    >>> model = Transformer(d_model=16, nhead=4, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=32)
    >>> model(fastgrad.randn(7, 2, 16), fastgrad.randn(5, 2, 16)).shape
    (5, 2, 16)
    """

    def __init__(self, d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6, dim_feedforward=2048,
                 dropout=0.1, activation="relu", custom_encoder=None, custom_decoder=None, layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        layer_arguments = dict(dim_feedforward=dim_feedforward, dropout=dropout, activation=activation,
                               layer_norm_eps=layer_norm_eps, batch_first=batch_first, norm_first=norm_first,
                               bias=bias, dtype=dtype)

        def stack(custom, stack_class, layer_class, num_layers):
            if custom is not None:
                return custom
            return stack_class(layer_class(d_model, nhead, **layer_arguments), num_layers,
                               LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype))

        self.encoder = stack(custom_encoder, TransformerEncoder, TransformerEncoderLayer, num_encoder_layers)
        self.decoder = stack(custom_decoder, TransformerDecoder, TransformerDecoderLayer, num_decoder_layers)
        self._reset_parameters()
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first
        self._place_on(device)

    def _reset_parameters(self):
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p)

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None, src_key_padding_mask=None,
                tgt_key_padding_mask=None, memory_key_padding_mask=None, src_is_causal=None, tgt_is_causal=None,
                memory_is_causal=False):
        for name, a in (("src", src), ("tgt", tgt)):
            if not hasattr(a, "ndim"):
                raise TypeError(f"Transformer: argument '{name}' must be a Tensor or an array, got "
                                f"{type(a).__name__}")
        batch_axis = 0 if self.batch_first else 1
        if src.ndim == 3 and (tgt.ndim != 3 or src.shape[batch_axis] != tgt.shape[batch_axis]):
            raise ValueError(f"Transformer: the batch sizes of src {tuple(src.shape)} and tgt {tuple(tgt.shape)} "
                             f"must be equal (batch_first={self.batch_first})")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise ValueError(f"Transformer: the feature number of src {tuple(src.shape)} and tgt "
                             f"{tuple(tgt.shape)} must be equal to d_model ({self.d_model})")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
                            memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz, device=None, dtype=None):
        """The (sz, sz) causal mask: -inf above the diagonal (a later position), 0 elsewhere."""
        if not isinstance(sz, int) or isinstance(sz, bool) or sz < 0:
            raise ValueError(f"Transformer.generate_square_subsequent_mask: argument 'sz' must be an int >= 0, "
                             f"got {sz!r}")
        dtype = np.dtype(dtype) if dtype is not None else get_default_dtype()
        mask = Tensor(np.triu(np.full((sz, sz), -np.inf, dtype=dtype), k=1))
        return mask if device is None else mask.to(device)
