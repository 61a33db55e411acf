"""RMSNorm / F.rms_norm, AdaptiveAvgPool1d / AdaptiveMaxPool1d and ConvTranspose1d against
PyTorch (float64, the same weights), numerical gradients of the functional forms, and errors."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
from fastgrad import nn

TOL = dict(rtol=1e-11, atol=1e-12)


def _compare_module(torch, mine, peer, x, rng):
    """Same weights (state_dict keys equal), then outputs, input and parameter gradients."""
    assert list(mine.state_dict()) == list(peer.state_dict())
    mine.load_state_dict({k: fg.tensor(v.detach().numpy()) for k, v in peer.state_dict().items()})
    xm, xt = fg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = mine(xm), peer(xt)
    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), **TOL)
    if out.size == 0:
        return
    seed = rng.standard_normal(out.shape)
    (out * fg.tensor(seed)).sum().backward()
    (expected * torch.tensor(seed)).sum().backward()
    np.testing.assert_allclose(xm.grad.data, xt.grad.numpy(), **TOL)
    params = dict(mine.named_parameters())
    assert list(params) == [k for k, _ in peer.named_parameters()]
    for k, p in peer.named_parameters():
        np.testing.assert_allclose(params[k].grad.data, p.grad.numpy(), err_msg=k, **TOL)


# ---- RMSNorm ----

@pytest.mark.parametrize("shape, normalized_shape, kwargs", [
    ((3, 5, 8), 8, {}),
    ((2, 4, 3, 6), (3, 6), dict(eps=1e-3)),
    ((4, 7), [7], dict(elementwise_affine=False)),
    ((0, 8), 8, {}),
    ((8,), 8, dict(eps=0.5)),
])
def test_rmsnorm_matches_torch(shape, normalized_shape, kwargs, rng):
    torch = pytest.importorskip("torch")
    peer = torch.nn.RMSNorm(normalized_shape, **kwargs).double()
    mine = nn.RMSNorm(normalized_shape, **kwargs, dtype=np.float64)
    if peer.weight is not None:
        with torch.no_grad():
            peer.weight.copy_(torch.tensor(rng.standard_normal(tuple(peer.weight.shape))))
    _compare_module(torch, mine, peer, rng.standard_normal(shape), rng)


def test_rmsnorm_parameters_are_pytorchs():
    norm = nn.RMSNorm((3, 4))
    assert list(norm.state_dict()) == ["weight"] and norm.weight.shape == (3, 4)
    np.testing.assert_array_equal(norm.weight.data, np.ones((3, 4), np.float32))
    assert norm.weight.dtype == np.float32
    assert list(nn.RMSNorm(4, elementwise_affine=False).state_dict()) == []
    assert nn.RMSNorm(4).eps is None


def test_rms_norm_default_eps_is_the_dtypes(rng):
    torch = pytest.importorskip("torch")
    x = (rng.standard_normal((3, 5)) * 1e-9).astype(np.float32)
    np.testing.assert_allclose(F.rms_norm(fg.tensor(x), (5,)).data,
                               torch.nn.functional.rms_norm(torch.tensor(x), (5,)).numpy(), rtol=1e-5)


def test_rms_norm_numerical_gradients(rng):
    x = fg.tensor(rng.standard_normal((3, 2, 4)), requires_grad=True)
    w = fg.tensor(rng.standard_normal((2, 4)), requires_grad=True)
    assert fg.gradcheck(lambda a, b: F.rms_norm(a, (2, 4), b, 1e-3), [x, w])


def test_rms_norm_bad_input_names_the_argument():
    x = fg.ones((2, 4))
    with pytest.raises(ValueError, match="rms_norm: argument 'normalized_shape'"):
        F.rms_norm(x, (3,))
    with pytest.raises(ValueError, match="rms_norm: argument 'weight'"):
        F.rms_norm(x, (4,), fg.ones(3))
    with pytest.raises(ValueError, match="rms_norm: argument 'eps'"):
        F.rms_norm(x, (4,), eps=-1.0)
    with pytest.raises(TypeError, match="rms_norm: argument 'input'"):
        F.rms_norm(None, (4,))


# ---- adaptive 1-d pooling ----

@pytest.mark.parametrize("name", ["AdaptiveAvgPool1d", "AdaptiveMaxPool1d"])
@pytest.mark.parametrize("shape, output_size", [((2, 3, 10), 3), ((2, 3, 7), 4), ((3, 11), 5), ((2, 3, 5), 5),
                                                ((2, 3, 4), 7), ((0, 3, 9), 2), ((1, 2, 9), (1,))])
def test_adaptive_pool1d_matches_torch(name, shape, output_size, rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal(shape)
    _compare_module(torch, getattr(nn, name)(output_size), getattr(torch.nn, name)(output_size), x, rng)


def test_adaptive_max_pool1d_indices_match_torch(rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((2, 3, 11))
    out, index = nn.AdaptiveMaxPool1d(4, return_indices=True)(fg.tensor(x))
    expected, expected_index = torch.nn.AdaptiveMaxPool1d(4, return_indices=True)(torch.tensor(x))
    np.testing.assert_array_equal(out.data, expected.numpy())
    assert index.dtype == np.int64
    np.testing.assert_array_equal(index.data, expected_index.numpy())


@pytest.mark.parametrize("fn", [F.adaptive_avg_pool1d, F.adaptive_max_pool1d])
def test_adaptive_pool1d_numerical_gradients(fn, rng):
    x = fg.tensor(rng.standard_normal((2, 3, 7)), requires_grad=True)
    assert fg.gradcheck(lambda a: fn(a, 3), [x])


def test_adaptive_pool1d_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="adaptive_avg_pool1d: argument 'output_size'"):
        F.adaptive_avg_pool1d(fg.ones((2, 3, 4)), 0)
    with pytest.raises(ValueError, match="adaptive_max_pool1d: argument 'output_size'"):
        F.adaptive_max_pool1d(fg.ones((2, 3, 4)), (2, 2))
    with pytest.raises(ValueError, match="adaptive_avg_pool1d: input must be"):
        F.adaptive_avg_pool1d(fg.ones((1, 2, 3, 4)), 2)


# ---- ConvTranspose1d ----

@pytest.mark.parametrize("args, kwargs, shape", [
    ((3, 5, 3), {}, (2, 3, 7)),
    ((4, 6, 3), dict(stride=2, padding=1, output_padding=1, groups=2), (2, 4, 6)),
    ((2, 3, 4), dict(stride=3, padding=2, dilation=2, output_padding=2, bias=False), (3, 2, 5)),
    ((6, 3, 1), dict(groups=3, stride=2), (1, 6, 4)),
    ((3, 4, 2), dict(stride=1, dilation=3, output_padding=1), (3, 6)),
    ((3, 4, 3), dict(stride=2), (0, 3, 5)),
])
def test_conv_transpose1d_matches_torch(args, kwargs, shape, rng):
    torch = pytest.importorskip("torch")
    peer = torch.nn.ConvTranspose1d(*args, **kwargs).double()
    mine = nn.ConvTranspose1d(*args, **kwargs, dtype=np.float64)
    _compare_module(torch, mine, peer, rng.standard_normal(shape), rng)


@pytest.mark.parametrize("name, x_shape, output_size", [("ConvTranspose1d", (2, 4, 5), (14,)),
                                                        ("ConvTranspose1d", (4, 5), [6, 15]),
                                                        ("ConvTranspose1d", (2, 4, 5), (2, 4, 13)),
                                                        ("ConvTranspose2d", (2, 4, 5, 3), (14, 9))])
def test_conv_transpose_output_size_matches_torch(name, x_shape, output_size, rng):
    torch = pytest.importorskip("torch")
    peer = getattr(torch.nn, name)(4, 6, 3, stride=3, padding=1, groups=2).double()
    mine = getattr(nn, name)(4, 6, 3, stride=3, padding=1, groups=2, dtype=np.float64)
    mine.load_state_dict({k: fg.tensor(v.detach().numpy()) for k, v in peer.state_dict().items()})
    x = rng.standard_normal(x_shape)
    got, expected = mine(fg.tensor(x), output_size=output_size), peer(torch.tensor(x), output_size=output_size)
    assert got.shape == tuple(expected.shape)
    np.testing.assert_allclose(got.data, expected.detach().numpy(), **TOL)
    with pytest.raises(ValueError, match=f"{name}: requested output_size"):
        mine(fg.tensor(x), output_size=tuple(s + 5 for s in got.shape[-(1 if name.endswith("1d") else 2):]))


def test_conv_transpose1d_float32_matches_torch(rng):
    torch = pytest.importorskip("torch")
    x, w, b = (rng.standard_normal(s).astype(np.float32) for s in ((2, 4, 9), (4, 3, 5), (6,)))
    got = F.conv_transpose1d(fg.tensor(x), fg.tensor(w), fg.tensor(b), stride=2, padding=1, groups=2)
    expected = torch.nn.functional.conv_transpose1d(torch.tensor(x), torch.tensor(w), torch.tensor(b), stride=2,
                                                    padding=1, groups=2)
    np.testing.assert_allclose(got.data, expected.numpy(), rtol=1e-4, atol=1e-5)


def test_conv_transpose1d_initialisation_is_pytorchs():
    fg.manual_seed(0)
    conv = nn.ConvTranspose1d(4, 6, 5, groups=2)
    assert conv.weight.shape == (4, 3, 5) and conv.bias.shape == (6,)
    assert list(conv.state_dict()) == ["weight", "bias"]
    bound = 1 / np.sqrt(3 * 5)
    assert np.abs(conv.weight.data).max() <= bound and np.abs(conv.bias.data).max() <= bound
    assert conv.weight.data.std() > 0.5 * bound / np.sqrt(3)
    assert "output_padding" not in repr(conv) and "output_padding=(1,)" in repr(nn.ConvTranspose1d(2, 2, 3, 2,
                                                                                                   output_padding=1))


def test_conv_transpose1d_numerical_gradients(rng):
    x, w, b = (fg.tensor(rng.standard_normal(s), requires_grad=True) for s in ((2, 4, 5), (4, 3, 3), (6,)))
    assert fg.gradcheck(lambda a, c, d: F.conv_transpose1d(a, c, d, stride=2, padding=1, output_padding=1,
                                                           groups=2, dilation=1), [x, w, b])


def test_conv_transpose1d_bad_input_names_the_argument():
    x, w = fg.ones((1, 4, 5)), fg.ones((4, 3, 3))
    with pytest.raises(ValueError, match="conv_transpose1d: weight must be 3-d"):
        F.conv_transpose1d(x, fg.ones((4, 3, 3, 3)))
    with pytest.raises(ValueError, match="conv_transpose1d: argument 'stride'"):
        F.conv_transpose1d(x, w, stride=0)
    with pytest.raises(ValueError, match="conv_transpose1d: output_padding"):
        F.conv_transpose1d(x, w, stride=2, output_padding=2)
    with pytest.raises(ValueError, match="conv_transpose1d: input has 4 channels"):
        F.conv_transpose1d(x, fg.ones((2, 3, 3)))
    with pytest.raises(ValueError, match="ConvTranspose1d: padding must be"):
        nn.ConvTranspose1d(2, 2, 3, padding="same")
