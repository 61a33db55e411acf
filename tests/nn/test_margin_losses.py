"""Margin, embedding and likelihood losses (F.margin_ranking_loss ... F.gaussian_nll_loss and their
modules): values and input gradients against PyTorch in float64 for every reduction, gradients
against central differences, empty batches, and bad input refused by name."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
from fastgrad import nn
from torch_parity import check_against_torch

TOL = dict(rtol=1e-9, atol=1e-11)
REDUCTIONS = ["none", "mean", "sum"]


def _signs(rng, shape):
    return np.where(rng.random(shape) < 0.5, -1.0, 1.0)


def _cases(rng, n=5, d=4):
    """name -> (differentiable arrays, constant arrays, kwargs): inputs away from the kinks."""
    x, y = rng.standard_normal((n, d)), rng.standard_normal((n, d))
    return {
        "margin_ranking_loss": ([rng.standard_normal(n), rng.standard_normal(n)], [_signs(rng, n)],
                                dict(margin=0.3)),
        "hinge_embedding_loss": ([x], [_signs(rng, (n, d))], dict(margin=0.7)),
        "soft_margin_loss": ([x], [_signs(rng, (n, d))], {}),
        "cosine_embedding_loss": ([x, y], [_signs(rng, n)], dict(margin=-0.2)),
        "triplet_margin_loss": ([x, y, rng.standard_normal((n, d))], [], dict(margin=2.0, p=3, swap=True)),
        "multilabel_soft_margin_loss": ([x], [(rng.random((n, d)) < 0.5).astype(float)],
                                        dict(weight=rng.random(d) + 0.5)),
        "multi_margin_loss": ([x], [rng.integers(0, d, n)], dict(p=2, margin=0.8, weight=rng.random(d) + 0.5)),
        "poisson_nll_loss": ([x], [rng.poisson(2.0, (n, d)).astype(float)], dict(full=True)),
        "gaussian_nll_loss": ([x, y, rng.random((n, d)) + 0.1], [], dict(full=True)),
    }


def _call(lib, F_, name, diff, const, kwargs):
    args = list(diff) + [lib(c) for c in const]
    if name == "gaussian_nll_loss":   # (input, target, var)
        args = [diff[0], diff[1], diff[2]]
    kw = dict(kwargs)
    if "weight" in kw:
        kw["weight"] = lib(kw["weight"])
    return getattr(F_, name)(*args, **kw)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", sorted(_cases(np.random.default_rng(0))))
def test_loss_matches_pytorch_values_and_input_gradients(name, reduction, rng):
    torch = pytest.importorskip("torch")
    diff, const, kwargs = _cases(rng)[name]
    kwargs = dict(kwargs, reduction=reduction)
    check_against_torch(torch, lambda *a: _call(fg.tensor, F, name, a, const, kwargs),
                        lambda *a: _call(torch.tensor, torch.nn.functional, name, a, const, kwargs),
                        diff, rng, TOL)


@pytest.mark.parametrize("name", sorted(_cases(np.random.default_rng(0))))
def test_loss_gradients_match_central_differences(name, rng):
    diff, const, kwargs = _cases(rng, n=3, d=3)[name]
    leaves = [fg.tensor(a, requires_grad=True) for a in diff]
    assert fg.gradcheck(lambda *a: _call(fg.tensor, F, name, a, const, dict(kwargs, reduction="sum")), leaves)


VARIANTS = [
    ("margin_ranking_loss", dict(margin=0.0)),
    ("hinge_embedding_loss", {}),
    ("cosine_embedding_loss", {}),
    ("triplet_margin_loss", dict(p=1, eps=1e-3)),
    ("triplet_margin_loss", dict(swap=False, margin=0.5)),
    ("multilabel_soft_margin_loss", dict(weight=None)),
    ("multi_margin_loss", dict(p=1, margin=1.0, weight=None)),
    ("poisson_nll_loss", dict(full=False)),
    ("gaussian_nll_loss", dict(eps=0.5)),   # the clamp is reached for some var
]


@pytest.mark.parametrize("name, kwargs", VARIANTS, ids=str)
def test_loss_options_match_pytorch(name, kwargs, rng):
    torch = pytest.importorskip("torch")
    diff, const, base = _cases(rng)[name]
    kwargs = {k: v for k, v in dict(base, **kwargs).items() if v is not None}
    check_against_torch(torch, lambda *a: _call(fg.tensor, F, name, a, const, kwargs),
                        lambda *a: _call(torch.tensor, torch.nn.functional, name, a, const, kwargs),
                        diff, rng, TOL)


def test_poisson_nll_loss_on_rates_matches_pytorch(rng):
    torch = pytest.importorskip("torch")
    rate, target = rng.random((4, 3)) + 0.1, rng.poisson(2.0, (4, 3)).astype(float)
    for full in (False, True):
        check_against_torch(torch, lambda a: F.poisson_nll_loss(a, fg.tensor(target), log_input=False, full=full),
                            lambda a: torch.nn.functional.poisson_nll_loss(a, torch.tensor(target),
                                                                           log_input=False, full=full),
                            [rate], rng, TOL)


@pytest.mark.parametrize("var_shape", [(4, 3), (4,), (4, 1), (1, 3)])
def test_gaussian_nll_loss_accepts_pytorchs_variance_shapes(var_shape, rng):
    torch = pytest.importorskip("torch")
    x, t, var = rng.standard_normal((4, 3)), rng.standard_normal((4, 3)), rng.random(var_shape) + 0.1
    check_against_torch(torch, lambda a, b, v: F.gaussian_nll_loss(a, b, v),
                        lambda a, b, v: torch.nn.functional.gaussian_nll_loss(a, b, v), [x, t, var], rng, TOL)
    got = F.gaussian_nll_loss(fg.tensor(x), fg.tensor(t), 0.5)
    np.testing.assert_allclose(got.item(), torch.nn.functional.gaussian_nll_loss(
        torch.tensor(x), torch.tensor(t), 0.5).item(), **TOL)


def test_one_sample_inputs_match_pytorch(rng):
    torch = pytest.importorskip("torch")
    x, y = rng.standard_normal(4), rng.standard_normal(4)
    tF = torch.nn.functional
    check_against_torch(torch, lambda a, b: F.cosine_embedding_loss(a, b, fg.tensor(-1.0), margin=-0.5),
                        lambda a, b: tF.cosine_embedding_loss(a, b, torch.tensor(-1.0), margin=-0.5), [x, y], rng, TOL)
    check_against_torch(torch, lambda a, b, c: F.triplet_margin_loss(a, b, c, margin=3.0),
                        lambda a, b, c: tF.triplet_margin_loss(a, b, c, margin=3.0), [x, y, -x], rng, TOL)
    check_against_torch(torch, lambda a: F.multi_margin_loss(a, np.array(2)),
                        lambda a: tF.multi_margin_loss(a, torch.tensor(2)), [x], rng, TOL)


def test_zero_dimensional_inputs_match_pytorch(rng):
    torch = pytest.importorskip("torch")
    tF = torch.nn.functional
    x = np.array(0.4)
    for name, target in (("hinge_embedding_loss", -1.0), ("soft_margin_loss", 1.0), ("poisson_nll_loss", 3.0)):
        check_against_torch(torch, lambda a: getattr(F, name)(a, fg.tensor(np.array(target))),
                            lambda a: getattr(tF, name)(a, torch.tensor(target, dtype=torch.float64)),
                            [x], rng, TOL)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_empty_batches_match_pytorch(reduction):
    torch = pytest.importorskip("torch")
    tF = torch.nn.functional
    e = np.zeros((0, 3))
    pairs = [
        (F.margin_ranking_loss(fg.tensor(np.zeros(0)), fg.tensor(np.zeros(0)), fg.tensor(np.zeros(0)),
                               reduction=reduction),
         tF.margin_ranking_loss(torch.zeros(0), torch.zeros(0), torch.zeros(0), reduction=reduction)),
        (F.soft_margin_loss(fg.tensor(e), fg.tensor(e), reduction=reduction),
         tF.soft_margin_loss(torch.tensor(e), torch.tensor(e), reduction=reduction)),
        (F.poisson_nll_loss(fg.tensor(e), fg.tensor(e), reduction=reduction),
         tF.poisson_nll_loss(torch.tensor(e), torch.tensor(e), reduction=reduction)),
        (F.gaussian_nll_loss(fg.tensor(e), fg.tensor(e), fg.tensor(e), reduction=reduction),
         tF.gaussian_nll_loss(torch.tensor(e), torch.tensor(e), torch.tensor(e), reduction=reduction)),
    ]
    for got, expected in pairs:
        assert got.shape == tuple(expected.shape)
        np.testing.assert_array_equal(got.data, expected.numpy())


MODULES = [
    ("MarginRankingLoss", dict(margin=0.3), "margin_ranking_loss"),
    ("HingeEmbeddingLoss", dict(margin=0.7), "hinge_embedding_loss"),
    ("SoftMarginLoss", {}, "soft_margin_loss"),
    ("CosineEmbeddingLoss", dict(margin=-0.2), "cosine_embedding_loss"),
    ("TripletMarginLoss", dict(margin=2.0, p=3, swap=True), "triplet_margin_loss"),
    ("MultiLabelSoftMarginLoss", {}, "multilabel_soft_margin_loss"),
    ("MultiMarginLoss", dict(p=2, margin=0.8), "multi_margin_loss"),
    ("PoissonNLLLoss", dict(full=True), "poisson_nll_loss"),
    ("GaussianNLLLoss", dict(full=True), "gaussian_nll_loss"),
]


@pytest.mark.parametrize("cls, kwargs, name", MODULES, ids=[m[0] for m in MODULES])
def test_modules_match_pytorch_with_reduction_and_deprecated_flags(cls, kwargs, name, rng):
    torch = pytest.importorskip("torch")
    diff, const, _ = _cases(rng)[name]
    settings = [dict(reduction="none"), dict(reduction="sum"), {}]
    if cls != "GaussianNLLLoss":
        settings.append(dict(size_average=False))
        settings.append(dict(reduce=False))
    for extra in settings:
        if "size_average" in extra or "reduce" in extra:
            with pytest.warns(DeprecationWarning, match=f"^{cls}: size_average and reduce are deprecated"):
                mine = getattr(nn, cls)(**kwargs, **extra)
        else:
            mine = getattr(nn, cls)(**kwargs, **extra)
        theirs = getattr(torch.nn, cls)(**kwargs, **extra)
        assert mine.reduction == theirs.reduction
        args = [fg.tensor(a) for a in diff] + [fg.tensor(c) for c in const]
        targs = [torch.tensor(a) for a in diff] + [torch.tensor(c) for c in const]
        np.testing.assert_allclose(mine(*args).data, theirs(*targs).numpy(), **TOL)


def test_bad_input_is_refused_by_function_and_argument():
    x = fg.tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match="^soft_margin_loss: argument 'reduction'"):
        F.soft_margin_loss(x, x, reduction="avg")
    with pytest.raises(ValueError, match="^MarginRankingLoss: reduction"):
        nn.MarginRankingLoss(reduction="avg")
    with pytest.raises(TypeError, match="^margin_ranking_loss: argument 'input2' is None"):
        F.margin_ranking_loss(x, None, x)
    with pytest.raises(ValueError, match="^margin_ranking_loss: .* must have the same number of dimensions"):
        F.margin_ranking_loss(fg.ones((3, 1)), fg.ones((3, 1)), fg.ones(3))
    with pytest.raises(TypeError, match="^triplet_margin_loss: argument 'negative' is None"):
        F.triplet_margin_loss(x, x, None)
    with pytest.raises(ValueError, match="^multi_margin_loss: argument 'p' must be 1 or 2"):
        F.multi_margin_loss(x, np.array([0, 1]), p=3)
    with pytest.raises(ValueError, match="^MultiMarginLoss: p must be 1 or 2"):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(TypeError, match="^multi_margin_loss: argument 'target' must hold integer"):
        F.multi_margin_loss(x, np.array([0.0, 1.0]))
    with pytest.raises(IndexError, match="^multi_margin_loss: argument 'target' holds a class index"):
        F.multi_margin_loss(x, np.array([0, 3]))
    with pytest.raises(ValueError, match="^gaussian_nll_loss: argument 'var' has negative"):
        F.gaussian_nll_loss(x, x, -x)
    with pytest.raises(ValueError, match="^gaussian_nll_loss: argument 'var' of shape \\(3, 2\\)"):
        F.gaussian_nll_loss(x, x, fg.ones((3, 2)))
    with pytest.raises(ValueError, match="^cosine_embedding_loss: target of shape"):
        F.cosine_embedding_loss(x, x, fg.ones(3))
    with pytest.raises(ValueError, match="^triplet_margin_loss: argument 'margin' must be > 0"):
        F.triplet_margin_loss(x, x, x, margin=0.0)
    with pytest.raises(ValueError, match="^soft_margin_loss: target shape"):
        F.soft_margin_loss(x, fg.ones(3))



def _float16_inputs(name, rng, n=10000):
    """float16 inputs whose loss terms lie in [8, 12): their sum (about 1e5) is past float16's
    largest value 65504, as a float16 count or running sum of them would be."""
    terms = (8.0 + 4.0 * rng.random(n)).astype(np.float16)
    return np.log(terms).astype(np.float16) if name == "poisson_nll_loss" else terms


FLOAT16_LOSSES = {
    "margin_ranking_loss": lambda lib, x: (x, lib.zeros_like(x), -lib.ones_like(x)),   # max(0, x)
    "hinge_embedding_loss": lambda lib, x: (x, lib.ones_like(x)),                      # x
    "poisson_nll_loss": lambda lib, x: (x, lib.zeros_like(x)),                         # exp(x)
}


@pytest.mark.parametrize("name", sorted(FLOAT16_LOSSES))
def test_float16_mean_and_sum_accumulate_in_float32_as_the_other_losses(name, rng):
    x = _float16_inputs(name, rng)

    def loss(x, reduction):
        return getattr(F, name)(*FLOAT16_LOSSES[name](fg, fg.tensor(x)), reduction=reduction)

    terms = loss(x, "none").data
    mean = loss(x, "mean")
    # losses.py's reduction: a float32 sum, times 1 / n in float32, rounded once to float16
    assert mean.dtype == np.float16
    assert mean.data == np.float16(terms.astype(np.float32).sum() * np.float32(1.0 / terms.size))
    assert 8 <= mean.data < 12
    # the same bits as a pointwise loss of losses.py reducing the same terms
    assert mean.data == F.l1_loss(fg.tensor(terms), fg.zeros_like(fg.tensor(terms)),
                                  weight=np.ones_like(terms)).data
    half = x[:5000]   # a sum within float16's range
    total = loss(half, "sum")
    assert total.dtype == np.float16
    assert total.data == np.float16(loss(half, "none").data.astype(np.float32).sum())
    torch = pytest.importorskip("torch")
    for reduction, inputs, got in (("mean", x, mean), ("sum", half, total)):
        expected = getattr(torch.nn.functional, name)(*FLOAT16_LOSSES[name](torch, torch.tensor(inputs)),
                                                      reduction=reduction)
        assert expected.dtype == torch.float16
        np.testing.assert_allclose(np.float32(got.data), np.float32(expected.numpy()), rtol=2 ** -10)
