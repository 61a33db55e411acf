"""Lazy layers (nn.LazyLinear, LazyConv*, LazyConvTranspose*, LazyBatchNorm*, LazyInstanceNorm*) and
the UninitializedParameter / UninitializedBuffer placeholders, against PyTorch's behaviour."""
import copy

import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn
from torch_parity import check_module_against_torch
from training import mse_losses

torch = pytest.importorskip("torch")

CASES = [  # name, constructor arguments, example input shape
    ("LazyLinear", (3,), (2, 5)),
    ("LazyLinear", (3, False), (4, 2, 6)),
    ("LazyConv1d", (4, 3), (2, 3, 9)),
    ("LazyConv2d", (4, 3), (2, 2, 6, 6)),
    ("LazyConv2d", (4, 3, 1, 1, 1, 2), (4, 5, 5)),
    ("LazyConv3d", (2, 2), (1, 3, 4, 4, 4)),
    ("LazyConvTranspose1d", (4, 3, 2), (2, 3, 5)),
    ("LazyConvTranspose2d", (4, 2, 2, 0, 1, 2), (2, 4, 3, 3)),
    ("LazyConvTranspose3d", (2, 2, 2), (1, 3, 2, 2, 2)),
    ("LazyBatchNorm1d", (), (4, 3)),
    ("LazyBatchNorm2d", (), (4, 3, 2, 2)),
    ("LazyBatchNorm3d", (1e-3, 0.2), (2, 3, 2, 2, 2)),
    ("LazyInstanceNorm1d", (), (2, 3, 5)),
    ("LazyInstanceNorm2d", (1e-5, 0.1, True, True), (2, 3, 4, 4)),
    ("LazyInstanceNorm3d", (1e-5, 0.1, True, False), (2, 3, 2, 3, 3)),
]


def _pair(name, args):
    return getattr(nn, name)(*args), getattr(torch.nn, name)(*args)


@pytest.mark.parametrize("name, args, shape", CASES)
def test_first_forward_infers_the_shapes_and_becomes_the_ordinary_layer(name, args, shape):
    ours, theirs = _pair(name, args)
    assert repr(ours) == repr(theirs)
    names = [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_parameters()] == names
    assert all(isinstance(p, nn.UninitializedParameter) for p in ours.parameters())
    assert list(ours.state_dict()) == list(theirs.state_dict())
    a = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    y, ty = ours(fg.tensor(a)), theirs(torch.tensor(a))
    assert type(ours).__name__ == type(theirs).__name__ and type(ours) is getattr(nn, type(theirs).__name__)
    assert repr(ours) == repr(theirs)
    assert tuple(y.shape) == tuple(ty.shape)
    for (n, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert type(p) is nn.Parameter and p.shape == tuple(tp.shape) and p.dtype == fg.float32, n
    for (n, b), (_, tb) in zip(ours.named_buffers(), theirs.named_buffers()):
        assert type(b) is fg.Tensor and b.shape == tuple(tb.shape), n
    # copied weights: the same outputs and gradients as PyTorch's layer
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    check_module_against_torch(torch, ours, theirs, a, dict(rtol=1e-4, atol=1e-5))


def test_linear_and_convolution_initialisation_ranges():
    fg.manual_seed(0)
    m = nn.LazyLinear(50)
    m(fg.ones(1, 16))
    bound = 1 / np.sqrt(16)
    assert np.abs(m.weight.numpy()).max() <= bound and np.abs(m.weight.numpy()).max() > 0.8 * bound
    c = nn.LazyConv2d(8, 3)
    c(fg.ones(1, 4, 5, 5))
    assert np.abs(c.weight.numpy()).max() <= 1 / np.sqrt(4 * 9)
    b = nn.LazyBatchNorm2d()
    b.eval()
    b(fg.ones(2, 3, 2, 2))
    np.testing.assert_array_equal(b.weight.numpy(), 1.0)
    np.testing.assert_array_equal(b.running_var.numpy(), 1.0)
    np.testing.assert_array_equal(b.running_mean.numpy(), 0.0)


def test_optimizer_after_a_dry_run_trains():
    fg.manual_seed(0)
    model = nn.Sequential(nn.LazyLinear(8), nn.ReLU(), nn.LazyLinear(1))
    x = fg.tensor(np.random.default_rng(1).standard_normal((32, 3)).astype(np.float32))
    target = x.sum(1, keepdim=True)
    model(x)
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "Linear"]
    opt = fg.optim.Adam(model.parameters(), lr=0.05)
    losses = mse_losses(model, opt, x, target, 60)
    assert losses[-1] < 0.2 * losses[0]


