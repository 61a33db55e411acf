"""nn.InstanceNorm1d/2d/3d against PyTorch with copied weights: affine and running statistics in
training and evaluation, unbatched input, gradients, state_dict round trips."""
import warnings

import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn

torch = pytest.importorskip("torch")

SHAPES = {"InstanceNorm1d": (3, 4, 7), "InstanceNorm2d": (3, 4, 5, 6), "InstanceNorm3d": (2, 4, 3, 4, 5)}


@pytest.mark.parametrize("name", sorted(SHAPES))
@pytest.mark.parametrize("affine", [False, True])
@pytest.mark.parametrize("track", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matches_torch_in_training_and_evaluation(name, affine, track, dtype):
    tdtype = torch.float32 if dtype == np.float32 else torch.float64
    theirs = getattr(torch.nn, name)(4, affine=affine, track_running_stats=track, momentum=0.3, dtype=tdtype)
    ours = getattr(nn, name)(4, affine=affine, track_running_stats=track, momentum=0.3, dtype=dtype)
    assert repr(ours) == repr(theirs)
    if affine:
        with torch.no_grad():
            theirs.weight.uniform_(0.5, 1.5)
            theirs.bias.uniform_(-0.5, 0.5)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    rng = np.random.default_rng(0)
    tol = 1e-4 if dtype == np.float32 else 1e-10
    for step in range(2):
        a = (rng.standard_normal(SHAPES[name]) * 2 + 1).astype(dtype)
        x, t = fg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        y, ty = ours(x), theirs(t)
        np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=tol, atol=tol)
        g = rng.standard_normal(SHAPES[name]).astype(dtype)
        y.backward(fg.tensor(g))
        ty.backward(torch.tensor(g))
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=tol, atol=tol)
        if affine:
            np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=tol, atol=tol)
            np.testing.assert_allclose(ours.bias.grad.numpy(), theirs.bias.grad.numpy(), rtol=tol, atol=tol)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key].numpy(), value.numpy(), rtol=tol, atol=tol)
    ours.eval()
    theirs.eval()
    a = rng.standard_normal(SHAPES[name]).astype(dtype)
    np.testing.assert_allclose(ours(fg.tensor(a)).detach().numpy(), theirs(torch.tensor(a)).detach().numpy(),
                               rtol=tol, atol=tol)
    unbatched = a[0]
    np.testing.assert_allclose(ours(fg.tensor(unbatched)).detach().numpy(),
                               theirs(torch.tensor(unbatched)).detach().numpy(), rtol=tol, atol=tol)


def test_instance_norm1d_gradcheck_and_bad_input():
    m = nn.InstanceNorm1d(3, affine=True, dtype=np.float64)
    x = fg.tensor(np.random.default_rng(1).standard_normal((2, 3, 5)), requires_grad=True)
    assert fg.gradcheck(lambda a: m(a), [x])
    with pytest.raises(ValueError, match="InstanceNorm1d: expected input of shape"):
        m(fg.ones(2, 4, 5))
    with pytest.raises(ValueError, match="InstanceNorm1d"):
        m(fg.ones(2, 3, 5, 5))


def test_channel_mismatch_without_affine_or_statistics_only_warns_as_in_torch():
    m = nn.InstanceNorm1d(3)
    a = np.random.default_rng(2).standard_normal((2, 4, 6))
    with pytest.warns(UserWarning, match="num_features"):
        y = m(fg.tensor(a))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = torch.nn.InstanceNorm1d(3)(torch.tensor(a))
    np.testing.assert_allclose(y.numpy(), expected.numpy(), rtol=1e-10)
