"""Padding layers, pixel / channel shuffles, Fold / Unfold, Softmax2d, Threshold and the shrinks,
alpha dropout, LocalResponseNorm, LP pooling and max unpooling: values and input gradients against
PyTorch in float64 over several configurations, central differences, the layers' repr and
arguments against PyTorch's, and bad arguments."""
import warnings

import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
from fastgrad import nn
from torch_parity import check_against_torch

TOL = dict(rtol=1e-10, atol=1e-12)

# name: (input shape, fastgrad function, PyTorch function (torch, x) with the same arguments)
FUNCTIONS = {
    "pixel_shuffle": ((2, 8, 3, 4), lambda x: F.pixel_shuffle(x, 2), lambda T, x: T.nn.functional.pixel_shuffle(x, 2)),
    "pixel_shuffle 3 unbatched": ((18, 2, 3), lambda x: F.pixel_shuffle(x, 3),
                                  lambda T, x: T.nn.functional.pixel_shuffle(x, 3)),
    "pixel_shuffle 5-d": ((2, 2, 4, 2, 3), lambda x: F.pixel_shuffle(x, 2),
                          lambda T, x: T.nn.functional.pixel_shuffle(x, 2)),
    "pixel_unshuffle": ((2, 3, 4, 6), lambda x: F.pixel_unshuffle(x, 2),
                        lambda T, x: T.nn.functional.pixel_unshuffle(x, 2)),
    "pixel_unshuffle 3": ((1, 6, 9), lambda x: F.pixel_unshuffle(x, 3),
                          lambda T, x: T.nn.functional.pixel_unshuffle(x, 3)),
    "channel_shuffle": ((2, 6, 3, 2), lambda x: F.channel_shuffle(x, 3),
                        lambda T, x: T.nn.functional.channel_shuffle(x, 3)),
    "channel_shuffle 3-d": ((2, 8, 5), lambda x: F.channel_shuffle(x, 2),
                            lambda T, x: T.nn.functional.channel_shuffle(x, 2)),
    "unfold": ((2, 3, 5, 6), lambda x: F.unfold(x, 2), lambda T, x: T.nn.functional.unfold(x, 2)),
    "unfold all options": ((2, 2, 7, 6), lambda x: F.unfold(x, (3, 2), dilation=(1, 2), padding=(1, 2), stride=(2, 1)),
                           lambda T, x: T.nn.functional.unfold(x, (3, 2), dilation=(1, 2), padding=(1, 2),
                                                               stride=(2, 1))),
    "unfold unbatched": ((3, 4, 4), lambda x: F.unfold(x, 3, padding=1),
                         lambda T, x: T.nn.functional.unfold(x, 3, padding=1)),
    "fold": ((2, 12, 20), lambda x: F.fold(x, (5, 6), 2), lambda T, x: T.nn.functional.fold(x, (5, 6), 2)),
    "fold all options": ((2, 12, 32), lambda x: F.fold(x, (7, 6), (3, 2), dilation=(1, 2), padding=(1, 2),
                                                       stride=(2, 1)),
                         lambda T, x: T.nn.functional.fold(x, (7, 6), (3, 2), dilation=(1, 2), padding=(1, 2),
                                                           stride=(2, 1))),
    "fold unbatched": ((18, 16), lambda x: F.fold(x, 4, 3, padding=1),
                       lambda T, x: T.nn.functional.fold(x, 4, 3, padding=1)),
    "threshold": ((4, 5), lambda x: F.threshold(x, 0.3, -2.0), lambda T, x: T.nn.functional.threshold(x, 0.3, -2.0)),
    "hardshrink": ((4, 5), lambda x: F.hardshrink(x), lambda T, x: T.nn.functional.hardshrink(x)),
    "hardshrink 1": ((4, 5), lambda x: F.hardshrink(x, 1.0), lambda T, x: T.nn.functional.hardshrink(x, 1.0)),
    "softshrink": ((4, 5), lambda x: F.softshrink(x), lambda T, x: T.nn.functional.softshrink(x)),
    "softshrink 0.8": ((4, 5), lambda x: F.softshrink(x, 0.8), lambda T, x: T.nn.functional.softshrink(x, 0.8)),
    "local_response_norm": ((2, 7, 3, 2), lambda x: F.local_response_norm(x, 3),
                            lambda T, x: T.nn.functional.local_response_norm(x, 3)),
    "local_response_norm 3-d": ((2, 6, 5), lambda x: F.local_response_norm(x, 4, alpha=0.5, beta=0.6, k=2.0),
                                lambda T, x: T.nn.functional.local_response_norm(x, 4, alpha=0.5, beta=0.6, k=2.0)),
    "local_response_norm 5-d": ((1, 5, 2, 3, 2), lambda x: F.local_response_norm(x, 2, alpha=1.0),
                                lambda T, x: T.nn.functional.local_response_norm(x, 2, alpha=1.0)),
    "local_response_norm wide": ((2, 3, 4), lambda x: F.local_response_norm(x, 7, alpha=0.3),
                                 lambda T, x: T.nn.functional.local_response_norm(x, 7, alpha=0.3)),
    "lp_pool1d": ((2, 3, 9), lambda x: F.lp_pool1d(x.abs() + 0.1, 2, 3),
                  lambda T, x: T.nn.functional.lp_pool1d(x.abs() + 0.1, 2, 3)),
    "lp_pool1d stride ceil": ((2, 3, 10), lambda x: F.lp_pool1d(x.abs() + 0.1, 3, 3, 2, ceil_mode=True),
                              lambda T, x: T.nn.functional.lp_pool1d(x.abs() + 0.1, 3, 3, 2, ceil_mode=True)),
    "lp_pool2d": ((2, 3, 6, 4), lambda x: F.lp_pool2d(x.abs() + 0.1, 1.5, (2, 2)),
                  lambda T, x: T.nn.functional.lp_pool2d(x.abs() + 0.1, 1.5, (2, 2))),
    "lp_pool2d stride": ((2, 2, 7, 5), lambda x: F.lp_pool2d(x.abs() + 0.1, 2, (3, 2), 1),
                         lambda T, x: T.nn.functional.lp_pool2d(x.abs() + 0.1, 2, (3, 2), 1)),
    "lp_pool2d p=1 signed": ((1, 2, 4, 4), lambda x: F.lp_pool2d(x, 1, 2),
                             lambda T, x: T.nn.functional.lp_pool2d(x, 1, 2)),
}

