"""torch.* forms of nn.functional's ops (torch.conv2d, torch.layer_norm, torch.embedding(weight,
indices), torch.kl_div with reduction numbers, ...) and the module-level in-place functions
(torch.relu_, torch.exp_, ...): called with torch.*'s signatures in both libraries, values and
gradients against PyTorch in float64 and against central differences; dropout's forms by their
structure and statistics; refusals."""
import numpy as np
import pytest

import fastgrad as fg
from refusals import refusal_test
from torch_parity import check_case_against_torch, gradcheck_case

TOL = dict(rtol=1e-9, atol=1e-11)


def _any(rng, s):
    return rng.standard_normal(s)


def _positive(rng, s):
    return rng.uniform(0.2, 2.0, s)


def _probabilities(rng, s):
    return rng.uniform(0.05, 0.95, s)


def _t(lib, values, dtype=None):
    return lib.tensor(np.asarray(values), dtype=dtype)


# (name, call with the library as `t`, input shapes, domain)
CASES = [
    ("conv1d", lambda t, x, w, b: t.conv1d(x, w, b, 2, 1), [(2, 3, 9), (4, 3, 3), (4,)], _any),
    ("conv2d", lambda t, x, w: t.conv2d(x, w, None, 1, 1, 1, 1), [(1, 2, 5, 5), (3, 2, 3, 3)], _any),
    ("conv3d", lambda t, x, w: t.conv3d(x, w), [(1, 2, 4, 4, 3), (2, 2, 2, 2, 2)], _any),
    ("conv_transpose1d", lambda t, x, w: t.conv_transpose1d(x, w, None, 2, 1, 1), [(1, 2, 5), (2, 3, 3)], _any),
    ("conv_transpose2d", lambda t, x, w, b: t.conv_transpose2d(x, w, b, 2), [(1, 2, 3, 3), (2, 3, 2, 2), (3,)],
     _any),
    ("max_pool1d", lambda t, x: t.max_pool1d(x, 3), [(2, 3, 8)], _any),
    ("max_pool1d stride", lambda t, x: t.max_pool1d(x, 3, 2, 1), [(2, 1, 9)], _any),
    ("max_pool2d", lambda t, x: t.max_pool2d(x, 2, [], 0, 1, True), [(1, 2, 5, 5)], _any),
    ("max_pool3d", lambda t, x: t.max_pool3d(x, 2), [(1, 1, 4, 4, 4)], _any),
    ("max_pool1d_with_indices", lambda t, x: t.max_pool1d_with_indices(x, 2)[0], [(2, 2, 6)], _any),
    ("avg_pool1d", lambda t, x: t.avg_pool1d(x, 3, 2, 1, False, False), [(2, 3, 7)], _any),
    ("adaptive_avg_pool1d", lambda t, x: t.adaptive_avg_pool1d(x, 4), [(2, 3, 10)], _any),
    ("adaptive_max_pool1d", lambda t, x: t.adaptive_max_pool1d(x, 3)[0], [(2, 3, 7)], _any),
    ("batch_norm training", lambda t, x, w, b: t.batch_norm(x, w, b, None, None, True, 0.1, 1e-5, False),
     [(4, 3, 5), (3,), (3,)], _any),
    ("batch_norm running", lambda t, x: t.batch_norm(x, None, None, _t(t, [0.1, -0.2, 0.3]), _t(t, [1.0, 2.0, 0.5]),
                                                     False, 0.1, 1e-5, True), [(4, 3)], _any),
    ("instance_norm", lambda t, x, w, b: t.instance_norm(x, w, b, None, None, True, 0.1, 1e-5, False),
     [(2, 3, 6), (3,), (3,)], _any),
    ("layer_norm", lambda t, x, w, b: t.layer_norm(x, [4], w, b, 1e-5, True), [(3, 4), (4,), (4,)], _any),
    ("layer_norm shape only", lambda t, x: t.layer_norm(x, (2, 3)), [(4, 2, 3)], _any),
    ("group_norm", lambda t, x, w, b: t.group_norm(x, 2, w, b, 1e-5, True), [(2, 4, 3), (4,), (4,)], _any),
    ("rms_norm", lambda t, x, w: t.rms_norm(x, [5], w, 1e-6), [(3, 5), (5,)], _any),
    ("embedding", lambda t, w: t.embedding(w, _t(t, [[1, 4], [4, 0]])), [(5, 3)], _any),
    ("embedding padding", lambda t, w: t.embedding(w, _t(t, [1, 2, 2, 3]), 2), [(4, 2)], _any),
    ("embedding_bag sum", lambda t, w: t.embedding_bag(w, _t(t, [1, 2, 4, 4, 3]), _t(t, [0, 2, 2]))[0],
     [(5, 2)], _any),
    ("embedding_bag mean", lambda t, w: t.embedding_bag(w, _t(t, [1, 2, 4, 4, 3]), _t(t, [0, 2]), False, 1)[0],
     [(5, 3)], _any),
    ("embedding_bag max", lambda t, w: t.embedding_bag(w, _t(t, [1, 2, 3, 0]), _t(t, [0, 2]), False, 2)[0],
     [(5, 3)], _any),
    ("pixel_shuffle", lambda t, x: t.pixel_shuffle(x, 2), [(1, 8, 2, 3)], _any),
    ("pixel_unshuffle", lambda t, x: t.pixel_unshuffle(x, 2), [(1, 2, 4, 6)], _any),
    ("channel_shuffle", lambda t, x: t.channel_shuffle(x, 2), [(2, 4, 3)], _any),
    ("cosine_similarity", lambda t, a, b: t.cosine_similarity(a, b), [(3, 4), (3, 4)], _any),
    ("pairwise_distance", lambda t, a, b: t.pairwise_distance(a, b, 3.0), [(3, 4), (3, 4)], _any),
    ("pdist", lambda t, x: t.pdist(x), [(4, 3)], _any),
    ("bilinear", lambda t, a, b, w, c: t.bilinear(a, b, w, c), [(3, 2), (3, 4), (5, 2, 4), (5,)], _any),
    ("celu", lambda t, x: t.celu(x, 0.7), [(3, 4)], _any),
    ("selu", lambda t, x: t.selu(x), [(5,)], _any),
    ("threshold", lambda t, x: t.threshold(x, 0.1, -2.0), [(3, 4)], _any),
    ("hardshrink", lambda t, x: t.hardshrink(x, 0.3), [(3, 4)], _any),
    ("hardshrink method", lambda t, x: x.hardshrink(), [(6,)], _any),
    ("prelu", lambda t, x, w: t.prelu(x, w), [(2, 3, 4), (3,)], _any),
    ("prelu method", lambda t, x, w: x.prelu(w), [(2, 3), (1,)], _any),
    ("constant_pad_nd", lambda t, x: t.constant_pad_nd(x, [1, 2, 0, 1], 0.5), [(2, 3)], _any),
    ("kl_div", lambda t, x, y: t.kl_div(x, y), [(3, 4), (3, 4)], _positive),
    ("kl_div mean log_target", lambda t, x, y: t.kl_div(x, y, 1, log_target=True), [(3, 4), (3, 4)], _any),
    ("poisson_nll_loss", lambda t, x, y: t.poisson_nll_loss(x, y, True, False, 1e-8, 1), [(6,), (6,)], _positive),
    ("poisson_nll_loss full", lambda t, x, y: t.poisson_nll_loss(x, y * 3, False, True, 1e-8, 0), [(6,), (6,)],
     _positive),
    ("margin_ranking_loss", lambda t, a, b: t.margin_ranking_loss(a, b, _t(t, [1.0, -1, 1, -1]), 0.2),
     [(4,), (4,)], _any),
    ("margin_ranking_loss sum", lambda t, a, b: t.margin_ranking_loss(a, b, _t(t, [1.0, -1, -1]), 0.0, 2),
     [(3,), (3,)], _any),
    ("hinge_embedding_loss", lambda t, x: t.hinge_embedding_loss(x, _t(t, [1.0, -1, -1, 1]), 1.5, 1), [(4,)], _any),
    ("cosine_embedding_loss", lambda t, a, b: t.cosine_embedding_loss(a, b, _t(t, [1.0, -1, 1]), 0.1),
     [(3, 5), (3, 5)], _any),
    ("triplet_margin_loss", lambda t, a, p, n: t.triplet_margin_loss(a, p, n, 0.5, 2, 1e-6, True, 1),
     [(3, 4), (3, 4), (3, 4)], _any),
    ("ctc_loss", lambda t, x: t.ctc_loss(x.log_softmax(2), _t(t, [[1, 2, 1], [2, 2, 0]]), [6, 5], [3, 2]),
     [(6, 2, 3)], _any),
    ("binary_cross_entropy_with_logits", lambda t, x, y: t.binary_cross_entropy_with_logits(x, y),
     [(3, 4), (3, 4)], _probabilities),
    ("binary_cross_entropy_with_logits weighted",
     lambda t, x, y: t.binary_cross_entropy_with_logits(x, y, _t(t, [0.5, 1.0, 2.0, 1.5]), _t(t, [2.0, 1.0, 0.5, 3.0]),
                                                        2), [(3, 4), (3, 4)], _probabilities),
    ("dropout off", lambda t, x: t.dropout(x, 0.5, False), [(3, 4)], _any),
    ("grid_sampler bilinear zeros", lambda t, x, g: t.grid_sampler(x, g.tanh() * 1.2, 0, 0, False),
     [(1, 2, 4, 5), (1, 3, 3, 2)], _any),
    ("grid_sampler reflection aligned", lambda t, x, g: t.grid_sampler(x, g.tanh() * 1.3, 0, 2, True),
     [(1, 1, 4, 4), (1, 2, 3, 2)], _any),
    ("affine_grid_generator", lambda t, th: t.affine_grid_generator(th, (1, 1, 3, 4), False), [(1, 2, 3)], _any),
    ("alpha_dropout off", lambda t, x: t.alpha_dropout(x, 0.3, False), [(3, 4)], _any),
    ("feature_dropout off", lambda t, x: t.feature_dropout(x, 0.3, False), [(2, 3, 4)], _any),
]


