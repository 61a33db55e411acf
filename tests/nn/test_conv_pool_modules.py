"""Conv1d, Conv2d and the pooling modules: PyTorch's initialisation, state_dict keys,
and outputs and gradients of the same weights against PyTorch's modules."""
import math

import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn


@pytest.mark.parametrize("make, fan_in", [(lambda: nn.Conv2d(6, 8, 3), 6 * 9),
                                          (lambda: nn.Conv2d(6, 9, (2, 5), groups=3), 2 * 10),
                                          (lambda: nn.Conv1d(4, 12, 7), 4 * 7),
                                          (lambda: nn.ConvTranspose2d(4, 6, 3, groups=2), 3 * 9),
                                          (lambda: nn.Conv3d(4, 6, (3, 2, 3), groups=2), 2 * 18)])
def test_initialisation_is_pytorchs(make, fan_in):
    fg.manual_seed(0)
    conv = make()
    bound = 1 / math.sqrt(fan_in)
    for p in (conv.weight, conv.bias):
        values = p.data
        assert values.dtype == np.float32
        assert np.abs(values).max() <= bound
    # U(-b, b) has standard deviation b / sqrt(3)
    assert abs(conv.weight.data.std() - bound / math.sqrt(3)) < 0.25 * bound / math.sqrt(3)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("name, args, kwargs, x_shape", [
    ("Conv2d", (3, 8, 3), dict(padding=1), (2, 3, 9, 9)),
    ("Conv2d", (4, 6, (2, 3)), dict(stride=(2, 1), dilation=(1, 2), groups=2, bias=False), (2, 4, 9, 10)),
    ("Conv2d", (2, 4, 4), dict(padding="same"), (1, 2, 7, 7)),
    ("Conv1d", (3, 5, 3), dict(stride=2, padding=2), (2, 3, 15)),
    ("Conv1d", (4, 4, 5), dict(groups=4, padding="same"), (2, 4, 9)),
    ("ConvTranspose2d", (4, 6, 3), dict(stride=2, padding=1, output_padding=1, groups=2), (2, 4, 5, 4)),
    ("Conv3d", (3, 5, 3), dict(padding=1), (2, 3, 5, 6, 7)),
    ("Conv3d", (4, 6, (2, 3, 2)), dict(stride=(1, 2, 2), dilation=(2, 1, 1), groups=2, bias=False), (2, 4, 6, 7, 7)),
    ("Conv3d", (2, 4, (2, 3, 4)), dict(padding="same"), (1, 2, 4, 5, 6)),
    ("Conv3d", (3, 2, 1), dict(padding="valid"), (3, 2, 3, 4)),
])
def test_conv_module_matches_torch_with_the_same_weights(name, args, kwargs, x_shape, rng):
    torch = pytest.importorskip("torch")
    peer = getattr(torch.nn, name)(*args, **kwargs).double()
    mine = getattr(nn, name)(*args, **kwargs, dtype=np.float64)
    assert list(mine.state_dict()) == list(peer.state_dict())
    mine.load_state_dict({k: fg.tensor(v.detach().numpy()) for k, v in peer.state_dict().items()})
    x = rng.standard_normal(x_shape)
    xm, xt = fg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = mine(xm), peer(xt)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    seed = rng.standard_normal(out.shape)
    (out * fg.tensor(seed)).sum().backward()
    (expected * torch.tensor(seed)).sum().backward()
    np.testing.assert_allclose(xm.grad.data, xt.grad.numpy(), rtol=1e-12, atol=1e-12)
    for (k, p), (_, q) in zip(mine.named_parameters(), peer.named_parameters()):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-12, atol=1e-12, err_msg=k)


@pytest.mark.parametrize("name, args, kwargs, x_shape", [
    ("MaxPool2d", (3,), dict(stride=2, padding=1, ceil_mode=True), (2, 3, 9, 8)),
    ("MaxPool1d", (2,), dict(), (2, 3, 9)),
    ("AvgPool2d", (3,), dict(stride=2, padding=1, count_include_pad=False), (2, 3, 9, 8)),
    ("AvgPool1d", (3,), dict(stride=1, padding=1), (2, 3, 9)),
    ("AdaptiveAvgPool2d", ((2, 3),), dict(), (2, 3, 7, 8)),
    ("AdaptiveMaxPool2d", (4,), dict(), (2, 3, 7, 8)),
    ("MaxPool3d", (3,), dict(stride=2, padding=1, ceil_mode=True), (2, 3, 7, 9, 8)),
    ("MaxPool3d", ((2, 2, 1),), dict(dilation=(1, 2, 1)), (3, 6, 7, 5)),
    ("AvgPool3d", (3,), dict(stride=2, padding=1, count_include_pad=False), (2, 3, 7, 9, 8)),
    ("AvgPool3d", (2,), dict(ceil_mode=True, divisor_override=3), (2, 3, 5, 5, 5)),
    ("AdaptiveAvgPool3d", ((2, 3, 1),), dict(), (2, 3, 7, 8, 5)),
    ("AdaptiveMaxPool3d", (2,), dict(), (2, 3, 7, 8, 5)),
])
def test_pool_module_matches_torch(name, args, kwargs, x_shape, rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal(x_shape)
    xm, xt = fg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = getattr(nn, name)(*args, **kwargs)(xm), getattr(torch.nn, name)(*args, **kwargs)(xt)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-13)
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(xm.grad.data, xt.grad.numpy(), rtol=1e-12, atol=1e-13)


