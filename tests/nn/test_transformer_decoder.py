"""TransformerDecoderLayer, TransformerDecoder and Transformer: PyTorch's parameter names and
initialisation, and outputs, input gradients and every parameter gradient against PyTorch's
modules with the same weights (float64), with masks, key padding masks, norm_first and batch_first."""
import math

import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn
from torch_parity import check_outputs_and_gradients, copy_weights

TOL = dict(rtol=1e-9, atol=1e-11)
E, HEADS, FF = 8, 2, 16


def _masks(rng, kind, n, length, source, batch_first):
    """The four masks of a decoder call, as NumPy arrays (or None)."""
    if kind == "none":
        return dict()
    tgt_kpm, mem_kpm = np.zeros((n, length), bool), np.zeros((n, source), bool)
    tgt_kpm[0, -1] = True
    mem_kpm[-1, -2:] = True
    if kind == "bool":
        return dict(tgt_mask=np.triu(np.ones((length, length), bool), 1), tgt_key_padding_mask=tgt_kpm,
                    memory_mask=rng.random((length, source)) < 0.2, memory_key_padding_mask=mem_kpm)
    return dict(tgt_mask=rng.standard_normal((length, length)), memory_mask=rng.standard_normal((length, source)),
                tgt_key_padding_mask=np.where(tgt_kpm, -np.inf, 0.0),
                memory_key_padding_mask=np.where(mem_kpm, -np.inf, 0.0))


def _sequences(rng, n, length, source, batch_first, batched=True):
    if not batched:
        return rng.standard_normal((length, E)), rng.standard_normal((source, E))
    if batch_first:
        return rng.standard_normal((n, length, E)), rng.standard_normal((n, source, E))
    return rng.standard_normal((length, n, E)), rng.standard_normal((source, n, E))


@pytest.mark.parametrize("config, masks", [
    (dict(), "none"),
    (dict(), "bool"),
    (dict(norm_first=True), "float"),
    (dict(batch_first=True), "bool"),
    (dict(batch_first=True, norm_first=True, activation="gelu"), "float"),
    (dict(bias=False, layer_norm_eps=1e-3), "bool"),
    (dict(activation="tanh"), "float"),
])
def test_decoder_layer_matches_pytorch(config, masks, rng):
    torch = pytest.importorskip("torch")
    kwargs = dict(config, dropout=0.0)
    torch_kwargs = dict(kwargs)
    if kwargs.get("activation") == "tanh":  # a callable
        kwargs["activation"], torch_kwargs["activation"] = fg.tanh, torch.tanh
    peer = torch.nn.TransformerDecoderLayer(E, HEADS, FF, **torch_kwargs).double()
    mine = nn.TransformerDecoderLayer(E, HEADS, FF, dtype=np.float64, **kwargs)
    copy_weights(mine, peer)
    n, length, source = 3, 4, 6
    tgt, memory = _sequences(rng, n, length, source, config.get("batch_first", False))
    mask_arrays = _masks(rng, masks, n, length, source, config.get("batch_first", False))
    tm, mm = fg.tensor(tgt, requires_grad=True), fg.tensor(memory, requires_grad=True)
    tt, mt = torch.tensor(tgt, requires_grad=True), torch.tensor(memory, requires_grad=True)
    got = mine(tm, mm, **mask_arrays)
    expected = peer(tt, mt, **{k: torch.tensor(v) for k, v in mask_arrays.items()})
    check_outputs_and_gradients(torch, mine, peer, [got], [expected], [tm, mm], [tt, mt], rng, TOL)


def test_decoder_layer_unbatched_and_causal_hint_match_pytorch(rng):
    torch = pytest.importorskip("torch")
    peer = torch.nn.TransformerDecoderLayer(E, HEADS, FF, dropout=0.0, norm_first=True).double()
    mine = nn.TransformerDecoderLayer(E, HEADS, FF, dropout=0.0, norm_first=True, dtype=np.float64)
    copy_weights(mine, peer)
    tgt, memory = _sequences(rng, None, 5, 3, False, batched=False)
    causal = np.triu(np.full((5, 5), -np.inf), 1)
    tm, mm = fg.tensor(tgt, requires_grad=True), fg.tensor(memory, requires_grad=True)
    tt, mt = torch.tensor(tgt, requires_grad=True), torch.tensor(memory, requires_grad=True)
    got = mine(tm, mm, tgt_mask=causal, tgt_is_causal=True)
    expected = peer(tt, mt, tgt_mask=torch.tensor(causal), tgt_is_causal=True)
    check_outputs_and_gradients(torch, mine, peer, [got], [expected], [tm, mm], [tt, mt], rng, TOL)