# fastgrad's celu agrees with PyTorch's to about 1e-8 relative (its exponential's accuracy)
LOOSER = {"celu": dict(rtol=1e-7, atol=1e-9)}
# a padding row's gradient is zero by definition, not the function's derivative: compared with PyTorch only
NOT_THE_DERIVATIVE = {"embedding padding"}


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_values_and_gradients_match_pytorch(case, rng):
    torch = pytest.importorskip("torch")
    check_case_against_torch(torch, case, rng, LOOSER.get(case[0], TOL))


GRADCHECKED = [c for c in CASES if c[0] not in NOT_THE_DERIVATIVE]


@pytest.mark.parametrize("case", GRADCHECKED, ids=[c[0] for c in GRADCHECKED])
def test_gradients_match_central_differences(case, rng):
    assert gradcheck_case(case, rng)


def test_float32_values_match_pytorch(rng):
    torch = pytest.importorskip("torch")
    for name, call, shapes, domain in CASES:
        if name.startswith(("embedding", "ctc", "batch_norm running", "margin", "hinge", "cosine_embedding")):
            continue
        arrays = [domain(rng, s).astype(np.float32) for s in shapes]
        got = call(fg, *(fg.tensor(a) for a in arrays))
        expected = call(torch, *(torch.tensor(a) for a in arrays))
        assert got.dtype == expected.numpy().dtype, name
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=2e-4, atol=2e-5, err_msg=name)