def test_uninitialized_use_raises_a_clear_error():
    m = nn.LazyLinear(3)
    with pytest.raises(RuntimeError, match="uninitialized parameter or buffer"):
        m.weight.shape
    with pytest.raises(RuntimeError, match="uninitialized"):
        m.weight.numpy()
    with pytest.raises(RuntimeError, match="uninitialized"):
        nn.init.xavier_uniform_(m.weight)
    with pytest.raises((RuntimeError, ValueError), match="uninitialized|got shape \\(0,\\)"):
        fg.nn.functional.linear(fg.ones(2, 4), m.weight)      # the placeholder has shape (0,) underneath
    assert repr(m.weight) == "<UninitializedParameter>"
    assert repr(nn.LazyBatchNorm1d().running_mean) == "<UninitializedBuffer>"
    with pytest.raises(ValueError, match="LazyConv2d: expected a 3-d"):
        nn.LazyConv2d(2, 3)(fg.ones(5, 5))
    with pytest.raises(ValueError, match="multiple of groups"):
        nn.LazyConv2d(4, 1, groups=2)(fg.ones(1, 3, 2, 2))


def test_unbatched_first_input_of_an_instance_norm_gives_its_channels():
    # (PyTorch reads axis 1 here, which is a spatial axis of an unbatched input)
    m = nn.LazyInstanceNorm2d()
    assert m(fg.randn(3, 4, 5)).shape == (3, 4, 5)
    assert m.num_features == 3 and m.running_mean.shape == (3,)


def test_materialize_by_hand():
    p = nn.UninitializedParameter(dtype=fg.float64)
    assert p.requires_grad and isinstance(p, nn.Parameter)
    p.materialize((2, 3))
    assert type(p) is nn.Parameter and p.shape == (2, 3) and p.dtype == fg.float64
    b = nn.UninitializedBuffer()
    assert not b.requires_grad
    b.materialize(4)
    assert type(b) is fg.Tensor and b.shape == (4,)


def test_dtype_and_casts_before_the_first_call():
    m = nn.LazyLinear(2, dtype=fg.float64)
    m(fg.ones(3, 4, dtype=fg.float64))
    assert m.weight.dtype == fg.float64
    d = nn.LazyLinear(2).double()
    d(fg.ones(3, 4, dtype=fg.float64))
    assert d.weight.dtype == fg.float64


def test_load_state_dict_gives_the_checkpoints_shapes():
    source = nn.Sequential(nn.Linear(5, 3), nn.BatchNorm1d(3), nn.Linear(3, 2))
    lazy = nn.Sequential(nn.LazyLinear(3), nn.LazyBatchNorm1d(), nn.LazyLinear(2))
    lazy.load_state_dict(source.state_dict())
    assert lazy[0].weight.shape == (3, 5) and lazy[0].in_features == 5 and lazy[1].num_features == 3
    x = fg.randn(4, 5)
    source.eval()
    lazy.eval()
    np.testing.assert_allclose(lazy(x).numpy(), source(x).numpy(), rtol=1e-6)
    assert type(lazy[0]) is nn.Linear and type(lazy[1]) is nn.BatchNorm1d
    copied = nn.Sequential(nn.LazyLinear(3), nn.LazyBatchNorm1d(), nn.LazyLinear(2))
    copied.load_state_dict(nn.Sequential(nn.LazyLinear(3), nn.LazyBatchNorm1d(), nn.LazyLinear(2)).state_dict())
    assert copied[0].has_uninitialized_params()
    with pytest.raises(RuntimeError, match="uninitialized"):
        nn.Linear(5, 3).load_state_dict(nn.LazyLinear(3).state_dict())


def test_deepcopy_before_the_first_call():
    m = nn.LazyLinear(3)
    twin = copy.deepcopy(m)
    twin(fg.ones(1, 2))
    assert type(twin) is nn.Linear and type(m) is nn.LazyLinear
    assert m.has_uninitialized_params()


def test_a_lazy_module_of_ones_own():
    from fastgrad.nn.modules.lazy import LazyModuleMixin

    class LazyScale(LazyModuleMixin, nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.UninitializedParameter()

        def initialize_parameters(self, input):
            if self.has_uninitialized_params():
                self.scale.materialize(input.shape[-1:])
                nn.init.ones_(self.scale)

        def forward(self, input):
            return input * self.scale

    m = LazyScale()
    assert m.has_uninitialized_params()
    y = m(fg.ones(2, 3) * 2)
    assert y.tolist() == [[2.0] * 3] * 2 and type(m) is LazyScale and m.scale.shape == (3,)
    assert not m._forward_pre_hooks   # the initializing hook is gone
    assert not hasattr(nn, "LazyModuleMixin") and not hasattr(torch.nn, "LazyModuleMixin")
