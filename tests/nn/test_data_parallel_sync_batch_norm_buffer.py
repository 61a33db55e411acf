"""nn.DataParallel (one device: forwards to .module, `module.` state_dict keys), nn.SyncBatchNorm in
one process (BatchNorm's values, gradients and running statistics, convert_sync_batchnorm) and
nn.Buffer (a buffer registered by assignment), against PyTorch."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn
from torch_parity import check_module_against_torch

torch = pytest.importorskip("torch")


def _copy_into(ours, theirs):
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


def test_data_parallel_forwards_and_prefixes_state_dict_keys():
    torch.manual_seed(0)
    theirs = torch.nn.DataParallel(torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(),
                                                       torch.nn.Linear(3, 2)))
    ours = nn.DataParallel(nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2)))
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    _copy_into(ours, theirs)
    a = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    x, y = check_module_against_torch(torch, ours, theirs, a, dict(rtol=1e-5, atol=1e-6))
    np.testing.assert_allclose(ours.module[0].weight.grad.numpy(), theirs.module[0].weight.grad.numpy(), rtol=1e-5)
    assert ours.device_ids == theirs.device_ids == []
    assert [p is q for p, q in zip(ours.parameters(), ours.module.parameters())] == [True] * 4
    # a checkpoint of the wrapper loads into another wrapper, its module's into the bare module
    plain = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    plain.load_state_dict(ours.module.state_dict())
    np.testing.assert_allclose(plain(x).detach().numpy(), y.detach().numpy())
    other = nn.DataParallel(nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2)))
    other.load_state_dict(ours.state_dict())
    np.testing.assert_allclose(other(x).detach().numpy(), y.detach().numpy())
    assert ours.eval().module.training is False
    with pytest.raises(TypeError, match="DataParallel: argument 'module' must be a Module"):
        nn.DataParallel(lambda v: v)


def test_data_parallel_passes_keyword_arguments():
    class Scale(nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor

    assert nn.DataParallel(Scale())(fg.ones(2), factor=3.0).tolist() == [3.0, 3.0]
    assert nn.parallel.DataParallel is nn.DataParallel


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (2, 3, 4, 4), (2, 3, 2, 3, 2)])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_sync_batch_norm_in_one_process_matches_torch(shape, momentum):
    theirs = torch.nn.SyncBatchNorm(3, momentum=momentum, dtype=torch.float64)
    ours = nn.SyncBatchNorm(3, momentum=momentum, dtype=np.float64)
    assert repr(ours) == repr(theirs)
    with torch.no_grad():
        theirs.weight.uniform_(0.5, 1.5)
        theirs.bias.uniform_(-1, 1)
    _copy_into(ours, theirs)
    rng = np.random.default_rng(1)
    for _ in range(2):
        a = rng.standard_normal(shape) * 3 + 1
        x, t = fg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        y, ty = ours(x), theirs(t)
        np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-10, atol=1e-10)
        g = rng.standard_normal(shape)
        y.backward(fg.tensor(g))
        ty.backward(torch.tensor(g))
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-9, atol=1e-10)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key].numpy(), value.numpy(), rtol=1e-10)
    ours.eval()
    theirs.eval()
    a = rng.standard_normal(shape)
    np.testing.assert_allclose(ours(fg.tensor(a)).numpy(), theirs(torch.tensor(a)).detach().numpy(), rtol=1e-10)


def test_sync_batch_norm_checks_and_gradcheck():
    m = nn.SyncBatchNorm(2, dtype=np.float64)
    with pytest.raises(ValueError, match="SyncBatchNorm: expected at least 2-d"):
        m(fg.ones(3))
    with pytest.raises(ValueError, match=r"SyncBatchNorm: expected input of shape \(N, 2, ...\)"):
        m(fg.ones(3, 5))
    with pytest.raises(ValueError, match="only the default process group"):
        nn.SyncBatchNorm(2, process_group=object())(fg.ones(3, 2))
    x = fg.tensor(np.random.default_rng(2).standard_normal((4, 2, 3)), requires_grad=True)
    assert fg.gradcheck(lambda a: m(a), [x])


def test_convert_sync_batchnorm_keeps_the_parameters_and_statistics():
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)),
                        nn.InstanceNorm2d(4))
    net[1](fg.randn(2, 4, 3, 3))
    weight, mean = net[1].weight, net[1].running_mean
    before = net.state_dict()
    converted = nn.SyncBatchNorm.convert_sync_batchnorm(net)
    reference = torch.nn.SyncBatchNorm.convert_sync_batchnorm(
        torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4),
                            torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.BatchNorm1d(2)),
                            torch.nn.InstanceNorm2d(4)))
    assert repr(converted) == repr(reference)
    assert converted[1].weight is weight and converted[1].running_mean is mean
    assert list(converted.state_dict()) == list(before)
    assert int(converted[1].num_batches_tracked.item()) == 1
    alone = nn.SyncBatchNorm.convert_sync_batchnorm(nn.BatchNorm1d(5, momentum=0.3).eval())
    assert type(alone) is nn.SyncBatchNorm and alone.momentum == 0.3 and not alone.training


def test_buffer_assignment_registers_a_buffer():
    class Counter(nn.Module):
        def __init__(self):
            super().__init__()
            self.steps = nn.Buffer(fg.zeros(1))
            self.scratch = nn.Buffer(fg.ones(2), persistent=False)

    ours = Counter()
    assert [n for n, _ in ours.named_buffers()] == ["steps", "scratch"]
    assert list(ours.state_dict()) == ["steps"]
    assert type(ours.steps) is fg.Tensor and list(ours.parameters()) == []

    class TorchCounter(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.steps = torch.nn.Buffer(torch.zeros(1))
            self.scratch = torch.nn.Buffer(torch.ones(2), persistent=False)

    assert list(TorchCounter().state_dict()) == list(ours.state_dict())
    ours.steps = fg.ones(1) * 5          # a plain Tensor assigned later replaces the buffer's value
    assert ours.state_dict()["steps"].tolist() == [5.0]
    ours.load_state_dict({"steps": np.array([7.0], np.float32)})
    assert ours.steps.tolist() == [7.0]
    marked = nn.Buffer(fg.ones(3, requires_grad=True))
    assert marked.requires_grad and marked.persistent
    m = nn.Module()
    m.w = nn.Parameter(fg.ones(2))
    m.w = nn.Buffer(fg.zeros(2))         # a buffer of the same name replaces the parameter
    assert list(m.parameters()) == [] and [n for n, _ in m.named_buffers()] == ["w"]
    assert nn.Buffer().shape == (0,)