def test_embedding_bag_returns_the_bag_of_each_index_and_each_bags_size():
    torch = pytest.importorskip("torch")
    w = np.arange(10.0).reshape(5, 2)
    for mode in (1, 2):
        mine = fg.embedding_bag(fg.tensor(w), fg.tensor([1, 2, 4, 4, 3]), fg.tensor([0, 2, 2]), False, mode)
        theirs = torch.embedding_bag(torch.tensor(w), torch.tensor([1, 2, 4, 4, 3]), torch.tensor([0, 2, 2]), False,
                                     mode)
        np.testing.assert_allclose(mine[0].numpy(), theirs[0].numpy(), **TOL)
        np.testing.assert_array_equal(mine[1].numpy(), theirs[1].numpy())
        np.testing.assert_array_equal(mine[2].numpy(), theirs[2].numpy())
        if mode == 2:
            np.testing.assert_array_equal(mine[3].numpy(), theirs[3].numpy())


def test_grid_sampler_nearest_and_border_values_match_pytorch(rng):
    torch = pytest.importorskip("torch")
    x, g = rng.standard_normal((1, 2, 4, 5)), rng.uniform(-1.2, 1.2, (1, 3, 3, 2))
    for interpolation, padding in ((1, 1), (1, 0), (0, 1)):
        np.testing.assert_allclose(fg.grid_sampler(fg.tensor(x), fg.tensor(g), interpolation, padding, False).numpy(),
                                   torch.grid_sampler(torch.tensor(x), torch.tensor(g), interpolation, padding,
                                                      False).numpy(), **TOL)


