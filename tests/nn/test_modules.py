"""Module API: registration, traversal, modes, zero_grad, state_dict, to(dtype), repr."""
from collections import OrderedDict

import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.norm = nn.BatchNorm1d(3)
        self.scale = nn.Parameter(np.ones(3, np.float32))
        self.register_buffer("steps", fg.tensor(np.zeros(1)), persistent=False)

    def forward(self, x):
        return self.norm(self.fc(x)) * self.scale


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Block()
        self.head = nn.Sequential(nn.ReLU(), nn.Linear(3, 2))
        self.shared = self.head[1]           # the same module twice: its parameters count once

    def forward(self, x):
        return self.head(self.block(x))


def test_parameters_and_names():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["block.scale", "block.fc.weight", "block.fc.bias", "block.norm.weight", "block.norm.bias",
                     "head.1.weight", "head.1.bias"]
    assert len(list(net.parameters())) == 7
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in net.parameters())
    assert [n for n, _ in net.named_children()] == ["block", "head", "shared"]
    assert [n for n, _ in net.named_modules()] == ["", "block", "block.fc", "block.norm", "head", "head.0",
                                                   "head.1"]
    assert [n for n, _ in net.named_buffers()] == ["block.steps", "block.norm.running_mean", "block.norm.running_var",
                                                   "block.norm.num_batches_tracked"]
    assert len(list(net.block.parameters(recurse=False))) == 1


def test_train_eval_propagates():
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net and not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_zero_grad_and_requires_grad():
    net = Net()
    out = net(fg.randn(5, 4)).sum()
    out.backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(not np.any(p.grad) for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_state_dict_round_trip_and_strict():
    a, b = Net(), Net()
    sd = a.state_dict()
    assert list(sd) == ["block.scale", "block.fc.weight", "block.fc.bias", "block.norm.weight", "block.norm.bias",
                        "block.norm.running_mean", "block.norm.running_var", "block.norm.num_batches_tracked",
                        "head.1.weight", "head.1.bias", "shared.weight", "shared.bias"]
    assert not sd["block.fc.weight"].requires_grad
    weight_array = b.block.fc.weight._data
    result = b.load_state_dict(sd)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert b.block.fc.weight._data is weight_array          # copied in place
    for k, v in b.state_dict().items():
        np.testing.assert_array_equal(v._data, sd[k]._data)
    partial = OrderedDict((k, v) for k, v in sd.items() if not k.startswith(("head", "shared")))
    partial["extra"] = fg.zeros(1)
    with pytest.raises(RuntimeError, match="Missing key.*head.1.weight"):
        b.load_state_dict(partial)
    with pytest.raises(RuntimeError, match="Unexpected key.*extra"):
        b.load_state_dict(partial)
    missing, unexpected = b.load_state_dict(partial, strict=False)
    assert missing == ["head.1.weight", "head.1.bias", "shared.weight", "shared.bias"] and unexpected == ["extra"]
    bad = dict(sd)
    bad["head.1.weight"] = np.zeros((5, 5), np.float32)
    with pytest.raises(RuntimeError, match="size mismatch for head.1.weight"):
        b.load_state_dict(bad, strict=False)


def test_state_dict_matches_pytorch_names_and_loads_into_pytorch():
    torch = pytest.importorskip("torch")
    ours = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.LayerNorm(8), nn.Linear(8, 2))
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.LayerNorm(8),
                                 torch.nn.Linear(8, 2))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    theirs.load_state_dict({k: torch.tensor(v._data) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    np.testing.assert_allclose(ours(fg.tensor(x))._data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5,
                               atol=1e-6)


def test_to_dtype():
    net = Net()
    net(fg.randn(5, 4)).sum().backward()
    assert net.to(np.float64) is net
    assert all(p.dtype == np.float64 and p.grad.dtype == np.float64 for p in net.parameters())
    assert net.block.norm.running_mean.dtype == np.float64
    assert net.block.norm.num_batches_tracked.dtype == np.int64
    out = net(fg.tensor(np.ones((5, 4))))
    assert out.dtype == np.float64
    net.float()
    assert all(p.dtype == np.float32 for p in net.parameters())
    assert net.to("cpu") is net and net.cpu() is net
    assert net.to("cpu", np.float64).block.fc.weight.dtype == np.float64
    with pytest.raises(ValueError, match="device"):
        net.to("tpu:x")
    with pytest.raises(TypeError, match="floating"):
        net.to(np.int32)


def test_to_cuda_without_a_gpu_says_what_is_missing():
    from fastgrad.devices import cuda_is_available

    if cuda_is_available():
        pytest.skip("a GPU is present: tests/gpu covers moving modules")
    with pytest.raises(RuntimeError, match="CuPy|GPU"):
        nn.Linear(2, 2).to("cuda")


def test_repr_is_readable():
    net = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Dropout(0.1), nn.Linear(32, 1, bias=False))
    assert repr(net) == ("Sequential(\n"
                         "  (0): Linear(in_features=10, out_features=32, bias=True)\n"
                         "  (1): ReLU()\n"
                         "  (2): Dropout(p=0.1, inplace=False)\n"
                         "  (3): Linear(in_features=32, out_features=1, bias=False)\n"
                         ")")
    assert repr(nn.Parameter(np.zeros(2, np.float32))).startswith("Parameter containing:\ntensor(")


def test_module_list_prints_runs_of_equal_children_once():
    """As PyTorch prints a ModuleList: consecutive children that print alike are one `(i-j): n x` line."""
    blocks = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.ReLU(), nn.Sequential(nn.Tanh()),
                            nn.Sequential(nn.Tanh()), nn.Linear(2, 3)])
    assert repr(blocks) == ("ModuleList(\n"
                            "  (0-1): 2 x Linear(in_features=2, out_features=2, bias=True)\n"
                            "  (2): ReLU()\n"
                            "  (3-4): 2 x Sequential(\n"
                            "    (0): Tanh()\n"
                            "  )\n"
                            "  (5): Linear(in_features=2, out_features=3, bias=True)\n"
                            ")")
    assert repr(nn.ModuleList()) == "ModuleList()"
    torch = pytest.importorskip("torch")
    peer = torch.nn.ModuleList([torch.nn.Linear(2, 2), torch.nn.Linear(2, 2), torch.nn.ReLU(),
                                torch.nn.Sequential(torch.nn.Tanh()), torch.nn.Sequential(torch.nn.Tanh()),
                                torch.nn.Linear(2, 3)])
    assert repr(blocks) == repr(peer)


