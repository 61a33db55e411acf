"""nn.utils.prune: masks, reparametrization, successive and global pruning, remove, against
torch.nn.utils.prune; random methods by count and seed; training keeps pruned entries at zero."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn
from fastgrad.nn.utils import prune

rng = np.random.default_rng(5)


def _linear(lib, weight, bias):
    m = lib.nn.Linear(weight.shape[1], weight.shape[0]).double()
    with lib.no_grad():
        m.weight.copy_(lib.tensor(weight))
        m.bias.copy_(lib.tensor(bias))
    return m


def _pruned_state(lib, prune_module, m):
    m(lib.tensor(np.linspace(-1, 1, 2 * m.in_features).reshape(2, -1))).sum().backward()
    state = (m.weight.detach().numpy().copy(), m.weight_mask.numpy().copy(), m.weight_orig.grad.numpy().copy(),
             list(m.state_dict()), [type(h).__name__ for h in m._forward_pre_hooks.values()], prune_module.is_pruned(m))
    prune_module.remove(m, "weight")
    return state + (list(m.state_dict()), m.weight.detach().numpy(), type(m.weight).__name__)


def _assert_equal_states(ours, theirs):
    for a, b in zip(ours, theirs):
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b)
        else:
            assert a == b


def test_successive_pruning_equals_pytorchs():
    torch_prune = pytest.importorskip("torch.nn.utils.prune")
    import torch

    weight, bias = rng.standard_normal((5, 8)), rng.standard_normal(5)
    states = []
    for lib, p in ((fg, prune), (torch, torch_prune)):
        m = _linear(lib, weight, bias)
        p.l1_unstructured(m, "weight", amount=0.3)
        p.l1_unstructured(m, "weight", amount=4)
        p.ln_structured(m, "weight", amount=1, n=2, dim=0)
        p.ln_structured(m, "weight", amount=0.25, n=1, dim=1)
        states.append(_pruned_state(lib, p, m))
    _assert_equal_states(*states)
    assert states[0][3] == ["bias", "weight_orig", "weight_mask"] and states[0][-1] == "Parameter"


def test_global_pruning_and_importance_scores_equal_pytorchs():
    torch_prune = pytest.importorskip("torch.nn.utils.prune")
    import torch

    w1, w2 = rng.standard_normal((4, 6)), rng.standard_normal((3, 4))
    scores = np.abs(rng.standard_normal((3, 4)))
    masks = []
    for lib, p in ((fg, prune), (torch, torch_prune)):
        a, b = _linear(lib, w1, np.zeros(4)), _linear(lib, w2, np.zeros(3))
        p.global_unstructured([(a, "weight"), (b, "weight")], pruning_method=p.L1Unstructured, amount=0.4)
        p.global_unstructured([(a, "weight"), (b, "bias")], pruning_method=p.L1Unstructured, amount=3)
        c = _linear(lib, w2, np.zeros(3))
        p.l1_unstructured(c, "weight", amount=5, importance_scores=lib.tensor(scores))
        masks.append([t.numpy() for t in (a.weight_mask, b.weight_mask, b.bias_mask, c.weight_mask)])
    for ours, theirs in zip(*masks):
        np.testing.assert_array_equal(ours, theirs)
    pruned = sum(int((m == 0).sum()) for m in masks[0][:3])
    assert pruned == round(0.4 * 36) + 3   # 40% of the two weights, then 3 more among the kept and the bias


def test_custom_mask_identity_and_prune_method():
    m = nn.Linear(3, 2)
    mask = fg.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    prune.custom_from_mask(m, "weight", mask)
    np.testing.assert_array_equal(m.weight.detach().numpy() == 0, mask.numpy() == 0)
    prune.identity(m, "bias")
    np.testing.assert_array_equal(m.bias_mask.numpy(), [1.0, 1.0])
    t = fg.tensor([[3.0, -1.0], [0.5, 2.0]])
    np.testing.assert_array_equal(prune.L1Unstructured(amount=2).prune(t).numpy(), [[3.0, 0.0], [0.0, 2.0]])


def test_random_methods_prune_the_right_counts_reproducibly():
    def masks(seed):
        fg.manual_seed(seed)
        conv = nn.Conv2d(4, 6, 3)
        prune.random_unstructured(conv, "weight", amount=0.25)
        prune.random_structured(conv, "weight", amount=2, dim=0)
        return conv.weight_mask.numpy()

    first = masks(0)
    per_channel = first.reshape(6, -1)
    assert (per_channel.sum(1) == 0).sum() == 2   # two whole output channels
    kept = per_channel[per_channel.sum(1) != 0]
    assert first.size - first.sum() >= round(0.25 * first.size)
    assert kept.shape == (4, 36)
    np.testing.assert_array_equal(first, masks(0))
    assert not np.array_equal(first, masks(1))


def test_training_keeps_pruned_entries_at_zero_and_state_dict_round_trips():
    fg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    prune.l1_unstructured(model[0], "weight", amount=0.5)
    opt = fg.optim.SGD(model.parameters(), lr=0.1)
    x, y = fg.randn(16, 4), fg.randn(16, 1)
    for _ in range(3):
        opt.zero_grad()
        ((model(x) - y) ** 2).mean().backward()
        opt.step()
    pruned = model[0].weight_mask.numpy() == 0
    assert pruned.sum() == 16 and np.all(model[0].weight.detach().numpy()[pruned] == 0)
    assert np.all(model[0].weight_orig.grad.numpy()[pruned] == 0)
    other = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    prune.identity(other[0], "weight")
    other.load_state_dict(model.state_dict())
    other(x), model(x)   # each hook recomputes weight from its orig and mask (after the last step, too)
    np.testing.assert_array_equal(other[0].weight.detach().numpy(), model[0].weight.detach().numpy())
    assert prune.is_pruned(model) and not prune.is_pruned(nn.Linear(2, 2))


def test_bad_arguments_are_refused():
    m = nn.Linear(3, 2)
    for amount in (-1, 1.5, "half"):
        with pytest.raises(ValueError, match="amount="):
            prune.l1_unstructured(m, "weight", amount=amount)
    with pytest.raises(ValueError, match="should be smaller than the number of parameters to prune=6"):
        prune.l1_unstructured(nn.Linear(3, 2), "weight", amount=7)
    with pytest.raises(ValueError, match="has to be pruned before pruning can be removed"):
        prune.remove(nn.Linear(3, 2), "weight")
    with pytest.raises(ValueError, match="Structured pruning can only be applied to multidimensional tensors"):
        prune.ln_structured(nn.Linear(3, 2), "bias", amount=1, n=2, dim=0)
    with pytest.raises(IndexError, match="Invalid index 3"):
        prune.ln_structured(nn.Linear(3, 2), "weight", amount=1, n=2, dim=3)
    with pytest.raises(TypeError, match="Only 'unstructured'"):
        prune.global_unstructured([(nn.Linear(3, 2), "weight")], prune.RandomStructured, amount=1)
    with pytest.raises(ValueError, match="importance_scores should have the same shape"):
        prune.l1_unstructured(nn.Linear(3, 2), "weight", amount=1, importance_scores=fg.ones(3))