# name: (input shape, fastgrad layer, PyTorch layer (torch)): the same arguments to both.
LAYERS = {
    "ZeroPad1d": ((2, 3, 4), lambda: nn.ZeroPad1d(2), lambda T: T.nn.ZeroPad1d(2)),
    "ZeroPad2d": ((2, 3, 4, 5), lambda: nn.ZeroPad2d((1, 2, 0, 3)), lambda T: T.nn.ZeroPad2d((1, 2, 0, 3))),
    "ZeroPad2d crop": ((2, 3, 4, 5), lambda: nn.ZeroPad2d((-1, 2, 1, -2)), lambda T: T.nn.ZeroPad2d((-1, 2, 1, -2))),
    "ZeroPad3d": ((1, 2, 3, 4, 2), lambda: nn.ZeroPad3d(1), lambda T: T.nn.ZeroPad3d(1)),
    "ConstantPad1d": ((3, 4), lambda: nn.ConstantPad1d((3, 1), 2.5), lambda T: T.nn.ConstantPad1d((3, 1), 2.5)),
    "ConstantPad2d": ((2, 3, 4), lambda: nn.ConstantPad2d(2, -1.0), lambda T: T.nn.ConstantPad2d(2, -1.0)),
    "ConstantPad3d": ((1, 2, 3, 2, 2), lambda: nn.ConstantPad3d((1, 0, 2, 1, 0, 3), 0.5),
                      lambda T: T.nn.ConstantPad3d((1, 0, 2, 1, 0, 3), 0.5)),
    "ReflectionPad1d": ((2, 3, 5), lambda: nn.ReflectionPad1d((3, 2)), lambda T: T.nn.ReflectionPad1d((3, 2))),
    "ReflectionPad1d unbatched": ((3, 5), lambda: nn.ReflectionPad1d(4), lambda T: T.nn.ReflectionPad1d(4)),
    "ReflectionPad2d": ((2, 3, 4, 5), lambda: nn.ReflectionPad2d((1, 3, 2, 0)),
                       lambda T: T.nn.ReflectionPad2d((1, 3, 2, 0))),
    "ReflectionPad3d": ((1, 2, 3, 4, 3), lambda: nn.ReflectionPad3d(2), lambda T: T.nn.ReflectionPad3d(2)),
    "ReplicationPad1d": ((2, 3, 4), lambda: nn.ReplicationPad1d((5, 1)), lambda T: T.nn.ReplicationPad1d((5, 1))),
    "ReplicationPad2d": ((2, 3, 4, 5), lambda: nn.ReplicationPad2d(3), lambda T: T.nn.ReplicationPad2d(3)),
    "ReplicationPad3d": ((1, 2, 2, 3, 2), lambda: nn.ReplicationPad3d((1, 2, 0, 1, 2, 0)),
                         lambda T: T.nn.ReplicationPad3d((1, 2, 0, 1, 2, 0))),
    "CircularPad1d": ((2, 3, 4), lambda: nn.CircularPad1d((2, 3)), lambda T: T.nn.CircularPad1d((2, 3))),
    "CircularPad2d": ((2, 3, 4, 5), lambda: nn.CircularPad2d(2), lambda T: T.nn.CircularPad2d(2)),
    "PixelShuffle": ((2, 9, 2, 3), lambda: nn.PixelShuffle(3), lambda T: T.nn.PixelShuffle(3)),
    "PixelUnshuffle": ((2, 2, 4, 6), lambda: nn.PixelUnshuffle(2), lambda T: T.nn.PixelUnshuffle(2)),
    "ChannelShuffle": ((2, 6, 3, 3), lambda: nn.ChannelShuffle(2), lambda T: T.nn.ChannelShuffle(2)),
    "UpsamplingNearest2d": ((2, 3, 3, 4), lambda: nn.UpsamplingNearest2d(scale_factor=2),
                            lambda T: T.nn.UpsamplingNearest2d(scale_factor=2)),
    "UpsamplingNearest2d size": ((2, 3, 3, 4), lambda: nn.UpsamplingNearest2d(size=(5, 7)),
                                 lambda T: T.nn.UpsamplingNearest2d(size=(5, 7))),
    "UpsamplingBilinear2d": ((2, 3, 3, 4), lambda: nn.UpsamplingBilinear2d(scale_factor=2),
                             lambda T: T.nn.UpsamplingBilinear2d(scale_factor=2)),
    "UpsamplingBilinear2d size": ((1, 2, 4, 3), lambda: nn.UpsamplingBilinear2d((7, 5)),
                                  lambda T: T.nn.UpsamplingBilinear2d((7, 5))),
    "Fold": ((2, 8, 12), lambda: nn.Fold((4, 5), 2), lambda T: T.nn.Fold((4, 5), 2)),
    "Unfold": ((2, 2, 4, 5), lambda: nn.Unfold((2, 3), padding=1, stride=2),
               lambda T: T.nn.Unfold((2, 3), padding=1, stride=2)),
    "Softmax2d": ((2, 4, 3, 3), lambda: nn.Softmax2d(), lambda T: T.nn.Softmax2d()),
    "Softmax2d unbatched": ((4, 3, 2), lambda: nn.Softmax2d(), lambda T: T.nn.Softmax2d()),
    "Threshold": ((3, 4), lambda: nn.Threshold(0.1, 20.0), lambda T: T.nn.Threshold(0.1, 20.0)),
    "Hardshrink": ((3, 4), lambda: nn.Hardshrink(), lambda T: T.nn.Hardshrink()),
    "Softshrink": ((3, 4), lambda: nn.Softshrink(0.3), lambda T: T.nn.Softshrink(0.3)),
    "LocalResponseNorm": ((2, 6, 3, 3), lambda: nn.LocalResponseNorm(3, alpha=0.1),
                          lambda T: T.nn.LocalResponseNorm(3, alpha=0.1)),
    "LPPool1d": ((2, 3, 8), lambda: nn.LPPool1d(2, 3, 2), lambda T: T.nn.LPPool1d(2, 3, 2)),
    "LPPool2d": ((2, 3, 6, 6), lambda: nn.LPPool2d(4, (2, 3)), lambda T: T.nn.LPPool2d(4, (2, 3))),
    "AlphaDropout eval": ((3, 4), lambda: nn.AlphaDropout(0.3).eval(), lambda T: T.nn.AlphaDropout(0.3).eval()),
    "FeatureAlphaDropout eval": ((2, 3, 4), lambda: nn.FeatureAlphaDropout().eval(),
                                 lambda T: T.nn.FeatureAlphaDropout().eval()),
}