def test_assignment_rules():
    m = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="Parameter or None"):
        m.weight = np.zeros((2, 2))
    m.bias = None
    assert [n for n, _ in m.named_parameters()] == ["weight"]
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        m.nothing
    with pytest.raises(AttributeError, match="before Module.__init__"):
        class Broken(nn.Module):
            def __init__(self):
                self.fc = nn.Linear(1, 1)
        Broken()
    del m.weight
    assert list(m.parameters()) == []


def test_containers():
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    layers.append(nn.Tanh())
    assert len(layers) == 4 and isinstance(layers[-1], nn.Tanh) and len(list(layers.parameters())) == 6
    seq = nn.Sequential(OrderedDict([("a", nn.Linear(2, 3)), ("b", nn.ReLU())]))
    assert [n for n, _ in seq.named_children()] == ["a", "b"] and isinstance(seq[0], nn.Linear)
    assert len(seq[:1]) == 1
    d = nn.ModuleDict({"enc": nn.Linear(2, 2)})
    assert "enc" in d and [n for n, _ in d.named_parameters()] == ["enc.weight", "enc.bias"]
    with pytest.raises(IndexError):
        layers[10]


def test_gradient_accumulation_adds_until_zero_grad():
    rng = np.random.default_rng(0)
    model = nn.Linear(3, 1, dtype=np.float64)
    xs = [fg.tensor(rng.standard_normal((4, 3))) for _ in range(3)]
    expected = np.zeros_like(model.weight._data)
    for x in xs:
        model(x).sum().backward()
        expected += x._data.sum(axis=0)
    np.testing.assert_allclose(model.weight.grad, expected, rtol=1e-12)
    np.testing.assert_allclose(model.bias.grad, [12.0])
    # Accumulating over micro-batches equals one backward over the whole batch.
    big = nn.Linear(3, 1, dtype=np.float64)
    big.load_state_dict(model.state_dict())
    model.zero_grad()
    for x in xs:
        ((model(x) ** 2).sum() / 12).backward()
    ((big(fg.tensor(np.concatenate([x._data for x in xs]))) ** 2).sum() / 12).backward()
    np.testing.assert_allclose(model.weight.grad, big.weight.grad, rtol=1e-12)
    model.zero_grad()
    assert model.weight.grad is None


def test_deepcopy_gives_an_independent_module():
    import copy

    net = Net()
    net(fg.randn(5, 4)).sum().backward()
    twin = copy.deepcopy(net)
    assert [n for n, _ in twin.named_parameters()] == [n for n, _ in net.named_parameters()]
    assert twin.shared is twin.head[1]                     # sharing is kept
    for (_, a), (_, b) in zip(net.named_parameters(), twin.named_parameters()):
        assert isinstance(b, nn.Parameter) and b.requires_grad
        assert a._data is not b._data and np.array_equal(a._data, b._data) and np.array_equal(a.grad, b.grad)
    twin.block.fc.weight._data[...] = 0
    assert np.any(net.block.fc.weight._data)
