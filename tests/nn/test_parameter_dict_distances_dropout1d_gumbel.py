"""nn.ParameterDict, nn.Dropout1d (F.dropout1d), nn.CosineSimilarity, nn.PairwiseDistance and
F.gumbel_softmax: against PyTorch where no random draw is involved, by their defining
properties where one is, and on bad arguments."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
from fastgrad import nn
from torch_parity import check_against_torch

TOL = dict(rtol=1e-10, atol=1e-12)


# ---- ParameterDict ---------------------------------------------------------------------------

def test_parameter_dict_registers_its_entries_as_pytorch_does():
    torch = pytest.importorskip("torch")
    values = {"b": np.ones(2), "a": np.zeros((2, 3))}
    mine = nn.ParameterDict({k: fg.tensor(v) for k, v in values.items()})
    theirs = torch.nn.ParameterDict({k: torch.nn.Parameter(torch.tensor(v)) for k, v in values.items()})
    assert list(mine) == list(theirs) == ["a", "b"]   # a plain dict is added in sorted key order
    assert all(isinstance(p, nn.Parameter) for p in mine.values())

    class Owner(nn.Module):
        def __init__(self):
            super().__init__()
            self.scales = mine

    owner = Owner()
    assert [n for n, _ in owner.named_parameters()] == ["scales.a", "scales.b"]
    assert list(owner.state_dict()) == ["scales.a", "scales.b"]
    mine["c"] = fg.ones(1)
    mine.update([("z", fg.ones(1)), ("d", fg.ones(1))])   # pairs keep their order
    assert list(mine) == ["a", "b", "c", "z", "d"]
    assert "c" in mine and len(mine) == 5 and mine.get("missing") is None
    popped = mine.pop("z")
    assert isinstance(popped, nn.Parameter) and "z" not in mine
    del mine["d"]
    assert list(owner.state_dict()) == ["scales.a", "scales.b", "scales.c"]
    assert mine.copy()["a"] is mine["a"]
    assert repr(mine).startswith("ParameterDict(\n    (a): Parameter containing:")


def test_parameter_dict_parameters_train():
    scales = nn.ParameterDict({"w": fg.tensor([2.0])})
    opt = fg.optim.SGD(scales.parameters(), lr=0.1)
    (scales["w"] ** 2).sum().backward()
    opt.step()
    np.testing.assert_allclose(scales["w"].numpy(), [1.6], rtol=1e-6)


@pytest.mark.parametrize("call, kind, message", [
    (lambda d: d.__setitem__(1, fg.ones(1)), TypeError, "ParameterDict: keys must be str"),
    (lambda d: d.__setitem__("x", None), TypeError, "ParameterDict: cannot hold None"),
    (lambda d: d["missing"], KeyError, "ParameterDict: no parameter named 'missing'"),
    (lambda d: d.update(3), TypeError, "ParameterDict.update: expects a mapping"),
    (lambda d: d.update([("a", fg.ones(1), 3)]), ValueError, "ParameterDict.update: element 0"),
])
def test_parameter_dict_refuses_bad_entries(call, kind, message):
    with pytest.raises(kind, match=message):
        call(nn.ParameterDict({"a": fg.ones(1)}))


# ---- Dropout1d -------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(4, 8, 5), (8, 5)])
def test_dropout1d_drops_whole_channels_and_scales_the_rest(shape):
    fg.manual_seed(0)
    layer = nn.Dropout1d(p=0.5)
    x = fg.ones(*shape, requires_grad=True)
    y = layer(x)
    rows = y.numpy().reshape(-1, shape[-1])
    assert set(np.unique(rows)) <= {0.0, 2.0}
    assert np.all(rows.min(axis=1) == rows.max(axis=1))   # one draw per channel
    assert 0 < (rows[:, 0] == 0).sum() < rows.shape[0]
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.numpy())
    layer.eval()
    assert layer(x) is x


def test_dropout1d_in_place_and_bad_arguments():
    fg.manual_seed(1)
    x = fg.ones(2, 6, 3)
    assert F.dropout1d(x, 0.5, inplace=True) is x
    assert set(np.unique(x.numpy())) <= {0.0, 2.0}
    with pytest.raises(RuntimeError, match=r"dropout1d: expects a 2-d \(C, L\) or 3-d"):
        F.dropout1d(fg.ones(2, 3, 4, 5))
    with pytest.raises(ValueError, match="dropout1d: probability"):
        F.dropout1d(fg.ones(2, 3), p=1.5)


# ---- CosineSimilarity, PairwiseDistance ----------------------------------------------------------

@pytest.mark.parametrize("name, kwargs, shapes", [
    ("CosineSimilarity", {}, [(4, 5), (4, 5)]),
    ("CosineSimilarity", dict(dim=-1, eps=1e-6), [(2, 3, 5), (5,)]),
    ("PairwiseDistance", {}, [(4, 5), (4, 5)]),
    ("PairwiseDistance", dict(p=1.0, keepdim=True), [(3, 4), (1, 4)]),
    ("PairwiseDistance", dict(p=3.0, eps=1e-3), [(6,), (6,)]),
])
def test_distance_modules_match_pytorch(name, kwargs, shapes, rng):
    torch = pytest.importorskip("torch")
    mine, theirs = getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs)
    assert repr(mine) == repr(theirs)
    check_against_torch(torch, mine, theirs, [rng.standard_normal(s) for s in shapes], rng, TOL)


# ---- gumbel_softmax --------------------------------------------------------------------------

def test_gumbel_softmax_soft_sample_is_a_distribution_with_a_gradient(rng):
    logits = fg.tensor(rng.standard_normal((3, 5)), requires_grad=True)
    y = F.gumbel_softmax(logits, tau=0.7)
    np.testing.assert_allclose(y.numpy().sum(axis=-1), 1.0, rtol=1e-12)
    assert np.all(y.numpy() > 0)
    state = fg.get_rng_state()

    def with_the_same_noise(t):
        fg.set_rng_state(state)
        return F.gumbel_softmax(t, tau=0.7)

    assert fg.gradcheck(with_the_same_noise, [logits])


def test_gumbel_softmax_hard_is_one_hot_with_the_soft_gradient(rng):
    logits = rng.standard_normal((4, 6))
    weights = fg.tensor(rng.standard_normal((4, 6)))
    state = fg.get_rng_state()
    hard_in = fg.tensor(logits, requires_grad=True)
    hard = F.gumbel_softmax(hard_in, tau=0.5, hard=True, dim=1)
    (hard * weights).sum().backward()
    fg.set_rng_state(state)
    soft_in = fg.tensor(logits, requires_grad=True)
    soft = F.gumbel_softmax(soft_in, tau=0.5, dim=1)
    (soft * weights).sum().backward()
    values = hard.numpy()
    np.testing.assert_array_equal(values.sum(axis=1), 1.0)
    np.testing.assert_array_equal(values.argmax(axis=1), soft.numpy().argmax(axis=1))
    assert set(np.unique(values)) == {0.0, 1.0}
    np.testing.assert_allclose(hard_in.grad.numpy(), soft_in.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_gumbel_softmax_hard_samples_follow_softmax_of_the_logits():
    fg.manual_seed(5)
    logits = np.log(np.array([0.5, 0.3, 0.2]))
    draws = F.gumbel_softmax(fg.tensor(np.tile(logits, (20000, 1))), hard=True).numpy()
    np.testing.assert_allclose(draws.mean(axis=0), [0.5, 0.3, 0.2], atol=0.015)


@pytest.mark.parametrize("call, kind, message", [
    (lambda: F.gumbel_softmax(fg.ones(3), tau=0), ValueError, "gumbel_softmax: argument 'tau'"),
    (lambda: F.gumbel_softmax(fg.tensor([1, 2])), TypeError, "gumbel_softmax: argument 'logits' must be floating"),
    (lambda: F.gumbel_softmax(fg.tensor(1.0)), ValueError, "gumbel_softmax: argument 'logits' must have"),
    (lambda: F.gumbel_softmax(fg.ones(3), dim=1), ValueError, "gumbel_softmax"),
])
def test_gumbel_softmax_refuses_bad_arguments(call, kind, message):
    with pytest.raises(kind, match=message):
        call()