def test_decoder_layer_parameters_are_pytorchs():
    torch = pytest.importorskip("torch")
    mine, peer = nn.TransformerDecoderLayer(E, HEADS, FF), torch.nn.TransformerDecoderLayer(E, HEADS, FF)
    assert [(k, tuple(v.shape)) for k, v in mine.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in peer.state_dict().items()]
    assert mine.linear1.weight.dtype == np.float32
    no_bias = nn.TransformerDecoderLayer(E, HEADS, FF, bias=False)
    assert list(no_bias.state_dict()) == list(torch.nn.TransformerDecoderLayer(E, HEADS, FF, bias=False).state_dict())


@pytest.mark.parametrize("batch_first", [False, True])
def test_decoder_stack_matches_pytorch_with_a_final_norm(batch_first, rng):
    torch = pytest.importorskip("torch")
    layer_t = torch.nn.TransformerDecoderLayer(E, HEADS, FF, dropout=0.0, batch_first=batch_first).double()
    peer = torch.nn.TransformerDecoder(layer_t, 2, norm=torch.nn.LayerNorm(E).double())
    layer_m = nn.TransformerDecoderLayer(E, HEADS, FF, dropout=0.0, batch_first=batch_first, dtype=np.float64)
    mine = nn.TransformerDecoder(layer_m, 2, norm=nn.LayerNorm(E, dtype=np.float64))
    np.testing.assert_array_equal(mine.layers[0].linear1.weight.data, mine.layers[1].linear1.weight.data)
    assert mine.layers[0].linear1.weight is not mine.layers[1].linear1.weight
    copy_weights(mine, peer)
    n, length, source = 2, 5, 4
    tgt, memory = _sequences(rng, n, length, source, batch_first)
    masks = _masks(rng, "bool", n, length, source, batch_first)
    tm, mm = fg.tensor(tgt, requires_grad=True), fg.tensor(memory, requires_grad=True)
    tt, mt = torch.tensor(tgt, requires_grad=True), torch.tensor(memory, requires_grad=True)
    got = mine(tm, mm, **masks)
    expected = peer(tt, mt, **{k: torch.tensor(v) for k, v in masks.items()})
    check_outputs_and_gradients(torch, mine, peer, [got], [expected], [tm, mm], [tt, mt], rng, TOL)


@pytest.mark.parametrize("config", [dict(), dict(batch_first=True, norm_first=True, activation="gelu")])
def test_transformer_matches_pytorch(config, rng):
    torch = pytest.importorskip("torch")
    args = dict(d_model=E, nhead=HEADS, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=FF, dropout=0.0,
                **config)
    peer = torch.nn.Transformer(**args).double()
    mine = nn.Transformer(**args, dtype=np.float64)
    copy_weights(mine, peer)
    n, source, length = 3, 6, 5
    batch_first = config.get("batch_first", False)
    src, tgt = _sequences(rng, n, source, length, batch_first)
    src_kpm = np.zeros((n, source), bool)
    src_kpm[1, -2:] = True
    tgt_mask = nn.Transformer.generate_square_subsequent_mask(length, dtype=np.float64)
    masks_m = dict(tgt_mask=tgt_mask, src_key_padding_mask=src_kpm, memory_key_padding_mask=src_kpm)
    masks_t = dict(tgt_mask=torch.nn.Transformer.generate_square_subsequent_mask(length, dtype=torch.float64),
                   src_key_padding_mask=torch.tensor(src_kpm), memory_key_padding_mask=torch.tensor(src_kpm))
    np.testing.assert_array_equal(tgt_mask.data, masks_t["tgt_mask"].numpy())
    sm, tm = fg.tensor(src, requires_grad=True), fg.tensor(tgt, requires_grad=True)
    st, tt = torch.tensor(src, requires_grad=True), torch.tensor(tgt, requires_grad=True)
    got = mine(sm, tm, tgt_is_causal=True, **masks_m)
    expected = peer(st, tt, tgt_is_causal=True, **masks_t)
    check_outputs_and_gradients(torch, mine, peer, [got], [expected], [sm, tm], [st, tt], rng, TOL)


