"""F.pad, F.interpolate / nn.Upsample, F.one_hot, nn.Unflatten, F.kl_div / nn.KLDivLoss and
F.embedding's max_norm: values and gradients against PyTorch, gradients against central
differences (float64), and bad input refused by name."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
from fastgrad import nn
from torch_parity import check_against_torch

TOL = dict(rtol=1e-10, atol=1e-12)


def _parity(fn_mine, fn_torch, arrays, rng, tol=TOL):
    """Runs both on the same float64 arrays; compares outputs and the input gradients of one
    random weighting of the output."""
    torch = pytest.importorskip("torch")
    check_against_torch(torch, fn_mine, fn_torch, arrays, rng, tol)
    return torch


# ---- pad -----------------------------------------------------------------------------------------

PADS = [("constant", (1, 2), (2, 3, 4)), ("constant", (1, 0, 2, 3), (2, 3, 4)),
        ("constant", (-1, 2, 0, -2), (2, 3, 5)), ("constant", (1, 1, 1, 1, 1, 1), (2, 3, 4)),
        ("reflect", (2, 3), (2, 3, 5)), ("reflect", (1, 2, 2, 1), (2, 3, 4, 5)),
        ("replicate", (3, 1), (2, 3, 2)), ("replicate", (1, 2, 0, 3), (1, 2, 3, 4)),
        ("replicate", (1, 1, 2, 0, 1, 1), (1, 2, 3, 4, 5)), ("circular", (2, 1, 1, 3), (1, 2, 3, 4)),
        ("reflect", (1, 1), (3, 4))]


@pytest.mark.parametrize("mode, widths, shape", PADS, ids=str)
def test_pad_matches_pytorch_and_central_differences(mode, widths, shape, rng):
    x = rng.standard_normal(shape)
    value = {"constant": 0.5}.get(mode)
    kwargs = dict(mode=mode) if value is None else dict(mode=mode, value=value)
    _parity(lambda a: F.pad(a, widths, **kwargs), lambda a: __import__("torch").nn.functional.pad(a, widths, **kwargs),
            [x], rng)
    assert fg.gradcheck(lambda a: F.pad(a, widths, **kwargs), [fg.tensor(x, requires_grad=True)])


PAD_BAD = [
    (dict(pad=(1,)), ValueError, "even length"),
    (dict(pad=(1, 1) * 4), ValueError, "at most 2 * input.ndim"),
    (dict(pad=(1.5, 1)), TypeError, "'pad' must be a tuple of ints"),
    (dict(pad=(1, 1), mode="wrap"), ValueError, "'mode' must be"),
    (dict(pad=(3, 0), mode="reflect"), ValueError, "must be smaller than its size (3)"),
    (dict(pad=(4, 0), mode="circular"), ValueError, "must be at most its size (3)"),
    (dict(pad=(-1, 0), mode="replicate"), ValueError, "negative padding"),
    (dict(pad=(1, 1, 1, 1, 1, 1), mode="reflect"), ValueError, "pads 1 to 3 trailing axes"),
    (dict(pad=(1, 1), mode="reflect", value=2.0), ValueError, "applies to mode 'constant' only"),
    (dict(pad=(1, 1), value="x"), TypeError, "'value' must be a number"),
]


@pytest.mark.parametrize("kwargs, error, message", PAD_BAD, ids=[m for _, _, m in PAD_BAD])
def test_pad_refuses_bad_input_by_name(kwargs, error, message):
    with pytest.raises(error, match="^pad: ") as info:
        F.pad(fg.ones((2, 2, 3)), **kwargs)
    assert message in str(info.value)


# ---- interpolate and Upsample ----------------------------------------------------------------------

RESAMPLES = [
    ("nearest", (1, 2, 5), dict(size=9)), ("nearest", (1, 2, 5), dict(scale_factor=2)),
    ("nearest", (1, 2, 7), dict(size=3)), ("nearest", (2, 1, 3, 4), dict(scale_factor=(2, 1.5))),
    ("nearest", (1, 1, 2, 3, 4), dict(size=(3, 5, 2))), ("nearest-exact", (1, 2, 5, 3), dict(size=(7, 2))),
    ("linear", (2, 3, 5), dict(size=8)), ("linear", (2, 3, 5), dict(size=8, align_corners=True)),
    ("linear", (1, 1, 6), dict(scale_factor=0.5)), ("bilinear", (2, 2, 3, 4), dict(scale_factor=2)),
    ("bilinear", (2, 2, 3, 4), dict(size=(5, 7), align_corners=True)),
    ("bilinear", (1, 2, 6, 5), dict(size=(4, 3))), ("bilinear", (1, 1, 4, 4), dict(scale_factor=1.7)),
    ("bilinear", (1, 1, 4, 4), dict(scale_factor=1.7, recompute_scale_factor=True)),
    ("bilinear", (1, 1, 1, 3), dict(size=(3, 1), align_corners=True)),
    ("trilinear", (1, 2, 2, 3, 2), dict(size=(3, 4, 5))),
]


@pytest.mark.parametrize("mode, shape, kwargs", RESAMPLES, ids=str)
def test_interpolate_matches_pytorch_and_central_differences(mode, shape, kwargs, rng):
    x = rng.standard_normal(shape)
    _parity(lambda a: F.interpolate(a, mode=mode, **kwargs),
            lambda a: __import__("torch").nn.functional.interpolate(a, mode=mode, **kwargs), [x], rng)
    assert fg.gradcheck(lambda a: F.interpolate(a, mode=mode, **kwargs), [fg.tensor(x, requires_grad=True)])


def test_upsample_module_matches_pytorch_in_float32(rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((2, 3, 5, 6)).astype(np.float32)
    for kwargs in (dict(scale_factor=2), dict(size=(7, 9), mode="bilinear"),
                   dict(scale_factor=3, mode="bilinear", align_corners=True)):
        got = nn.Upsample(**kwargs)(fg.tensor(x))
        expected = torch.nn.Upsample(**kwargs)(torch.tensor(x))
        assert got.dtype == np.float32
        np.testing.assert_allclose(got.data, expected.numpy(), rtol=1e-5, atol=1e-6)


INTERPOLATE_BAD = [
    (dict(size=4, scale_factor=2), ValueError, "exactly one of size and scale_factor"),
    (dict(), ValueError, "exactly one of size and scale_factor"),
    (dict(size=4, mode="bicubic"), NotImplementedError, "mode 'bicubic'"),
    (dict(size=4, mode="bilinear"), ValueError, "mode 'bilinear' takes a 4-d input"),
    (dict(size=4, align_corners=True), ValueError, "align_corners can only be set"),
    (dict(size=(4, 4)), ValueError, "argument 'size' must be one number or 1"),
    (dict(scale_factor=-1.0), ValueError, "'scale_factor' must be positive"),
    (dict(size=4, antialias=True), NotImplementedError, "antialias"),
]


@pytest.mark.parametrize("kwargs, error, message", INTERPOLATE_BAD, ids=[m for _, _, m in INTERPOLATE_BAD])
def test_interpolate_refuses_bad_input_by_name(kwargs, error, message):
    with pytest.raises(error, match="^interpolate: ") as info:
        F.interpolate(fg.ones((1, 2, 3)), **kwargs)
    assert message in str(info.value)
    with pytest.raises(ValueError, match="^interpolate: input must be 3-d, 4-d or 5-d"):
        F.interpolate(fg.ones((2, 3)), size=4)


# ---- one_hot and Unflatten ---------------------------------------------------------------------------

def test_one_hot_matches_pytorch(rng):
    torch = pytest.importorskip("torch")
    idx = rng.integers(0, 5, size=(3, 4))
    for num_classes in (-1, 5, 7):
        got = F.one_hot(fg.tensor(idx), num_classes)
        expected = torch.nn.functional.one_hot(torch.tensor(idx), num_classes)
        assert got.dtype == np.int64 and not got.requires_grad
        np.testing.assert_array_equal(got.data, expected.numpy())
    assert F.one_hot(np.zeros((0,), np.int64), 3).shape == (0, 3)
    assert F.one_hot(np.int64(2), 4).tolist() == [0, 0, 1, 0]


@pytest.mark.parametrize("args, error, message", [
    ((np.array([0, 3]), 3), ValueError, "smaller than num_classes (3), got 3"),
    ((np.array([-1, 0]),), ValueError, "non-negative"),
    ((np.array([0.0, 1.0]),), TypeError, "integer class indices"),
    ((np.zeros(0, np.int64),), ValueError, "cannot infer num_classes"),
    ((np.array([0]), -2), ValueError, "'num_classes' must be an int >= -1"),
], ids=["too_large", "negative", "float", "empty", "num_classes"])
def test_one_hot_refuses_bad_input_by_name(args, error, message):
    with pytest.raises(error, match="^one_hot: ") as info:
        F.one_hot(*args)
    assert message in str(info.value)


def test_unflatten_matches_pytorch(rng):
    x = rng.standard_normal((2, 12, 3))
    for dim, sizes in ((1, (3, 4)), (1, (2, -1, 3)), (-1, (3, 1)), (0, [2])):
        _parity(lambda a: nn.Unflatten(dim, sizes)(a), lambda a: __import__("torch").nn.Unflatten(dim, sizes)(a),
                [x], rng)
    with pytest.raises(ValueError, match="^Unflatten: unflattened_size"):
        nn.Unflatten(1, (5, 2))(fg.ones((2, 12)))
    with pytest.raises(TypeError, match="^Unflatten: dim must be an int"):
        nn.Unflatten(1, (-1, -1))


# ---- kl_div and KLDivLoss --------------------------------------------------------------------------------

@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.parametrize("reduction", ["none", "sum", "mean", "batchmean"])
def test_kl_div_matches_pytorch_and_central_differences(reduction, log_target, rng):
    logp = np.log(rng.dirichlet(np.ones(5), size=4))
    target = rng.dirichlet(np.ones(5), size=4)
    if log_target:
        target = np.log(rng.dirichlet(np.ones(5), size=4))
    kwargs = dict(reduction=reduction, log_target=log_target)
    with pytest.warns(UserWarning, match="batchmean") if reduction == "mean" else _no_warning():
        _parity(lambda a, b: F.kl_div(a, b, **kwargs), lambda a, b: __import__("torch").nn.functional.kl_div(
            a, b, **kwargs), [logp, target], rng)
    fixed = fg.tensor(target)
    with pytest.warns(UserWarning) if reduction == "mean" else _no_warning():
        assert fg.gradcheck(lambda a: F.kl_div(a, fixed, **kwargs), [fg.tensor(logp, requires_grad=True)])
    if log_target:
        with pytest.warns(UserWarning) if reduction == "mean" else _no_warning():
            assert fg.gradcheck(lambda b: F.kl_div(fg.tensor(logp), b, **kwargs),
                                [fg.tensor(target, requires_grad=True)])


def test_kl_div_zero_targets_contribute_nothing(rng):
    torch = pytest.importorskip("torch")
    logp = np.log(rng.dirichlet(np.ones(4), size=3))
    target = rng.dirichlet(np.ones(4), size=3)
    target[1, 2] = 0.0
    mine, theirs = fg.tensor(logp, requires_grad=True), torch.tensor(logp, requires_grad=True)
    tm = fg.tensor(target, requires_grad=True)
    got = F.kl_div(mine, tm, reduction="sum")
    expected = torch.nn.functional.kl_div(theirs, torch.tensor(target), reduction="sum")
    np.testing.assert_allclose(got.item(), expected.item(), **TOL)
    got.backward()
    expected.backward()
    np.testing.assert_allclose(mine.grad.data, theirs.grad.numpy(), **TOL)
    # target log(target) is taken as 0 at target = 0, with the gradient of the -target * input term
    # only there (PyTorch gives NaN)
    assert tm.grad.data[1, 2] == -logp[1, 2]
    assert np.isfinite(tm.grad.data).all()


class _no_warning:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_kl_div_loss_module_matches_pytorch(rng):
    torch = pytest.importorskip("torch")
    logp = np.log(rng.dirichlet(np.ones(3), size=6))
    target = rng.dirichlet(np.ones(3), size=6)
    for kwargs in (dict(reduction="batchmean"), dict(reduction="sum", log_target=False),
                   dict(reduction="none")):
        got = nn.KLDivLoss(**kwargs)(fg.tensor(logp), fg.tensor(target))
        expected = torch.nn.KLDivLoss(**kwargs)(torch.tensor(logp), torch.tensor(target))
        np.testing.assert_allclose(got.data, expected.numpy(), **TOL)
    with pytest.raises(ValueError, match="^KLDivLoss: reduction"):
        nn.KLDivLoss(reduction="avg")
    with pytest.raises(ValueError, match="^kl_div: argument 'reduction'"):
        F.kl_div(fg.tensor(logp), fg.tensor(target), reduction="avg")
    with pytest.raises(TypeError, match="^kl_div: argument 'target' has dtype int64"):
        F.kl_div(fg.tensor(logp), np.ones((6, 3), np.int64), reduction="sum")


# ---- embedding with max_norm ---------------------------------------------------------------------------

@pytest.mark.parametrize("norm_type", [2.0, 1.0])
def test_embedding_max_norm_renormalizes_rows_and_gradient_as_pytorch(norm_type, rng):
    torch = pytest.importorskip("torch")
    w = rng.standard_normal((6, 4)) * 2
    idx = np.array([[0, 2, 2], [5, 1, 0]])
    wm, wt = fg.tensor(w.copy(), requires_grad=True), torch.tensor(w.copy(), requires_grad=True)
    got = F.embedding(idx, wm, max_norm=1.5, norm_type=norm_type)
    expected = torch.nn.functional.embedding(torch.tensor(idx), wt, max_norm=1.5, norm_type=norm_type)
    np.testing.assert_allclose(got.data, expected.detach().numpy(), **TOL)
    np.testing.assert_allclose(wm.data, wt.detach().numpy(), **TOL)  # the picked rows renormalized in place
    seed = rng.standard_normal(got.shape)
    (got * fg.tensor(seed)).sum().backward()
    (expected * torch.tensor(seed)).sum().backward()
    np.testing.assert_allclose(wm.grad.data, wt.grad.numpy(), **TOL)
