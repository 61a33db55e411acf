"""MultiheadAttention, TransformerEncoderLayer and TransformerEncoder: PyTorch's parameter names,
shapes and initialisation, state_dicts loaded both ways, and outputs, attention weights, input
gradients and every parameter gradient against PyTorch's modules (float64), with masks."""
import math

import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn
from torch_parity import check_outputs_and_gradients, copy_weights

TOL = dict(rtol=1e-9, atol=1e-11)


def _to_peer(torch, mine, peer):
    peer.load_state_dict({k: torch.tensor(np.array(v.data)) for k, v in mine.state_dict().items()})


def _masks(rng, case, n, heads, length, source):
    """(key_padding_mask, attn_mask) as NumPy arrays for a case."""
    if case == "none":
        return None, None
    if case == "bool":
        kpm = np.zeros((n, source), bool)
        kpm[0, -2:] = True
        return kpm, np.triu(np.ones((length, source), bool), 1)
    if case == "float":
        return rng.standard_normal((n, source)), rng.standard_normal((length, source))
    if case == "per_head":
        return None, rng.standard_normal((n * heads, length, source))
    raise AssertionError(case)


CONFIGS = [dict(), dict(batch_first=True), dict(bias=False), dict(kdim=3, vdim=5), dict(kdim=3, batch_first=True)]


@pytest.mark.parametrize("need_weights, average", [(True, True), (True, False), (False, True)],
                         ids=["averaged_weights", "per_head_weights", "fused"])
@pytest.mark.parametrize("masks", ["none", "bool", "float", "per_head"])
@pytest.mark.parametrize("config", CONFIGS, ids=str)
def test_multihead_attention_matches_pytorch(config, masks, need_weights, average, rng):
    torch = pytest.importorskip("torch")
    embed, heads, n, length, source = 8, 2, 3, 4, 5
    peer = torch.nn.MultiheadAttention(embed, heads, **config).double()
    mine = nn.MultiheadAttention(embed, heads, dtype=np.float64, **config)
    copy_weights(mine, peer)
    kdim, vdim = config.get("kdim", embed), config.get("vdim", embed)
    bf = config.get("batch_first", False)
    shape = (lambda length, features: (n, length, features) if bf else (length, n, features))
    arrays = [rng.standard_normal(shape(length, embed)), rng.standard_normal(shape(source, kdim)),
              rng.standard_normal(shape(source, vdim))]
    inputs_m = [fg.tensor(a, requires_grad=True) for a in arrays]
    inputs_t = [torch.tensor(a, requires_grad=True) for a in arrays]
    kpm, am = _masks(rng, masks, n, heads, length, source)
    kwargs = dict(need_weights=need_weights, average_attn_weights=average)
    got = mine(*inputs_m, key_padding_mask=kpm, attn_mask=am, **kwargs)
    expected = peer(*inputs_t, key_padding_mask=None if kpm is None else torch.tensor(kpm),
                    attn_mask=None if am is None else torch.tensor(am), **kwargs)
    check_outputs_and_gradients(torch, mine, peer, got, expected, inputs_m, inputs_t, rng, TOL)


def test_self_attention_unbatched_and_causal_hint_match_pytorch(rng):
    torch = pytest.importorskip("torch")
    peer = torch.nn.MultiheadAttention(6, 3).double()
    mine = nn.MultiheadAttention(6, 3, dtype=np.float64)
    copy_weights(mine, peer)
    causal = np.triu(np.ones((4, 4), bool), 1)
    for x in (rng.standard_normal((4, 6)), rng.standard_normal((4, 2, 6))):
        xm, xt = fg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        got = mine(xm, xm, xm, attn_mask=causal, is_causal=True, need_weights=False)
        expected = peer(xt, xt, xt, attn_mask=torch.tensor(causal), is_causal=True, need_weights=False)
        check_outputs_and_gradients(torch, mine, peer, got, expected, [xm], [xt], rng, TOL)
        mine.zero_grad()
        peer.zero_grad()