def test_batch_norm_updates_the_running_statistics_as_pytorch(rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((6, 3))
    stats = []
    for lib in (fg, torch):
        mean, var = lib.zeros(3, dtype=lib.float64), lib.ones(3, dtype=lib.float64)
        lib.batch_norm(lib.tensor(x), None, None, mean, var, True, 0.3, 1e-5, False)
        stats.append((mean.numpy(), var.numpy()))
    for m, t in zip(*stats):
        np.testing.assert_allclose(m, t, **TOL)


def test_max_pool_indices_match_pytorch(rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((2, 3, 9))
    np.testing.assert_array_equal(fg.max_pool1d_with_indices(fg.tensor(x), 3, 2)[1].numpy(),
                                  torch.max_pool1d_with_indices(torch.tensor(x), 3, 2)[1].numpy())
    np.testing.assert_array_equal(fg.adaptive_max_pool1d(fg.tensor(x), 4)[1].numpy(),
                                  torch.adaptive_max_pool1d(torch.tensor(x), 4)[1].numpy())


def test_dropout_forms_drop_and_scale_as_pytorch():
    fg.manual_seed(0)
    x = fg.ones(200, 50, dtype=fg.float64)
    y = fg.dropout(x, 0.25, True).numpy()
    assert set(np.unique(y)) == {0.0, 1 / 0.75} and abs((y == 0).mean() - 0.25) < 0.02
    z = fg.feature_dropout(fg.ones(400, 30, 5, dtype=fg.float64), 0.4, True).numpy()
    assert np.all(z == z[:, :, :1])    # whole channels
    assert set(np.unique(z)) == {0.0, 1 / 0.6} and abs((z[:, :, 0] == 0).mean() - 0.4) < 0.02
    a = fg.alpha_dropout(fg.randn(20000, dtype=fg.float64), 0.2, True)
    assert abs(float(a.mean())) < 0.05 and abs(float(a.std()) - 1) < 0.05   # keeps mean 0 and variance 1
    assert fg.feature_dropout(x, 1.0, True).numpy().max() == 0.0


def test_in_place_dropout_forms_write_into_the_input():
    fg.manual_seed(1)
    for name in ("dropout_", "alpha_dropout_", "feature_dropout_", "feature_alpha_dropout_"):
        x = fg.ones(40, 30, dtype=fg.float64)
        assert getattr(fg, name)(x, 0.5, True) is x
        assert (x.numpy() != 1).any(), name
        y = fg.ones(4, 3)
        getattr(fg, name)(y, 0.5, False)
        assert (y.numpy() == 1).all()


def test_in_place_activations_match_pytorch(rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((3, 4))
    for name, args in (("celu_", (0.5,)), ("selu_", ()), ("threshold_", (0.2, -1.0))):
        mine, theirs = fg.tensor(x), torch.tensor(x)
        assert getattr(fg, name)(mine, *args) is mine
        getattr(torch, name)(theirs, *args)
        np.testing.assert_allclose(mine.numpy(), theirs.numpy(), **TOL)


def test_stft_and_istft_methods_are_the_functions(rng):
    torch = pytest.importorskip("torch")
    signal = rng.standard_normal(64)
    window = np.hanning(16)
    mine = fg.tensor(signal).stft(16, 4, window=fg.tensor(window), return_complex=True)
    theirs = torch.tensor(signal).stft(16, 4, window=torch.tensor(window), return_complex=True)
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), **TOL)
    back = mine.istft(16, 4, window=fg.tensor(window), length=64)
    np.testing.assert_allclose(back.numpy(), signal, **TOL)


MODULE_IN_PLACE = [("relu_", (), _any), ("sigmoid_", (), _any), ("tanh_", (), _any), ("exp_", (), _any),
                   ("log_", (), _positive), ("sqrt_", (), _positive), ("clamp_", (-0.5, 0.5), _any),
                   ("clamp_min_", (0.1,), _any), ("abs_", (), _any), ("neg_", (), _any), ("floor_", (), _any),
                   ("round_", (), _any), ("erf_", (), _any), ("square_", (), _any), ("reciprocal_", (), _positive),
                   ("logit_", (), _probabilities), ("nan_to_num_", (), _any), ("sinc_", (), _any),
                   ("xlogy_", (2.0,), _positive), ("frac_", (), _any), ("fix_", (), _any)]


@pytest.mark.parametrize("name, args, domain", MODULE_IN_PLACE, ids=[c[0] for c in MODULE_IN_PLACE])
def test_module_level_in_place_functions_match_pytorch(name, args, domain, rng):
    torch = pytest.importorskip("torch")
    x = domain(rng, (3, 4))
    mine, theirs = fg.tensor(x), torch.tensor(x)
    version = mine._version[0]
    assert getattr(fg, name)(mine, *args) is mine and mine._version[0] > version
    getattr(torch, name)(theirs, *args)
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), **TOL)


