"""Module hooks (forward pre-hooks, forward hooks, full backward hooks) with removable handles,
named_modules, requires_grad_, zero_grad(set_to_none=) and print(model), against PyTorch."""
import numpy as np
import pytest

import fastgrad as fg

from torch_parity import needs_torch, torch


def _model(T):
    T.manual_seed(0)
    model = T.nn.Sequential(T.nn.Linear(3, 4), T.nn.ReLU(), T.nn.Linear(4, 2))
    rng = np.random.default_rng(0)
    with T.no_grad():
        for p in model.parameters():
            p.copy_(T.tensor(rng.standard_normal(tuple(p.shape))))
    return model


def _np(t):
    return None if t is None else (t.detach().numpy().copy() if isinstance(t, torch.Tensor) else np.array(t.data))


@needs_torch
@pytest.mark.parametrize("input_needs_grad", [True, False])
def test_hooks_see_what_pytorchs_see(input_needs_grad):
    records = []
    for T in (fg, torch):
        model = _model(T)
        seen = []
        layer = model[2]
        layer.register_forward_pre_hook(lambda m, args: seen.append(("pre", _np(args[0]))))
        layer.register_forward_hook(lambda m, args, out: seen.append(("fwd", _np(out))))
        layer.register_full_backward_hook(
            lambda m, gi, go: seen.append(("bwd", [_np(g) for g in gi], [_np(g) for g in go])))
        x = T.tensor(np.linspace(-1, 1, 6).reshape(2, 3), dtype=T.float64 if T is fg else torch.float64)
        model.double()
        x.requires_grad_(input_needs_grad)
        (model(x) ** 2).sum().backward()
        records.append(seen)
    ours, theirs = records
    assert [r[0] for r in ours] == [r[0] for r in theirs] == ["pre", "fwd", "bwd"]
    for a, b in zip(ours, theirs):
        for u, v in zip(a[1:], b[1:]):
            if isinstance(v, list):
                assert len(u) == len(v)
                for p, q in zip(u, v):
                    assert (p is None) == (q is None)
                    if q is not None:
                        np.testing.assert_allclose(p, q, rtol=1e-12)
            else:
                np.testing.assert_allclose(u, v, rtol=1e-12)


def test_hooks_can_replace_args_output_and_grad_input_and_be_removed():
    model = fg.nn.Linear(2, 2)
    x = fg.tensor([[1.0, 2.0]], requires_grad=True)
    h1 = model.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
    h2 = model.register_forward_hook(lambda m, args, out: out * 0 + 1)
    h3 = model.register_full_backward_hook(lambda m, gi, go: tuple(g * 0 for g in gi))
    out = model(x)
    np.testing.assert_array_equal(out.data, [[1.0, 1.0]])
    (model.weight.sum() + (out * x.sum()).sum()).backward()
    assert np.asarray(x.grad).tolist() == [[2.0, 2.0]]   # through x.sum() only: the hook zeroed the rest
    for h in (h1, h2, h3):
        h.remove()
    assert not model._forward_pre_hooks and not model._forward_hooks and not model._backward_hooks
    np.testing.assert_allclose(model(x).data, x.data @ model.weight.data.T + model.bias.data, rtol=1e-6)


@needs_torch
def test_module_utilities_match_pytorch():
    ours, theirs = _model(fg), _model(torch)
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert repr(ours) == repr(theirs)
    ours.requires_grad_(False)
    assert not any(p.requires_grad for p in ours.parameters())
    ours.requires_grad_()
    (ours(fg.ones(1, 3)).sum()).backward()
    ours.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not np.any(np.asarray(p.grad)) for p in ours.parameters())
    ours.zero_grad()
    assert all(p.grad is None for p in ours.parameters())