def test_float_attn_mask_gets_its_gradient(rng):
    torch = pytest.importorskip("torch")
    peer = torch.nn.MultiheadAttention(4, 2, batch_first=True).double()
    mine = nn.MultiheadAttention(4, 2, batch_first=True, dtype=np.float64)
    copy_weights(mine, peer)
    x, bias = rng.standard_normal((2, 3, 4)), rng.standard_normal((3, 3))
    bm, bt = fg.tensor(bias, requires_grad=True), torch.tensor(bias, requires_grad=True)
    for need_weights in (False, True):
        mine(fg.tensor(x), fg.tensor(x), fg.tensor(x), attn_mask=bm, need_weights=need_weights)[0].sum().backward()
        peer(torch.tensor(x), torch.tensor(x), torch.tensor(x), attn_mask=bt,
             need_weights=need_weights)[0].sum().backward()
        np.testing.assert_allclose(bm.grad.data, bt.grad.numpy(), **TOL)


def test_initialisation_and_state_dict_both_ways(rng):
    torch = pytest.importorskip("torch")
    fg.manual_seed(0)
    mine = nn.MultiheadAttention(64, 4)
    peer = torch.nn.MultiheadAttention(64, 4)
    assert [(k, tuple(v.shape)) for k, v in mine.state_dict().items()] == \
           [(k, tuple(v.shape)) for k, v in peer.state_dict().items()]
    bound = math.sqrt(6 / (64 + 3 * 64))  # xavier_uniform_ over the (3E, E) in_proj_weight
    w = mine.in_proj_weight.data
    assert w.dtype == np.float32 and np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert (mine.in_proj_bias.data == 0).all() and (mine.out_proj.bias.data == 0).all()
    assert np.abs(mine.out_proj.weight.data).max() <= 1 / math.sqrt(64)
    _to_peer(torch, mine, peer)
    for k, v in peer.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), mine.state_dict()[k].data)
    split = nn.MultiheadAttention(8, 2, kdim=3, vdim=5, bias=False)
    assert list(split.state_dict()) == ["q_proj_weight", "k_proj_weight", "v_proj_weight", "out_proj.weight"]
    assert split.in_proj_weight is None and split.in_proj_bias is None


@pytest.mark.parametrize("config", [dict(), dict(activation="gelu", norm_first=True), dict(batch_first=True),
                                    dict(bias=False, layer_norm_eps=1e-3, activation=lambda x: x.tanh())], ids=str)
def test_transformer_encoder_layer_matches_pytorch(config, rng):
    torch = pytest.importorskip("torch")
    args = (8, 2)
    kwargs = dict(dim_feedforward=12, dropout=0.0, **config)
    torch_kwargs = dict(kwargs)
    if callable(config.get("activation")):
        torch_kwargs["activation"] = torch.tanh
    peer = torch.nn.TransformerEncoderLayer(*args, **torch_kwargs).double()
    mine = nn.TransformerEncoderLayer(*args, dtype=np.float64, **kwargs)
    copy_weights(mine, peer)
    x = rng.standard_normal((3, 5, 8))
    kpm = np.zeros((5, 3) if not config.get("batch_first") else (3, 5))
    kpm[1, -1] = -np.inf
    xm, xt = fg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    mask = rng.standard_normal((3, 3) if not config.get("batch_first") else (5, 5))
    got = mine(xm, src_mask=mask, src_key_padding_mask=kpm)
    expected = peer(xt, src_mask=torch.tensor(mask), src_key_padding_mask=torch.tensor(kpm))
    check_outputs_and_gradients(torch, mine, peer, [got], [expected], [xm], [xt], rng, TOL)


def test_transformer_encoder_matches_pytorch_with_a_final_norm(rng):
    torch = pytest.importorskip("torch")
    layer_t = torch.nn.TransformerEncoderLayer(8, 4, 16, dropout=0.0, batch_first=True).double()
    peer = torch.nn.TransformerEncoder(layer_t, 2, norm=torch.nn.LayerNorm(8).double(), enable_nested_tensor=False)
    layer_m = nn.TransformerEncoderLayer(8, 4, 16, dropout=0.0, batch_first=True, dtype=np.float64)
    mine = nn.TransformerEncoder(layer_m, 2, norm=nn.LayerNorm(8, dtype=np.float64))
    np.testing.assert_array_equal(mine.layers[0].linear1.weight.data, mine.layers[1].linear1.weight.data)
    assert mine.layers[0].linear1.weight is not mine.layers[1].linear1.weight
    copy_weights(mine, peer)
    x = rng.standard_normal((2, 6, 8))
    causal = np.triu(np.full((6, 6), -np.inf), 1)
    xm, xt = fg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    got = mine(xm, mask=causal, is_causal=True)
    expected = peer(xt, mask=torch.tensor(causal), is_causal=True)
    check_outputs_and_gradients(torch, mine, peer, [got], [expected], [xm], [xt], rng, TOL)