def test_module_level_reshaping_in_place_functions_match_pytorch():
    torch = pytest.importorskip("torch")
    for lib in (fg, torch):
        x = lib.arange(9.0)
        assert lib.as_strided_(x, (2, 2), (3, 1), 1) is x
        y = lib.arange(6.0)
        assert lib.resize_as_(y, lib.zeros(2, 2)) is y
        if lib is fg:
            mine = (x.numpy(), y.numpy())
    np.testing.assert_array_equal(mine[0], x.numpy())
    np.testing.assert_array_equal(mine[1], y.numpy())


def test_module_level_in_place_function_keeps_gradients_exact(rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal(5)
    grads = []
    for lib in (fg, torch):
        leaf = lib.tensor(x, requires_grad=True)
        y = leaf * 2
        lib.sigmoid_(y)
        (y * y).sum().backward()
        grads.append(leaf.grad.numpy())
    np.testing.assert_allclose(*grads, **TOL)
    with pytest.raises(RuntimeError, match="leaf"):
        fg.exp_(fg.ones(2, requires_grad=True))


test_refusals = refusal_test([
    (lambda: fg.feature_dropout(fg.ones(3), 0.5, True), RuntimeError, "at least 2 dimensions"),
    (lambda: fg.feature_dropout(fg.ones(3, 2), 1.5, True), ValueError, "between 0 and 1"),
    (lambda: fg.kl_div(fg.ones(2), fg.ones(2), 3), ValueError, "reduction must be 0"),
    (lambda: fg.margin_ranking_loss(fg.ones(2), fg.ones(2), fg.ones(2), 0.0, "average"), ValueError,
     "reduction must be 0"),
    (lambda: fg.embedding_bag(fg.ones(3, 2), fg.tensor([0, 1]), fg.tensor([0]), False, 3), ValueError, "mode"),
    (lambda: fg.relu_([1.0]), TypeError, "must be a Tensor"),
    (lambda: fg.grid_sampler(fg.ones(1, 1, 2, 2), fg.zeros(1, 2, 2, 2), 3, 0, False), ValueError,
     "interpolation_mode"),
    (lambda: fg.grid_sampler(fg.ones(1, 1, 2, 2), fg.zeros(1, 2, 2, 2), 0, "zeros", False), ValueError,
     "padding_mode"),
], "^(feature_dropout|kl_div|margin_ranking_loss|embedding_bag|relu_|grid_sampler)")