def test_lenet_trains_one_step_like_torch(rng):
    torch = pytest.importorskip("torch")

    def lenet(lib):
        return lib.Sequential(lib.Conv2d(1, 4, 5), lib.ReLU(), lib.MaxPool2d(2), lib.Conv2d(4, 8, 3), lib.ReLU(),
                              lib.AdaptiveAvgPool2d(2), lib.Flatten(), lib.Linear(32, 10))

    peer = lenet(torch.nn).double()
    mine = lenet(nn).double()
    mine.load_state_dict({k: fg.tensor(v.detach().numpy()) for k, v in peer.state_dict().items()})
    x, y = rng.standard_normal((8, 1, 16, 16)), rng.integers(0, 10, 8)
    loss = nn.functional.cross_entropy(mine(fg.tensor(x)), fg.tensor(y))
    expected = torch.nn.functional.cross_entropy(peer(torch.tensor(x)), torch.tensor(y))
    loss.backward()
    expected.backward()
    np.testing.assert_allclose(float(loss), expected.item(), rtol=1e-12)
    for (k, p), (_, q) in zip(mine.named_parameters(), peer.named_parameters()):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-10, atol=1e-13, err_msg=k)


def test_a_3d_network_trains_like_torch(rng):
    """Conv3d, BatchNorm3d, MaxPool3d, AvgPool3d and AdaptiveAvgPool3d in one network: the loss,
    every parameter gradient and the parameters after two Adam steps."""
    torch = pytest.importorskip("torch")

    def net(lib):
        # each convolution's bias reaches the loss (a norm right after it would cancel its gradient)
        return lib.Sequential(lib.Conv3d(2, 4, 3, padding=1), lib.ReLU(), lib.BatchNorm3d(4), lib.MaxPool3d(2),
                              lib.Conv3d(4, 6, (1, 3, 3), padding=(0, 1, 1), groups=2), lib.Tanh(),
                              lib.InstanceNorm3d(6, affine=True),
                              lib.AvgPool3d(2, ceil_mode=True), lib.AdaptiveAvgPool3d(1), lib.Flatten(),
                              lib.Linear(6, 3))

    peer, mine = net(torch.nn).double(), net(nn).double()
    mine.load_state_dict({k: fg.tensor(v.detach().numpy()) for k, v in peer.state_dict().items()})
    assert list(mine.state_dict()) == list(peer.state_dict())
    opt, topt = fg.optim.Adam(mine.parameters(), lr=1e-2), torch.optim.Adam(peer.parameters(), lr=1e-2)
    for _ in range(2):
        x, y = rng.standard_normal((4, 2, 6, 8, 7)), rng.integers(0, 3, 4)
        loss = nn.functional.cross_entropy(mine(fg.tensor(x)), fg.tensor(y))
        expected = torch.nn.functional.cross_entropy(peer(torch.tensor(x)), torch.tensor(y))
        opt.zero_grad()
        topt.zero_grad()
        loss.backward()
        expected.backward()
        np.testing.assert_allclose(float(loss), expected.item(), rtol=1e-12)
        for (k, p), (_, q) in zip(mine.named_parameters(), peer.named_parameters()):
            np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=k)
        opt.step()
        topt.step()
    for (k, v), (_, t) in zip(mine.state_dict().items(), peer.state_dict().items()):
        np.testing.assert_allclose(np.asarray(v.data, np.float64), t.numpy(), rtol=1e-9, atol=1e-12, err_msg=k)


def test_unsupported_arguments_are_refused_by_name():
    with pytest.raises(NotImplementedError, match="padding_mode 'reflect'"):
        nn.Conv2d(1, 1, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="strided"):
        nn.Conv1d(1, 1, 3, stride=2, padding="same")
    with pytest.raises(NotImplementedError, match="Conv3d: padding_mode 'circular'"):
        nn.Conv3d(1, 1, 3, padding_mode="circular")
    with pytest.raises(ValueError, match="Conv3d: in_channels"):
        nn.Conv3d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="Conv3d: padding must be 'same', 'valid'"):
        nn.Conv3d(1, 1, 3, padding="full")
    with pytest.raises(ValueError, match="^conv3d: input must be 5-d"):
        nn.Conv3d(1, 1, 3)(fg.ones((1, 5, 5)))


def test_repr_names_the_geometry():
    assert repr(nn.Conv2d(1, 16, 5, padding=2, bias=False)) == \
        "Conv2d(1, 16, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2), bias=False)"
    assert "kernel_size=2" in repr(nn.MaxPool2d(2))
    assert repr(nn.Conv3d(2, 4, (1, 3, 3), padding=(0, 1, 1))) == \
        "Conv3d(2, 4, kernel_size=(1, 3, 3), stride=(1, 1, 1), padding=(0, 1, 1))"
