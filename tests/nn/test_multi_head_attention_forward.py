"""F.multi_head_attention_forward (nn.MultiheadAttention's forward over given weights) against
PyTorch: outputs, attention weights and the gradients of the inputs and of every weight."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

E, H = 8, 2


def _weights(rng, separate, kdim=E, vdim=E, bias=True):
    w = {"in_proj_weight": None if separate else rng.standard_normal((3 * E, E)) * 0.3,
         "in_proj_bias": rng.standard_normal(3 * E) * 0.1 if bias else None,
         "out_proj_weight": rng.standard_normal((E, E)) * 0.3,
         "out_proj_bias": rng.standard_normal(E) * 0.1 if bias else None}
    if separate:
        w.update(q_proj_weight=rng.standard_normal((E, E)) * 0.3, k_proj_weight=rng.standard_normal((E, kdim)) * 0.3,
                 v_proj_weight=rng.standard_normal((E, vdim)) * 0.3)
    return w


def _call(lib, fn, query, key, value, weights, **kwargs):
    tensor = fg.tensor if lib == "fg" else torch.tensor
    made = {k: None if v is None else tensor(v, requires_grad=True) for k, v in weights.items()}
    inputs = [tensor(a, requires_grad=True) for a in (query, key, value)]
    args = dict(made)
    in_w, in_b = args.pop("in_proj_weight"), args.pop("in_proj_bias")
    out_w, out_b = args.pop("out_proj_weight"), args.pop("out_proj_bias")
    out, attn = fn(*inputs, E, H, in_w, in_b, None, None, False, 0.0, out_w, out_b,
                   use_separate_proj_weight="q_proj_weight" in args, **args, **kwargs)
    return out, attn, inputs, made


CASES = [
    dict(),
    dict(need_weights=False),
    dict(average_attn_weights=False),
    dict(key_padding_mask="bool"),
    dict(attn_mask="float"),
    dict(attn_mask="bool", key_padding_mask="bool", need_weights=False),
]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("separate", [False, True])
@pytest.mark.parametrize("batched", [True, False])
def test_matches_torch(case, separate, batched):
    rng = np.random.default_rng(0)
    kdim, vdim = (6, 5) if separate else (E, E)
    length, source, n = 4, 5, 3
    lead = lambda size: (size, n) if batched else (size,)   # noqa: E731
    query = rng.standard_normal(lead(length) + (E,))
    key, value = rng.standard_normal(lead(source) + (kdim,)), rng.standard_normal(lead(source) + (vdim,))
    weights = _weights(rng, separate, kdim, vdim)
    kwargs = {}
    if case.get("key_padding_mask"):
        mask = np.zeros((n, source) if batched else (source,), bool)
        mask[..., -1] = True
        kwargs["key_padding_mask"] = mask
    if case.get("attn_mask") == "float":
        kwargs["attn_mask"] = rng.standard_normal((length, source))
    elif case.get("attn_mask") == "bool":
        kwargs["attn_mask"] = np.triu(np.ones((length, source), bool), 2)
    for flag in ("need_weights", "average_attn_weights"):
        if flag in case:
            kwargs[flag] = case[flag]
    ours = _call("fg", F.multi_head_attention_forward, query, key, value, weights,
                 **{k: (fg.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()})
    theirs = _call("torch", TF.multi_head_attention_forward, query, key, value, weights,
                   **{k: (torch.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()})
    (out, attn, inputs, made), (tout, tattn, tinputs, tmade) = ours, theirs
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-9, atol=1e-10)
    assert (attn is None) == (tattn is None)
    if attn is not None:
        np.testing.assert_allclose(attn.detach().numpy(), tattn.detach().numpy(), rtol=1e-9, atol=1e-10)
    g = rng.standard_normal(tuple(tout.shape))
    (out * fg.tensor(g)).sum().backward()
    (tout * torch.tensor(g)).sum().backward()
    for a, t in zip(inputs, tinputs):
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-8, atol=1e-10)
    for name, t in tmade.items():
        if t is not None:
            np.testing.assert_allclose(made[name].grad.numpy(), t.grad.numpy(), rtol=1e-8, atol=1e-10, err_msg=name)


def test_gradcheck_and_eval_mode_dropout():
    rng = np.random.default_rng(1)
    weights = {k: fg.tensor(v, requires_grad=True) for k, v in _weights(rng, False).items()}
    x = fg.tensor(rng.standard_normal((3, 2, E)), requires_grad=True)

    def attend(a, w_in, w_out):
        return F.multi_head_attention_forward(a, a, a, E, H, w_in, weights["in_proj_bias"], None, None, False, 0.5,
                                              w_out, weights["out_proj_bias"], training=False)[0]

    assert fg.gradcheck(attend, [x, weights["in_proj_weight"], weights["out_proj_weight"]])


def test_float32_and_unsupported_arguments():
    rng = np.random.default_rng(2)
    w = {k: fg.tensor(v.astype(np.float32)) for k, v in _weights(rng, False).items()}
    x = fg.tensor(rng.standard_normal((3, 2, E)).astype(np.float32))
    out, attn = F.multi_head_attention_forward(x, x, x, E, H, w["in_proj_weight"], w["in_proj_bias"], None, None,
                                               False, 0.0, w["out_proj_weight"], w["out_proj_bias"])
    assert out.dtype == fg.float32 and out.shape == (3, 2, E) and attn.shape == (2, 3, 3)
    args = (x, x, x, E, H, w["in_proj_weight"], w["in_proj_bias"])
    with pytest.raises(NotImplementedError, match="bias_k"):
        F.multi_head_attention_forward(*args, fg.ones(1, 1, E), None, False, 0.0, w["out_proj_weight"], None)
    with pytest.raises(NotImplementedError, match="static_k"):
        F.multi_head_attention_forward(*args, None, None, False, 0.0, w["out_proj_weight"], None, static_k=x)
    with pytest.raises(ValueError, match="embed_dim_to_check"):
        F.multi_head_attention_forward(x, x, x, E + 1, H, *args[5:], None, None, False, 0.0, w["out_proj_weight"],
                                       None)
    with pytest.raises(ValueError, match="use_separate_proj_weight=True needs"):
        F.multi_head_attention_forward(x, x, x, E, H, None, None, None, None, False, 0.0, w["out_proj_weight"], None,
                                       use_separate_proj_weight=True)
