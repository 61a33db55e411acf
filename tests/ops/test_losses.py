"""Softmax and loss ops: central-difference gradients (float64), values and
gradients against PyTorch for every option, second derivatives, and the
generic (array-API) path."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F

REDUCTIONS = ["mean", "sum", "none"]


def leaf(rng, shape, low=None, high=None):
    data = rng.standard_normal(shape) * 2 if low is None else rng.uniform(low, high, shape)
    return fg.tensor(np.asarray(data, dtype=np.float64), requires_grad=True)


def torch_or_skip():
    return pytest.importorskip("torch")


def compare_with_torch(fg_fn, torch_fn, arrays, rng, needs_grad=None, rtol=1e-10, atol=1e-12):
    """Run both on the same float64 arrays; compare values and input gradients."""
    torch = torch_or_skip()
    needs_grad = needs_grad or [True] * len(arrays)
    ours = [fg.tensor(a, requires_grad=n) if n else a for a, n in zip(arrays, needs_grad)]
    theirs = [torch.tensor(a, requires_grad=n) if n else torch.tensor(a) for a, n in zip(arrays, needs_grad)]
    out, ref = fg_fn(*ours), torch_fn(*theirs)
    np.testing.assert_allclose(out._data, ref.detach().numpy(), rtol=rtol, atol=atol)
    w = rng.standard_normal(out.shape)
    (out * w).sum().backward()
    (ref * torch.tensor(w)).sum().backward()
    for o, t, n in zip(ours, theirs, needs_grad):
        if n:
            np.testing.assert_allclose(o.grad, t.grad.numpy(), rtol=rtol * 10, atol=atol * 10)


# ---- softmax, log_softmax ------------------------------------------------------------------------

@pytest.mark.parametrize("shape,axis", [((), 0), ((5,), 0), ((3, 4), 1), ((3, 4), 0), ((2, 3, 4), 1),
                                        ((2, 3, 4), -1), ((0, 4), 1), ((3, 0), 0)], ids=str)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_family_gradcheck(name, shape, axis, rng):
    fn = getattr(fg, name)
    assert fg.gradcheck(lambda x: fn(x, axis=axis), (leaf(rng, shape),))


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_family_matches_torch(name, dim, rng):
    torch = torch_or_skip()
    x = rng.standard_normal((3, 5, 4)) * 30
    compare_with_torch(lambda t: getattr(F, name)(t, dim=dim), lambda t: getattr(torch.nn.functional, name)(t, dim=dim),
                       [x], rng)
    compare_with_torch(lambda t: getattr(t, name)(dim), lambda t: getattr(t, name)(dim), [x], rng)


# Short rows (fewer than 32 columns) and long rows take different kernel paths.
SHORT_AND_LONG_COLS = [1, 2, 15, 16, 17, 31, 32, 33]


@pytest.mark.parametrize("cols", SHORT_AND_LONG_COLS)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_family_gradcheck_short_and_long_rows(name, cols, rng):
    fn = getattr(fg, name)
    assert fg.gradcheck(lambda x: fn(x, axis=-1), (leaf(rng, (17, cols)),))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("cols", SHORT_AND_LONG_COLS + [1000])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_family_matches_torch_short_and_long_rows(name, cols, dtype, rng):
    torch = torch_or_skip()
    x = np.asarray(rng.standard_normal((33, cols)) * 5, dtype=dtype)
    w = np.asarray(rng.standard_normal(x.shape), dtype=dtype)
    ours = fg.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    out, ref = getattr(F, name)(ours, dim=-1), getattr(torch.nn.functional, name)(theirs, dim=-1)
    (out * fg.tensor(w)).sum().backward()
    (ref * torch.tensor(w)).sum().backward()
    rtol, atol = (2e-5, 2e-6) if dtype == np.float32 else (1e-12, 1e-13)
    assert out.dtype == dtype and ours.grad.dtype == dtype
    np.testing.assert_allclose(out._data, ref.detach().numpy(), rtol=rtol, atol=atol)
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=rtol, atol=atol * 10)


def test_softmax_is_stable_for_huge_logits():
    x = fg.tensor(np.array([[1e4, 0.0, -1e4], [1000.0, 1000.0, 1000.0]], dtype=np.float32))
    y = F.softmax(x, dim=1)
    np.testing.assert_allclose(y._data, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-6)
    np.testing.assert_allclose(F.log_softmax(x, dim=1)._data[0], [0.0, -1e4, -2e4], rtol=1e-6)


def test_implicit_softmax_dim_warns_as_torch():
    with pytest.warns(UserWarning, match="Implicit dimension"):
        y = F.softmax(fg.tensor(np.zeros((2, 4))))
    np.testing.assert_allclose(y._data, 0.25)


# ---- cross entropy ------------------------------------------------------------------------------

CE_OPTIONS = {
    "plain": {},
    "sum": {"reduction": "sum"},
    "none": {"reduction": "none"},
    "smoothing": {"label_smoothing": 0.15},
    "weight": {"weight": True},
    "weight_smoothing": {"weight": True, "label_smoothing": 0.3},
    "ignore": {"ignore_index": 2},
    "ignore_weight_smoothing_none": {"ignore_index": 0, "weight": True, "label_smoothing": 0.1, "reduction": "none"},
    "ignore_weight_smoothing_sum": {"ignore_index": 1, "weight": True, "label_smoothing": 0.2, "reduction": "sum"},
}
CE_SHAPES = {"batch": ((6, 4), (6,)), "unbatched": ((4,), ()), "spatial": ((3, 4, 2, 5), (3, 2, 5)),
             "empty": ((0, 4), (0,))}


def ce_case(rng, shapes, options):
    (xs, ts) = shapes
    classes = xs[0] if len(xs) == 1 else xs[1]
    x = rng.standard_normal(xs) * 3
    t = rng.integers(0, classes, ts)
    kw = dict(options)
    if kw.pop("weight", False):
        kw["weight"] = rng.uniform(0.2, 2.0, classes)
    return x, t, kw


@pytest.mark.parametrize("shapes", sorted(CE_SHAPES), ids=str)
@pytest.mark.parametrize("options", sorted(CE_OPTIONS))
def test_cross_entropy_gradcheck(options, shapes, rng):
    x, t, kw = ce_case(rng, CE_SHAPES[shapes], CE_OPTIONS[options])
    xt = fg.tensor(x, requires_grad=True)
    if x.size == 0 and kw.get("reduction", "mean") == "mean":
        assert np.isnan(F.cross_entropy(xt, t, **kw).item())  # 0 / 0, as PyTorch
        return
    assert fg.gradcheck(lambda a: F.cross_entropy(a, t, **kw), (xt,))


@pytest.mark.parametrize("shapes", sorted(CE_SHAPES), ids=str)
@pytest.mark.parametrize("options", sorted(CE_OPTIONS))
def test_cross_entropy_matches_torch(options, shapes, rng):
    torch = torch_or_skip()
    x, t, kw = ce_case(rng, CE_SHAPES[shapes], CE_OPTIONS[options])
    tkw = {k: (torch.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
    if x.size == 0:
        ours = F.cross_entropy(fg.tensor(x), t, **kw)._data
        theirs = torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor(t), **tkw).numpy()
        np.testing.assert_array_equal(ours, theirs)
        return
    compare_with_torch(lambda a: F.cross_entropy(a, t, **kw),
                       lambda a: torch.nn.functional.cross_entropy(a, torch.tensor(t), **tkw), [x], rng)


@pytest.mark.parametrize("options", [{}, {"label_smoothing": 0.2}, {"weight": True, "reduction": "sum"},
                                     {"weight": True, "label_smoothing": 0.1, "reduction": "none"}], ids=str)
@pytest.mark.parametrize("shape", [(5, 3), (2, 3, 4)], ids=str)
def test_cross_entropy_with_probabilities_matches_torch_in_both_arguments(shape, options, rng):
    torch = torch_or_skip()
    x = rng.standard_normal(shape)
    q = rng.dirichlet(np.ones(shape[1]), (shape[0],) + shape[2:])
    q = np.moveaxis(q, -1, 1)
    kw = dict(options)
    if kw.pop("weight", False):
        kw["weight"] = rng.uniform(0.5, 2.0, shape[1])
    tkw = {k: (torch.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
    compare_with_torch(lambda a, b: F.cross_entropy(a, b, **kw), lambda a, b: torch.nn.functional.cross_entropy(a, b, **tkw),
                       [x, q], rng)
    assert fg.gradcheck(lambda a, b: F.cross_entropy(a, b, **kw),
                        (fg.tensor(x, requires_grad=True), fg.tensor(np.ascontiguousarray(q), requires_grad=True)))


def test_cross_entropy_float32_large_logits_stay_accurate():
    torch = torch_or_skip()
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((64, 10)) * 1e4).astype(np.float32)
    t = rng.integers(0, 10, 64)
    a = fg.tensor(x, requires_grad=True)
    ta = torch.tensor(x, requires_grad=True)
    F.cross_entropy(a, t).backward()
    torch.nn.functional.cross_entropy(ta, torch.tensor(t)).backward()
    np.testing.assert_allclose(a.grad, ta.grad.numpy(), rtol=1e-4, atol=1e-7)


def test_cross_entropy_ignores_every_row():
    x = fg.tensor(np.ones((3, 4)), requires_grad=True)
    loss = F.cross_entropy(x, np.full(3, -100))
    assert np.isnan(loss.item())  # 0 / 0, as PyTorch
    assert F.cross_entropy(x, np.full(3, -100), reduction="sum").item() == 0.0


def test_cross_entropy_second_derivative_matches_torch(rng):
    torch = torch_or_skip()
    x = rng.standard_normal((4, 5))
    t = np.array([0, 3, 4, 1])
    w = rng.uniform(0.5, 2, 5)
    a = fg.tensor(x, requires_grad=True)
    ta = torch.tensor(x, requires_grad=True)
    (g,) = fg.autograd.grad(F.cross_entropy(a, t, weight=w, label_smoothing=0.1), a, create_graph=True)
    (g * g).sum().backward()
    (tg,) = torch.autograd.grad(torch.nn.functional.cross_entropy(ta, torch.tensor(t), weight=torch.tensor(w),
                                                                  label_smoothing=0.1), ta, create_graph=True)
    (tg * tg).sum().backward()
    np.testing.assert_allclose(a.grad, ta.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_matches_torch(reduction, rng):
    torch = torch_or_skip()
    x = rng.standard_normal((6, 4))
    t = np.array([0, 3, -100, 1, 2, 3])
    w = rng.uniform(0.5, 2.0, 4)
    compare_with_torch(lambda a: F.nll_loss(F.log_softmax(a, dim=1), t, weight=w, reduction=reduction),
                       lambda a: torch.nn.functional.nll_loss(torch.log_softmax(a, 1), torch.tensor(t),
                                                              weight=torch.tensor(w), reduction=reduction), [x], rng)


# ---- pointwise losses ---------------------------------------------------------------------------

POINTWISE = {
    # name: (fastgrad call, torch call, input domain, target domain)
    "mse": (lambda x, t, r: F.mse_loss(x, t, reduction=r), lambda tt, x, t, r: tt.mse_loss(x, t, reduction=r),
            None, None),
    "l1": (lambda x, t, r: F.l1_loss(x, t, reduction=r), lambda tt, x, t, r: tt.l1_loss(x, t, reduction=r),
           None, None),
    "huber": (lambda x, t, r: F.huber_loss(x, t, reduction=r, delta=0.8),
              lambda tt, x, t, r: tt.huber_loss(x, t, reduction=r, delta=0.8), None, None),
    "smooth_l1": (lambda x, t, r: F.smooth_l1_loss(x, t, reduction=r, beta=0.5),
                  lambda tt, x, t, r: tt.smooth_l1_loss(x, t, reduction=r, beta=0.5), None, None),
    "smooth_l1_beta0": (lambda x, t, r: F.smooth_l1_loss(x, t, reduction=r, beta=0.0),
                        lambda tt, x, t, r: tt.smooth_l1_loss(x, t, reduction=r, beta=0.0), None, None),
    "bce_logits": (lambda x, t, r: F.binary_cross_entropy_with_logits(x, t, reduction=r),
                   lambda tt, x, t, r: tt.binary_cross_entropy_with_logits(x, t, reduction=r), None, (0, 1)),
    "bce_logits_pos_weight": (
        lambda x, t, r: F.binary_cross_entropy_with_logits(x, t, reduction=r, pos_weight=np.array([0.5, 2.0, 3.0])),
        lambda tt, x, t, r: tt.binary_cross_entropy_with_logits(
            x, t, reduction=r, pos_weight=__import__("torch").tensor([0.5, 2.0, 3.0], dtype=x.dtype)),
        None, (0, 1)),
    "bce_logits_weight": (
        lambda x, t, r: F.binary_cross_entropy_with_logits(x, t, weight=np.array([1.0, 0.5, 2.0]), reduction=r),
        lambda tt, x, t, r: tt.binary_cross_entropy_with_logits(
            x, t, weight=__import__("torch").tensor([1.0, 0.5, 2.0], dtype=x.dtype), reduction=r),
        None, (0, 1)),
    "bce": (lambda x, t, r: F.binary_cross_entropy(x, t, reduction=r),
            lambda tt, x, t, r: tt.binary_cross_entropy(x, t, reduction=r), (0.05, 0.95), (0, 1)),
    "bce_weight": (lambda x, t, r: F.binary_cross_entropy(x, t, weight=np.array([1.0, 0.5, 2.0]), reduction=r),
                   lambda tt, x, t, r: tt.binary_cross_entropy(
                       x, t, weight=__import__("torch").tensor([1.0, 0.5, 2.0], dtype=x.dtype), reduction=r),
                   (0.05, 0.95), (0, 1)),
}
POINT_SHAPES = [(), (0,), (5, 3), (2, 4, 3)]


def pointwise_arrays(name, shape, rng):
    _, _, xdom, tdom = POINTWISE[name]
    x = rng.standard_normal(shape) * 2 if xdom is None else rng.uniform(*xdom, shape)
    t = rng.standard_normal(shape) * 2 if tdom is None else rng.uniform(*tdom, shape)
    if name in ("bce_logits_pos_weight", "bce_logits_weight", "bce_weight") and shape in [(), (0,)]:
        return pointwise_arrays(name, (3,) if shape == () else (0, 3), rng)  # the weights have 3 entries
    return x, t


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", POINT_SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(POINTWISE))
def test_pointwise_gradcheck_in_input_and_target(name, shape, reduction, rng):
    fn = POINTWISE[name][0]
    x, t = pointwise_arrays(name, shape, rng)
    if x.size == 0 and reduction == "mean":
        assert np.isnan(fn(fg.tensor(x), fg.tensor(t), reduction).item())
        return
    if name in ("l1", "huber", "smooth_l1", "smooth_l1_beta0"):  # keep clear of the kinks
        x = np.where(np.abs(np.abs(x - t) - 0.65) < 0.1, x + 0.3, x)
    assert fg.gradcheck(lambda a, b: fn(a, b, reduction), (fg.tensor(x, requires_grad=True),
                                                          fg.tensor(t, requires_grad=True)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", sorted(POINTWISE))
def test_pointwise_matches_torch(name, reduction, dtype, rng):
    torch = torch_or_skip()
    fn, tfn, _, _ = POINTWISE[name]
    x, t = pointwise_arrays(name, (4, 3), rng)
    x, t = x.astype(dtype), t.astype(dtype)
    a, b = fg.tensor(x, requires_grad=True), fg.tensor(t, requires_grad=True)
    ta, tb = torch.tensor(x, requires_grad=True), torch.tensor(t, requires_grad=True)
    out, ref = fn(a, b, reduction), tfn(torch.nn.functional, ta, tb, reduction)
    rtol, atol = (1e-12, 1e-13) if dtype == np.float64 else (1e-5, 1e-6)
    np.testing.assert_allclose(out._data, ref.detach().numpy(), rtol=rtol, atol=atol)
    w = rng.standard_normal(out.shape).astype(dtype)
    (out * w).sum().backward()
    (ref * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(a.grad, ta.grad.numpy(), rtol=rtol * 10, atol=atol * 10)
    np.testing.assert_allclose(b.grad, tb.grad.numpy(), rtol=rtol * 10, atol=atol * 10)
    assert out.dtype == dtype and a.grad.dtype == dtype


@pytest.mark.parametrize("name", ["mse", "huber", "bce_logits_pos_weight", "bce"])
def test_pointwise_second_derivative_matches_torch(name, rng):
    torch = torch_or_skip()
    fn, tfn, _, _ = POINTWISE[name]
    x, t = pointwise_arrays(name, (4, 3), rng)
    a, ta = fg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (g,) = fg.autograd.grad(fn(a, fg.tensor(t), "mean"), a, create_graph=True)
    (g * g * a).sum().backward()
    (tg,) = torch.autograd.grad(tfn(torch.nn.functional, ta, torch.tensor(t), "mean"), ta, create_graph=True)
    (tg * tg * ta).sum().backward()
    np.testing.assert_allclose(a.grad, ta.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_mse_broadcasts_input_and_target_with_a_warning(rng):
    torch = torch_or_skip()
    x, t = rng.standard_normal((4, 3)), rng.standard_normal(3)
    with pytest.warns(UserWarning, match="different to the input size"):
        F.mse_loss(fg.tensor(x), fg.tensor(t))
    with pytest.warns(UserWarning):
        compare_with_torch(lambda a, b: F.mse_loss(a, b), lambda a, b: torch.nn.functional.mse_loss(a, b), [x, t],
                           rng)


def test_bce_clamps_log_zero_as_torch():
    torch = torch_or_skip()
    p = np.array([0.0, 1.0, 0.0, 1.0, 0.3])
    t = np.array([1.0, 0.0, 0.0, 1.0, 0.5])
    compare_with_torch(lambda a: F.binary_cross_entropy(a, fg.tensor(t), reduction="none"),
                       lambda a: torch.nn.functional.binary_cross_entropy(a, torch.tensor(t), reduction="none"),
                       [p], np.random.default_rng(0))


def test_bce_with_logits_is_stable_for_huge_logits():
    x = fg.tensor(np.array([1e4, -1e4, 800.0, -800.0], dtype=np.float32), requires_grad=True)
    t = fg.tensor(np.array([0.0, 1.0, 1.0, 0.0], dtype=np.float32))
    loss = F.binary_cross_entropy_with_logits(x, t, reduction="none")
    np.testing.assert_allclose(loss._data, [1e4, 1e4, 0.0, 0.0], rtol=1e-6)
    loss.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, -1.0, 0.0, 0.0])


GENERIC = {
    "cross_entropy": lambda a, t, mk: F.cross_entropy(a, mk(t), label_smoothing=0.1, weight=mk(np.arange(1.0, 6.0))),
    "log_softmax": lambda a, t, mk: (F.log_softmax(a, dim=0) * mk(np.arange(5.0))).sum(),
    "softmax": lambda a, t, mk: (F.softmax(a, dim=1) * mk(np.arange(5.0))).sum(),
    "mse": lambda a, t, mk: F.mse_loss(a, fg.tensor(mk(np.ones((4, 5))))),
    "huber": lambda a, t, mk: F.huber_loss(a, fg.tensor(mk(np.ones((4, 5)))), reduction="sum"),
    "bce_logits": lambda a, t, mk: F.binary_cross_entropy_with_logits(a, fg.tensor(mk(np.full((4, 5), 0.3))),
                                                                      pos_weight=mk(np.full(5, 2.0))),
}


@pytest.mark.parametrize("name", sorted(GENERIC))
def test_losses_on_array_api_arrays_use_the_twins(name, rng):
    xp = pytest.importorskip("array_api_strict")
    x, t = rng.standard_normal((4, 5)), rng.integers(0, 5, 4)
    fn = GENERIC[name]
    a = fg.tensor(xp.asarray(x), requires_grad=True)
    out = fn(a, t, xp.asarray)
    out.backward()
    ref = fg.tensor(x, requires_grad=True)
    ref_out = fn(ref, t, np.asarray)
    ref_out.backward()
    assert type(a.grad._data) is type(xp.asarray(x))
    np.testing.assert_allclose(float(out.item()), ref_out.item(), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(a.grad), ref.grad, rtol=1e-11, atol=1e-14)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("with_weight", [False, True])
def test_bce_with_logits_pos_weight_that_requires_grad_gets_its_gradient(reduction, with_weight):
    """PyTorch refuses a pos_weight that requires grad; here it gets d loss / d pw = t softplus(-x),
    checked by central differences, and the loss and the input's gradient stay PyTorch's."""
    rng = np.random.default_rng(4)
    x, t, pw, w = rng.standard_normal((4, 3)), rng.random((4, 3)), rng.random(3) + 0.5, rng.random(3)
    weight = fg.tensor(w) if with_weight else None

    def loss(xx, pp, tt):
        return F.binary_cross_entropy_with_logits(xx, tt, weight=weight, pos_weight=pp, reduction=reduction)

    leaves = (fg.tensor(x, requires_grad=True), fg.tensor(pw, requires_grad=True), fg.tensor(t, requires_grad=True))
    assert fg.gradcheck(loss, leaves)
    fused = F.binary_cross_entropy_with_logits(fg.tensor(x), fg.tensor(t), weight=weight, pos_weight=fg.tensor(pw),
                                               reduction=reduction)
    np.testing.assert_allclose(loss(*leaves).detach().numpy(), fused.numpy(), rtol=1e-12, atol=1e-15)
