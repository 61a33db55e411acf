"""nn.utils.parametrizations.orthogonal against PyTorch: the weight after registration, values and
gradients with copied originals and bases for every map and shape, orthogonality while training,
assignment, use_trivialization=False, gradcheck, and transfer_parametrizations_and_params."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn
from fastgrad.nn.utils import parametrize
from fastgrad.nn.utils.parametrizations import orthogonal
from training import mse_losses

torch = pytest.importorskip("torch")
torth = torch.nn.utils.parametrizations.orthogonal

CASES = [((4, 4), None), ((4, 4), "cayley"), ((4, 4), "householder"), ((5, 3), None), ((3, 5), None),
         ((5, 3), "matrix_exp"), ((3, 5), "cayley"), ((3, 5), "householder")]


def _pair(shape, dtype=torch.float64):
    torch.manual_seed(0)
    theirs = torch.nn.Linear(shape[1], shape[0]).to(dtype)
    ours = nn.Linear(shape[1], shape[0], dtype=np.float64 if dtype == torch.float64 else np.float32)
    _copy(ours, theirs)
    return ours, theirs


def _copy(ours, theirs):
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


@pytest.mark.parametrize("shape, orthogonal_map", CASES)
def test_matches_torch_at_registration_and_after_changes(shape, orthogonal_map):
    ours, theirs = _pair(shape)
    torth(theirs, orthogonal_map=orthogonal_map)
    orthogonal(ours, orthogonal_map=orthogonal_map)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    if shape[0] == shape[1]:   # otherwise base holds random columns: copy them below
        np.testing.assert_allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy(), atol=1e-12)
    with torch.no_grad():
        theirs.parametrizations.weight.original.add_(0.3 * torch.randn(shape, dtype=torch.float64))
    _copy(ours, theirs)
    w, tw = ours.weight, theirs.weight
    np.testing.assert_allclose(w.detach().numpy(), tw.detach().numpy(), atol=1e-12)
    g = np.random.default_rng(0).standard_normal(shape)
    (w * fg.tensor(g)).sum().backward()
    (tw * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(ours.parametrizations.weight.original.grad.numpy(),
                               theirs.parametrizations.weight.original.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("orthogonal_map", ["matrix_exp", "cayley", "householder"])
@pytest.mark.parametrize("shape", [(4, 4), (6, 3), (2, 5)])
def test_weights_stay_orthogonal_while_training(orthogonal_map, shape):
    fg.manual_seed(0)
    layer = orthogonal(nn.Linear(shape[1], shape[0]), orthogonal_map=orthogonal_map)
    x = fg.randn(16, shape[1])
    target = fg.randn(16, shape[0])
    opt = fg.optim.SGD(layer.parameters(), lr=0.1)
    losses = mse_losses(layer, opt, x, target, 15)
    w = layer.weight.detach().numpy().astype(np.float64)
    gram = w.T @ w if shape[0] >= shape[1] else w @ w.T
    np.testing.assert_allclose(gram, np.eye(min(shape)), atol=1e-5)
    assert losses[-1] < losses[0]
    assert layer.parametrizations.weight.original.grad is not None


def test_gradcheck_of_each_map():
    rng = np.random.default_rng(1)
    for orthogonal_map, shape in [("matrix_exp", (3, 3)), ("cayley", (4, 2)), ("householder", (4, 3))]:
        layer = orthogonal(nn.Linear(shape[1], shape[0], dtype=np.float64), orthogonal_map=orthogonal_map)
        map_ = layer.parametrizations.weight[0]
        x = fg.tensor(rng.standard_normal(shape) * 0.3 - np.eye(*shape), requires_grad=True)
        assert fg.gradcheck(lambda a: map_(a), [x])


def test_batched_matrices_and_float32():
    m = nn.Module()
    m.weight = nn.Parameter(fg.randn(2, 3, 5, 5))
    orthogonal(m)
    w = m.weight.detach().numpy()
    np.testing.assert_allclose(w @ np.swapaxes(w, -1, -2), np.broadcast_to(np.eye(5), w.shape), atol=1e-5)
    assert m.weight.dtype == fg.float32


def test_assignment_sets_the_weight():
    ours, theirs = _pair((4, 4))
    orthogonal(ours)
    torth(theirs)
    q = np.linalg.qr(np.random.default_rng(2).standard_normal((4, 4)))[0]
    ours.weight = fg.tensor(q)
    with torch.no_grad():
        theirs.weight = torch.tensor(q)
    np.testing.assert_allclose(ours.weight.detach().numpy(), q, atol=1e-12)
    a = np.random.default_rng(3).standard_normal((4, 4))      # not orthogonal: made so by QR
    ours.weight = fg.tensor(a)
    with torch.no_grad():
        theirs.weight = torch.tensor(a)
    np.testing.assert_allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy(), atol=1e-12)
    with pytest.raises(ValueError, match=r"orthogonal: expected a matrix or batch of matrices of shape \(4, 4\)"):
        ours.weight = fg.ones(3, 4)


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4)])
def test_householder_without_trivialization_matches_torch(shape):
    ours, theirs = _pair(shape)
    torth(theirs, orthogonal_map="householder", use_trivialization=False)
    orthogonal(ours, orthogonal_map="householder", use_trivialization=False)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    np.testing.assert_allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy(), atol=1e-10)


def test_exponential_map_without_trivialization_keeps_the_original_and_refuses_assignment():
    ours, theirs = _pair((4, 4))
    torth(theirs, use_trivialization=False)
    orthogonal(ours, use_trivialization=False)
    np.testing.assert_allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy(), atol=1e-12)
    with pytest.raises(NotImplementedError, match="use_trivialization=False"):
        ours.weight = fg.eye(4, dtype=fg.float64)


def test_bad_arguments():
    with pytest.raises(ValueError, match="orthogonal: module 'Linear' has no parameter or buffer with name 'w'"):
        orthogonal(nn.Linear(2, 2), "w")
    with pytest.raises(ValueError, match="orthogonal: expected a matrix"):
        orthogonal(nn.Linear(2, 2), "bias")
    with pytest.raises(ValueError, match="orthogonal_map has to be one of"):
        orthogonal(nn.Linear(2, 2), orthogonal_map="qr")


def test_transfer_parametrizations_and_params():
    source = orthogonal(nn.Linear(3, 3))
    target = nn.Linear(3, 3)
    out = parametrize.transfer_parametrizations_and_params(source, target)
    assert out is target and parametrize.is_parametrized(target, "weight")
    assert target.parametrizations.weight[0] is source.parametrizations.weight[0]
    np.testing.assert_allclose(target.weight.detach().numpy(), source.weight.detach().numpy(), atol=1e-6)
    with fg.no_grad():
        source.parametrizations.weight.original._data[0, 1] += 0.5   # shared data: the target follows
    np.testing.assert_allclose(target.weight.detach().numpy(), source.weight.detach().numpy(), atol=1e-6)
    bare = nn.Module()                                             # a missing tensor is created first
    parametrize.transfer_parametrizations_and_params(source, bare, "weight")
    np.testing.assert_allclose(bare.weight.detach().numpy(), source.weight.detach().numpy(), atol=1e-6)
    assert parametrize.transfer_parametrizations_and_params(nn.Linear(2, 2), target) is target
    with pytest.raises(ValueError, match="'bias' is not parametrized"):
        parametrize.transfer_parametrizations_and_params(source, nn.Linear(3, 3), "bias")
    theirs_source = torth(torch.nn.Linear(3, 3))
    theirs = torch.nn.utils.parametrize.transfer_parametrizations_and_params(theirs_source, torch.nn.Linear(3, 3))
    assert list(theirs.state_dict()) == list(target.state_dict())