def test_transformer_initialisation_and_keys_are_pytorchs():
    torch = pytest.importorskip("torch")
    fg.manual_seed(0)
    mine = nn.Transformer(d_model=16, nhead=4, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=64)
    peer = torch.nn.Transformer(d_model=16, nhead=4, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=64)
    assert [(k, tuple(v.shape)) for k, v in mine.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in peer.state_dict().items()]
    w = mine.decoder.layers[0].linear1.weight.data  # xavier-uniform, not Linear's default
    bound = math.sqrt(6 / (16 + 64))
    assert np.abs(w).max() <= bound and w.std() > 0.8 * bound / math.sqrt(3)
    np.testing.assert_array_equal(mine.encoder.norm.weight.data, 1.0)
    assert (mine.d_model, mine.nhead, mine.batch_first) == (16, 4, False)
    custom = nn.Transformer(d_model=16, nhead=4, custom_encoder=nn.Identity(), num_decoder_layers=1)
    assert isinstance(custom.encoder, nn.Identity)


def test_square_subsequent_mask():
    mask = nn.Transformer.generate_square_subsequent_mask(3)
    assert mask.dtype == np.float32
    np.testing.assert_array_equal(mask.data, [[0, -np.inf, -np.inf], [0, 0, -np.inf], [0, 0, 0]])
    assert nn.Transformer.generate_square_subsequent_mask(0).shape == (0, 0)


def test_decoder_dropout_is_active_in_training_only(rng):
    layer = nn.TransformerDecoderLayer(E, HEADS, FF, dropout=0.5, batch_first=True)
    tgt, memory = (fg.tensor(a.astype(np.float32)) for a in _sequences(rng, 2, 4, 5, True))
    layer.eval()
    np.testing.assert_array_equal(layer(tgt, memory).data, layer(tgt, memory).data)
    layer.train()
    assert not np.array_equal(layer(tgt, memory).data, layer(tgt, memory).data)


BAD = [
    (lambda: nn.TransformerDecoderLayer(E, HEADS, activation="swish"), ValueError,
     "TransformerDecoderLayer: activation should be relu/gelu"),
    (lambda: nn.TransformerDecoderLayer(E, HEADS, activation=3), TypeError, "TransformerDecoderLayer: activation"),
    (lambda: nn.TransformerDecoder(nn.TransformerDecoderLayer(E, HEADS, FF), -1), ValueError,
     "TransformerDecoder: num_layers"),
    (lambda: nn.Transformer(E, HEADS, 1, 1, FF)(fg.ones(4, 2, E), fg.ones(3, 5, E)), ValueError,
     "Transformer: the batch sizes of src"),
    (lambda: nn.Transformer(E, HEADS, 1, 1, FF)(fg.ones(4, 2, E), fg.ones(3, 2, 6)), ValueError,
     "must be equal to d_model"),
    (lambda: nn.Transformer(E, HEADS, 1, 1, FF)(None, fg.ones(3, 2, E)), TypeError, "Transformer: argument 'src'"),
    (lambda: nn.Transformer.generate_square_subsequent_mask(-1), ValueError, "argument 'sz'"),
    (lambda: nn.TransformerDecoderLayer(E, HEADS, FF)(fg.ones(4, 2, E), fg.ones(3, 2, E), tgt_is_causal=True),
     ValueError, "attn_mask is required"),
]


@pytest.mark.parametrize("make, error, message", BAD)
def test_bad_arguments_are_refused_clearly(make, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        make()


def test_empty_batch_gives_an_empty_output_as_pytorch(rng):
    torch = pytest.importorskip("torch")
    peer = torch.nn.TransformerDecoderLayer(E, HEADS, FF, dropout=0.0, batch_first=True).double()
    mine = nn.TransformerDecoderLayer(E, HEADS, FF, dropout=0.0, batch_first=True, dtype=np.float64)
    copy_weights(mine, peer)
    tgt, memory = fg.zeros(0, 4, E, dtype=np.float64, requires_grad=True), fg.zeros(0, 5, E, dtype=np.float64)
    out = mine(tgt, memory)
    assert out.shape == tuple(peer(torch.zeros(0, 4, E, dtype=torch.float64),
                                   torch.zeros(0, 5, E, dtype=torch.float64)).shape) == (0, 4, E)
    out.sum().backward()
    assert tgt.grad.shape == (0, 4, E)
    np.testing.assert_array_equal(mine.linear1.weight.grad.data, 0.0)