def _break_points_away(x, name):
    """The shrinks and threshold have kinks at +-0.3, +-0.5, +-0.8, +-1: moved off them for the
    central differences."""
    for kink in (0.3, 0.5, 0.8, 1.0):
        near = np.abs(np.abs(x) - kink) < 1e-3
        x[near] += 0.01
    return x


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_functions_match_pytorch(name, rng):
    torch = pytest.importorskip("torch")
    shape, mine, theirs = FUNCTIONS[name]
    check_against_torch(torch, mine, lambda a: theirs(torch, a), [rng.standard_normal(shape)], rng, TOL)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_functions_numerical_gradients(name, rng):
    shape, mine, _ = FUNCTIONS[name]
    x = _break_points_away(rng.standard_normal(shape), name)
    assert fg.gradcheck(mine, [fg.tensor(x, requires_grad=True)])


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layers_match_pytorch_with_the_same_repr(name, rng):
    torch = pytest.importorskip("torch")
    shape, mine, theirs = LAYERS[name]
    layer, peer = mine(), theirs(torch)
    assert repr(layer) == repr(peer)
    assert list(layer.state_dict()) == list(peer.state_dict()) == []
    check_against_torch(torch, layer, peer, [rng.standard_normal(shape)], rng, TOL)


@pytest.mark.parametrize("name", ["ZeroPad2d", "ReflectionPad2d", "ReplicationPad1d", "Unfold", "Fold",
                                  "LocalResponseNorm", "PixelShuffle"])