def test_dropout_is_active_in_training_only(rng):
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.5, batch_first=True)
    x = fg.tensor(rng.standard_normal((2, 5, 8)).astype(np.float32))
    layer.eval()
    np.testing.assert_array_equal(layer(x).data, layer(x).data)
    layer.train()
    assert not np.array_equal(layer(x).data, layer(x).data)
    mha = nn.MultiheadAttention(8, 2, dropout=0.5, batch_first=True)
    _, weights = mha(x, x, x, average_attn_weights=False)
    assert (weights.data == 0).any()  # the returned weights are the dropped-out ones, as PyTorch's
    mha.eval()
    np.testing.assert_allclose(mha(x, x, x)[1].data.sum(axis=-1), 1.0, rtol=1e-5)


BAD = [
    (lambda: nn.MultiheadAttention(10, 3), ValueError, "embed_dim (10) must be divisible by num_heads (3)"),
    (lambda: nn.MultiheadAttention(0, 1), ValueError, "must be positive ints"),
    (lambda: nn.MultiheadAttention(8, 2, dropout=2.0), ValueError, "dropout must be in [0, 1]"),
    (lambda: nn.MultiheadAttention(8, 2, add_bias_kv=True), NotImplementedError, "add_bias_kv"),
    (lambda: _mha()(fg.ones(4, 2, 6), fg.ones(4, 2, 8), fg.ones(4, 2, 8)), ValueError,
     "'query' has 6 features"),
    (lambda: _mha()(fg.ones(4, 2, 8), fg.ones(4, 8), fg.ones(4, 8)), ValueError, "must all be 3-d"),
    (lambda: _mha()(fg.ones(4, 2, 8), fg.ones(5, 2, 8), fg.ones(4, 2, 8)), ValueError, "must agree in all axes"),
    (lambda: _mha()(fg.ones(4, 2, 8), fg.ones(5, 3, 8), fg.ones(5, 3, 8)), ValueError, "different batch sizes"),
    (lambda: _mha()(fg.ones(4, 2, 8), fg.ones(4, 2, 8), fg.ones(4, 2, 8), key_padding_mask=np.ones((4, 2), bool)),
     ValueError, "'key_padding_mask' has shape (4, 2), expected (2, 4)"),
    (lambda: _mha()(fg.ones(4, 2, 8), fg.ones(4, 2, 8), fg.ones(4, 2, 8), attn_mask=np.ones((4, 5), bool)),
     ValueError, "'attn_mask' has shape (4, 5)"),
    (lambda: _mha()(fg.ones(4, 2, 8), fg.ones(4, 2, 8), fg.ones(4, 2, 8), attn_mask=np.ones((4, 4), int)),
     TypeError, "'attn_mask' must be a bool or floating mask"),
    (lambda: _mha()(fg.ones(4, 2, 8), fg.ones(4, 2, 8), fg.ones(4, 2, 8), is_causal=True), ValueError,
     "attn_mask is required"),
    (lambda: nn.TransformerEncoderLayer(8, 2, activation="swish"), ValueError, "should be relu/gelu"),
    (lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 4), -1), ValueError, "num_layers"),
]


def _mha():
    return nn.MultiheadAttention(8, 2)


@pytest.mark.parametrize("call, error, message", BAD, ids=[m for _, _, m in BAD])
def test_bad_input_is_refused_by_name(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
    assert str(info.value).split(":")[0] in ("MultiheadAttention", "TransformerEncoderLayer", "TransformerEncoder")


def test_attention_and_transformers_print_as_pytorchs():
    """print(model) of attention layers and transformer stacks gives PyTorch's text (out_proj is a
    Linear that PyTorch names NonDynamicallyQuantizableLinear; repeated layers print once)."""
    torch = pytest.importorskip("torch")
    for make in (lambda nn: nn.MultiheadAttention(8, 2, dropout=0.1),
                 lambda nn: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 2),
                 lambda nn: nn.Transformer(8, 2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=16)):
        assert repr(make(fg.nn)) == repr(make(torch.nn))
    assert isinstance(fg.nn.MultiheadAttention(8, 2).out_proj, fg.nn.Linear)
