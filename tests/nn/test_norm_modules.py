"""BatchNorm2d, GroupNorm, InstanceNorm2d and LayerNorm modules against PyTorch's: outputs,
gradients, running statistics over several steps, eval mode, state_dict keys."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn


def make(torch, name, args, kwargs):
    return getattr(nn, name)(*args, **kwargs, dtype=np.float64), getattr(torch.nn, name)(*args, **kwargs).double()


@pytest.mark.parametrize("name, args, kwargs, shape", [
    ("BatchNorm2d", (4,), dict(), (6, 4, 5, 5)),
    ("BatchNorm2d", (4,), dict(momentum=None), (6, 4, 3, 2)),
    ("BatchNorm2d", (4,), dict(affine=False, momentum=0.3), (6, 4, 3, 2)),
    ("BatchNorm2d", (4,), dict(track_running_stats=False), (6, 4, 3, 2)),
    ("InstanceNorm2d", (4,), dict(), (3, 4, 5, 5)),
    ("InstanceNorm2d", (4,), dict(affine=True, track_running_stats=True), (3, 4, 5, 5)),
    ("GroupNorm", (2, 4), dict(), (3, 4, 5, 5)),
    ("LayerNorm", ((5, 5),), dict(), (3, 4, 5, 5)),
    ("BatchNorm1d", (4,), dict(), (6, 4)),
    ("BatchNorm1d", (4,), dict(momentum=None), (6, 4, 3)),
    ("BatchNorm3d", (3,), dict(), (4, 3, 3, 4, 5)),
    ("BatchNorm3d", (3,), dict(momentum=None, affine=False), (4, 3, 2, 3, 2)),
    ("InstanceNorm3d", (3,), dict(), (2, 3, 3, 4, 5)),
    ("InstanceNorm3d", (3,), dict(affine=True, track_running_stats=True), (2, 3, 3, 4, 5)),
    ("InstanceNorm3d", (3,), dict(affine=True), (3, 3, 4, 5)),            # unbatched
    ("BatchNorm2d", (4,), dict(bias=False), (6, 4, 3, 2)),                 # a scale and no shift
    ("BatchNorm1d", (4,), dict(bias=False, momentum=None), (6, 4, 3)),
    ("InstanceNorm2d", (4,), dict(affine=True, bias=False), (3, 4, 5, 5)),
    ("GroupNorm", (2, 4), dict(bias=False), (3, 4, 5, 5)),
    ("LayerNorm", ((5,),), dict(bias=False), (3, 4, 5)),
])
def test_module_matches_torch_in_training_and_eval(name, args, kwargs, shape, rng):
    torch = pytest.importorskip("torch")
    mine, peer = make(torch, name, args, kwargs)
    assert list(mine.state_dict()) == list(peer.state_dict())
    for p, q in zip(mine.parameters(), peer.parameters()):  # non-trivial affine parameters
        values = rng.standard_normal(p.shape)
        p.data[...] = values
        q.data.copy_(torch.tensor(values))
    for step in range(3):
        x = rng.standard_normal(shape) * (step + 1) + step
        xm, xt = fg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out, expected = mine(xm), peer(xt)
        np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
        seed = rng.standard_normal(shape)
        (out * fg.tensor(seed)).sum().backward()
        (expected * torch.tensor(seed)).sum().backward()
        np.testing.assert_allclose(xm.grad.data, xt.grad.numpy(), rtol=1e-10, atol=1e-11)
    for (k, p), (_, q) in zip(mine.named_parameters(), peer.named_parameters()):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-10, atol=1e-11, err_msg=k)
    for (k, v), (_, t) in zip(mine.state_dict().items(), peer.state_dict().items()):
        np.testing.assert_allclose(np.asarray(v.data, np.float64), t.numpy(), rtol=1e-10, err_msg=k)
    mine.eval()
    peer.eval()
    x = rng.standard_normal(shape)
    np.testing.assert_allclose(mine(fg.tensor(x)).data, peer(torch.tensor(x)).detach().numpy(), rtol=1e-10,
                               atol=1e-12)


def test_modules_check_their_input():
    with pytest.raises(ValueError, match=r"BatchNorm2d: expected input of shape \(N, 4, H, W\)"):
        nn.BatchNorm2d(4)(fg.ones((2, 3, 2, 2)))
    with pytest.raises(ValueError, match="GroupNorm: num_channels"):
        nn.GroupNorm(3, 4)
    with pytest.raises(ValueError, match="InstanceNorm2d"):
        nn.InstanceNorm2d(4, affine=True)(fg.ones((2, 4, 2)))
    with pytest.raises(ValueError, match=r"BatchNorm3d: expected input of shape \(N, 4, D, H, W\), got \(2, 4, 2, 2\)"):
        nn.BatchNorm3d(4)(fg.ones((2, 4, 2, 2)))
    with pytest.raises(ValueError, match=r"InstanceNorm3d: expected input of shape \(N, 4, D, H, W\)"):
        nn.InstanceNorm3d(4, affine=True)(fg.ones((2, 3, 2, 2, 2)))


@pytest.mark.parametrize("name, args, kwargs", [
    ("BatchNorm2d", (4,), dict()), ("BatchNorm2d", (4,), dict(affine=False)), ("BatchNorm1d", (3,), dict(bias=False)),
    ("BatchNorm3d", (2,), dict(momentum=None)), ("InstanceNorm2d", (4,), dict()),
    ("InstanceNorm3d", (4,), dict(affine=True, bias=False)), ("GroupNorm", (2, 4), dict()),
    ("GroupNorm", (2, 4), dict(bias=False)), ("LayerNorm", (5,), dict()), ("LayerNorm", ((2, 5),), dict(bias=False)),
    ("LayerNorm", (5,), dict(elementwise_affine=False)),
])
def test_norm_layers_print_as_pytorchs(name, args, kwargs):
    """print(model) shows norm layers as PyTorch does, bias included."""
    torch = pytest.importorskip("torch")
    mine, peer = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(mine) == repr(peer)
    assert (mine.bias is None) == (peer.bias is None) and (mine.weight is None) == (peer.weight is None)


def test_norm_without_bias_gradcheck(rng):
    """A scale-only batch norm and group norm (what BatchNorm2d and GroupNorm with bias=False run)
    against numerical gradients in float64."""
    F = fg.nn.functional
    x = fg.tensor(rng.standard_normal((4, 4, 2, 2)), requires_grad=True)
    w = fg.tensor(rng.standard_normal(4), requires_grad=True)
    assert fg.autograd.gradcheck(lambda x, w: F.batch_norm(x, None, None, w, None, training=True), (x, w))
    assert fg.autograd.gradcheck(lambda x, w: F.group_norm(x, 2, w, None), (x, w))
    assert nn.BatchNorm2d(4, bias=False)(x.float()).shape == x.shape