def test_layers_numerical_gradients(name, rng):
    shape, mine, _ = LAYERS[name]
    assert fg.gradcheck(mine(), [fg.tensor(rng.standard_normal(shape), requires_grad=True)])


def test_layer_arguments_are_stored_as_pytorch_stores_them():
    torch = pytest.importorskip("torch")
    pairs = [(nn.ZeroPad1d(2), torch.nn.ZeroPad1d(2)), (nn.ConstantPad3d(1, 3.0), torch.nn.ConstantPad3d(1, 3.0)),
             (nn.ReflectionPad2d((1, 2, 3, 4)), torch.nn.ReflectionPad2d((1, 2, 3, 4))),
             (nn.MaxUnpool2d(2, 1, 1), torch.nn.MaxUnpool2d(2, 1, 1)), (nn.MaxUnpool1d(3), torch.nn.MaxUnpool1d(3)),
             (nn.LPPool2d(1.5, (2, 3), 1), torch.nn.LPPool2d(1.5, (2, 3), 1)),
             (nn.Fold((4, 5), 2), torch.nn.Fold((4, 5), 2)), (nn.Threshold(0.1, 20, True), torch.nn.Threshold(0.1, 20, True))]
    for mine, peer in pairs:
        assert repr(mine) == repr(peer)
        for key in ("padding", "value", "kernel_size", "stride", "norm_type", "output_size", "threshold", "inplace"):
            if hasattr(peer, key):
                assert getattr(mine, key) == getattr(peer, key), (mine, key)


@pytest.mark.parametrize("dims, shape, kernel, stride, padding", [
    (2, (2, 3, 6, 8), 2, None, 0),
    (2, (1, 2, 7, 5), (3, 2), (2, 1), (1, 0)),
    (2, (3, 5, 4), 2, 2, 0),
    (1, (2, 3, 9), 3, 2, 1),
    (1, (3, 8), 2, None, 0),
])
def test_max_unpool_matches_pytorch(dims, shape, kernel, stride, padding, rng):
    torch = pytest.importorskip("torch")
    pool_t = getattr(torch.nn.functional, f"max_pool{dims}d")
    x = torch.tensor(rng.standard_normal(shape))
    values, indices = pool_t(x, kernel, stride, padding, return_indices=True)
    unpool_m, unpool_t = getattr(F, f"max_unpool{dims}d"), getattr(torch.nn.functional, f"max_unpool{dims}d")
    check_against_torch(torch, lambda v: unpool_m(v, indices.numpy(), kernel, stride, padding),
                        lambda v: unpool_t(v, indices, kernel, stride, padding), [values.numpy()], rng, TOL)
    layer = getattr(nn, f"MaxUnpool{dims}d")(kernel, stride, padding)
    peer = getattr(torch.nn, f"MaxUnpool{dims}d")(kernel, stride, padding)
    np.testing.assert_array_equal(layer(fg.tensor(values.numpy()), fg.tensor(indices.numpy())).numpy(),
                                  peer(values, indices).numpy())


def test_max_unpool_output_size_and_round_trip(rng):
    torch = pytest.importorskip("torch")
    x = np.abs(rng.standard_normal((2, 3, 5, 7))) + 0.1     # positive, so the zeros put back never win
    values, indices = F.max_pool2d(fg.tensor(x), 2, return_indices=True)
    out = nn.MaxUnpool2d(2)(values, indices, output_size=(2, 3, 5, 7))
    expected = torch.nn.functional.max_unpool2d(torch.tensor(values.numpy()), torch.tensor(indices.numpy()), 2,
                                                output_size=[5, 7])
    assert out.shape == (2, 3, 5, 7)
    np.testing.assert_array_equal(out.numpy(), expected.numpy())
    # every pooled maximum is back at its place; the pooled values of the result are the same
    np.testing.assert_array_equal(F.max_pool2d(out, 2).numpy(), values.numpy())
    assert fg.gradcheck(lambda v: F.max_unpool2d(v, indices, 2, output_size=(5, 7)),
                        [fg.tensor(values.numpy(), requires_grad=True)])


def test_fold_is_the_adjoint_of_unfold(rng):
    x, c = rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((2, 3 * 6, 3 * 5))
    args = dict(kernel_size=(3, 2), dilation=(1, 2), padding=1, stride=(2, 1))
    lhs = (F.unfold(fg.tensor(x), **args).numpy() * c).sum()
    rhs = (x * F.fold(fg.tensor(c), (6, 5), **args).numpy()).sum()
    np.testing.assert_allclose(lhs, rhs, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(dtype, rng):
    x = fg.tensor(rng.standard_normal((2, 4, 4, 4)).astype(dtype))
    for layer in (nn.ZeroPad2d(1), nn.ReflectionPad2d(1), nn.PixelShuffle(2), nn.ChannelShuffle(2), nn.Unfold(2),
                  nn.Softmax2d(), nn.Threshold(0.0, 1.0), nn.Hardshrink(), nn.Softshrink(), nn.LocalResponseNorm(2),
                  nn.LPPool2d(2, 2), nn.UpsamplingBilinear2d(scale_factor=2), nn.AlphaDropout(0.2),
                  nn.FeatureAlphaDropout(0.2)):
        assert layer(x).dtype == dtype, layer
    assert F.fold(F.unfold(x, 2), (4, 4), 2).dtype == dtype


def test_empty_inputs(rng):
    x = fg.tensor(np.zeros((0, 4, 3, 3)), requires_grad=True)
    for fn in (lambda t: F.pixel_shuffle(t, 2), lambda t: F.unfold(t, 2), lambda t: F.local_response_norm(t, 3),
               lambda t: F.softshrink(t), lambda t: F.channel_shuffle(t, 2)):
        y = fn(x)
        y.sum().backward()
        assert y.numel() == 0 and x.grad.shape == x.shape


def test_shrinks_and_threshold_keep_nan_and_infinities_as_pytorch():
    torch = pytest.importorskip("torch")
    x = np.array([np.nan, -np.inf, np.inf, 0.5, -0.5, 0.0])
    for mine, theirs in ((lambda t: F.threshold(t, 0.0, 5.0), lambda t: torch.nn.functional.threshold(t, 0.0, 5.0)),
                         (F.hardshrink, torch.nn.functional.hardshrink),
                         (F.softshrink, torch.nn.functional.softshrink)):
        np.testing.assert_array_equal(mine(fg.tensor(x)).numpy(), theirs(torch.tensor(x)).numpy())


def test_threshold_inplace_writes_into_the_input():
    x = fg.tensor([-1.0, 0.5, 2.0])
    y = nn.Threshold(1.0, 0.0, inplace=True)(x)
    assert y is x and x.tolist() == [0.0, 0.0, 2.0]


# ---- alpha dropout ----

SATURATION = 1.7580993408473766


def _alpha_parts(p):
    a = 1.0 / np.sqrt((SATURATION ** 2 * p + 1.0) * (1.0 - p))
    return a * SATURATION * p, -a * SATURATION * (1.0 - p), a


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_alpha_dropout_values_follow_pytorchs_formula(p, rng):
    x = rng.standard_normal((50, 40))
    t = fg.tensor(x, requires_grad=True)
    y = F.alpha_dropout(t, p, training=True).numpy()
    shift, dropped_value, a = _alpha_parts(p)
    kept = np.isclose(y, a * x + shift, rtol=1e-12, atol=1e-12)
    dropped = np.isclose(y, dropped_value, rtol=1e-12, atol=1e-12)
    assert np.all(kept | dropped)
    assert abs(dropped.mean() - p) < 0.05
    F.alpha_dropout(t, p, training=True)  # a second draw differs
    fg.manual_seed(7)
    first = F.alpha_dropout(t, p, training=True)
    first.sum().backward()
    fg.manual_seed(7)
    again = F.alpha_dropout(fg.tensor(x), p, training=True)
    np.testing.assert_array_equal(first.numpy(), again.numpy())
    mask = np.isclose(first.numpy(), a * x + shift, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(t.grad.numpy(), mask * a, rtol=1e-12)


def test_alpha_dropout_keeps_zero_mean_and_unit_variance_like_pytorch():
    torch = pytest.importorskip("torch")
    fg.manual_seed(0)
    x = np.random.default_rng(0).standard_normal(200_000)
    for p in (0.2, 0.5):
        mine = F.alpha_dropout(fg.tensor(x), p, training=True).numpy()
        theirs = torch.nn.functional.alpha_dropout(torch.tensor(x), p, training=True).numpy()
        for y in (mine, theirs):
            assert abs(y.mean()) < 0.02 and abs(y.var() - 1.0) < 0.02


def test_feature_alpha_dropout_drops_whole_channels(rng):
    x = rng.standard_normal((8, 16, 5, 3))
    p = 0.4
    y = nn.FeatureAlphaDropout(p)(fg.tensor(x)).numpy()
    shift, dropped_value, a = _alpha_parts(p)
    dropped = np.isclose(y, dropped_value, rtol=1e-12).all(axis=(2, 3))
    kept = np.isclose(y, a * x + shift, rtol=1e-12).all(axis=(2, 3))
    assert np.all(dropped ^ kept) and dropped.any() and kept.any()


def test_alpha_dropout_edges_and_defaults(rng):
    torch = pytest.importorskip("torch")
    x = fg.tensor(rng.standard_normal((3, 4)))
    assert F.alpha_dropout(x, 0.5) is x                      # PyTorch's default is training=False
    assert F.alpha_dropout(x, 0.0, training=True) is x
    np.testing.assert_array_equal(F.alpha_dropout(x, 1.0, training=True).numpy(),
                                  torch.nn.functional.alpha_dropout(torch.tensor(x.numpy()), 1.0, True).numpy())
    assert nn.AlphaDropout(0.3).eval()(x) is x
    y = fg.tensor(rng.standard_normal((4, 5)))
    z = F.alpha_dropout(y, 0.5, training=True, inplace=True)
    assert z is y


# ---- bad arguments ----

BAD = [
    (lambda: F.pixel_shuffle(fg.ones(1, 6, 2, 2), 2), ValueError, "divisible by upscale_factor"),
    (lambda: F.pixel_shuffle(fg.ones(4, 2), 2), ValueError, "at least 3 dimensions"),
    (lambda: F.pixel_shuffle(fg.ones(1, 4, 2, 2), 0), ValueError, "upscale_factor"),
    (lambda: F.pixel_unshuffle(fg.ones(1, 1, 3, 4), 2), ValueError, "divisible by downscale_factor"),
    (lambda: F.channel_shuffle(fg.ones(1, 5, 2), 2), ValueError, "divisible by groups"),
    (lambda: F.unfold(fg.ones(2, 3), 2), ValueError, "4-d"),
    (lambda: F.unfold(fg.ones(1, 1, 2, 2), 3), ValueError, "at least one"),
    (lambda: F.unfold(fg.ones(1, 1, 4, 4), 2, stride=0), ValueError, "stride"),
    (lambda: F.unfold(fg.ones(1, 1, 4, 4), "2"), TypeError, "kernel_size"),
    (lambda: F.fold(fg.ones(1, 5, 9), (4, 4), 2), ValueError, "divisible"),
    (lambda: F.fold(fg.ones(1, 4, 8), (4, 4), 2), ValueError, "sliding blocks"),
    (lambda: F.fold(fg.ones(4), (4, 4), 2), ValueError, "3-d"),
    (lambda: F.softshrink(fg.ones(2), -1.0), ValueError, "lambd"),
    (lambda: F.hardshrink(fg.ones(2), "a"), TypeError, "lambd"),
    (lambda: F.threshold(fg.ones(2), None, 0.0), TypeError, "threshold"),
    (lambda: F.local_response_norm(fg.ones(2, 3), 2), ValueError, "3 or more dimensions"),
    (lambda: F.local_response_norm(fg.ones(2, 3, 4), 0), ValueError, "size"),
    (lambda: F.lp_pool2d(fg.ones(1, 1, 4, 4), 0, 2), ValueError, "norm_type"),
    (lambda: F.lp_pool1d(fg.ones(1, 1, 4), 2, 0), ValueError, "kernel_size"),
    (lambda: F.max_unpool2d(fg.ones(1, 1, 2, 2), np.array([[[[0, 1], [2, 20]]]]), 2), IndexError, "invalid max index"),
    (lambda: F.max_unpool2d(fg.ones(1, 1, 2, 2), np.zeros((1, 1, 2, 2)), 2), TypeError, "integers"),
    (lambda: F.max_unpool2d(fg.ones(1, 1, 2, 2), np.zeros((1, 1, 2), np.int64), 2), ValueError, "shape"),
    (lambda: F.max_unpool2d(fg.ones(1, 1, 2, 2), np.zeros((1, 1, 2, 2), np.int64), 2, output_size=(7, 4)),
     ValueError, "invalid output_size"),
    (lambda: F.max_unpool2d(fg.ones(1, 1, 2, 2), np.zeros((1, 1, 2, 2), np.int64), 2, output_size=(4, 4, 4)),
     ValueError, "output_size"),
    (lambda: F.max_unpool1d(fg.ones(2), np.zeros(2, np.int64), 2), ValueError, "3-d"),
    (lambda: F.alpha_dropout(fg.ones(2), 1.5, True), ValueError, "between 0 and 1"),
    (lambda: nn.AlphaDropout(-0.1), ValueError, "between 0 and 1"),
    (lambda: F.feature_alpha_dropout(fg.ones(3), 0.5, True), ValueError, "at least 2 dimensions"),
    (lambda: nn.Softmax2d()(fg.ones(2, 3)), ValueError, "3D or 4D"),
    (lambda: nn.ZeroPad2d((1, 2)), TypeError, "tuple of 4 ints"),
    (lambda: nn.ReflectionPad1d(3)(fg.ones(1, 2, 3)), ValueError, "smaller than"),
    (lambda: nn.MaxUnpool2d(0), ValueError, "kernel_size"),
]


@pytest.mark.parametrize("case", range(len(BAD)))
def test_bad_arguments_raise_clear_errors(case):
    call, error, words = BAD[case]
    with pytest.raises(error, match=words):
        call()


def test_deprecated_upsample_functions_warn_and_match_pytorch(rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((1, 2, 3, 4))
    pairs = [(lambda t: F.upsample_bilinear(t, scale_factor=2), lambda t: torch.nn.functional.upsample_bilinear(t, scale_factor=2)),
             (lambda t: F.upsample_nearest(t, (5, 6)), lambda t: torch.nn.functional.upsample_nearest(t, (5, 6))),
             (lambda t: F.upsample(t, scale_factor=2, mode="bilinear"),
              lambda t: torch.nn.functional.upsample(t, scale_factor=2, mode="bilinear"))]
    for mine, theirs in pairs:
        with pytest.warns(UserWarning, match="deprecated"):
            got = mine(fg.tensor(x))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            np.testing.assert_allclose(got.numpy(), theirs(torch.tensor(x)).numpy(), **TOL)
