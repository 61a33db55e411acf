"""multilabel_margin_loss, triplet_margin_with_distance_loss, pdist, renorm, frombuffer,
nn.utils.fuse_conv_bn_eval / fuse_linear_bn_eval and nn.utils.stateless: values and gradients
against PyTorch and numerical gradients, and bad arguments."""
import array

import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn
from fastgrad.autograd import gradcheck
from fastgrad.nn import functional as F

rng = np.random.default_rng(3)


def _both(fn, *arrays, grads=True):
    """fn(lib, *tensors) under fastgrad and PyTorch: (value, input gradients) of each, float64."""
    torch = pytest.importorskip("torch")
    results = []
    for lib in (fg, torch):
        tensors = [lib.tensor(a, requires_grad=grads and a.dtype.kind == "f") for a in arrays]
        out = fn(lib, *tensors)
        if grads:
            out.sum().backward() if out.ndim else out.backward()
        results.append((out.detach().numpy(), [t.grad.numpy() for t in tensors if t.grad is not None]))
    return results


def _assert_same(results, rtol=1e-10):
    (ours, our_grads), (theirs, their_grads) = results
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=1e-12)
    assert len(our_grads) == len(their_grads)
    for a, b in zip(our_grads, their_grads):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_multilabel_margin_loss_equals_pytorchs(reduction):
    x = rng.standard_normal((4, 5))
    target = np.array([[3, 0, -1, 1, 2], [1, 1, 4, -1, -1], [-1, 0, 1, 2, 3], [0, 1, 2, 3, 4]])
    _assert_same(_both(lambda lib, a, t: lib.nn.functional.multilabel_margin_loss(a, t, reduction=reduction),
                       x, target))
    _assert_same(_both(lambda lib, a, t: lib.nn.MultiLabelMarginLoss(reduction=reduction)(a, t), x[0], target[0]))


def test_multilabel_margin_loss_gradient_and_errors():
    target = fg.tensor([[2, 0, -1], [1, -1, 0]])
    assert gradcheck(lambda a: F.multilabel_margin_loss(a, target), (fg.randn(2, 3, dtype=fg.float64,
                                                                              requires_grad=True),))
    with pytest.raises(IndexError, match="multilabel_margin_loss: argument 'target' holds a class index outside"):
        F.multilabel_margin_loss(fg.randn(2, 3), fg.tensor([[3, -1, 0], [0, 1, 2]]))
    with pytest.raises(ValueError, match="multilabel_margin_loss: input of shape"):
        F.multilabel_margin_loss(fg.randn(2, 3), fg.tensor([0, 1, 2]))
    with pytest.raises(TypeError, match="multilabel_margin_loss: argument 'target' must hold integer"):
        F.multilabel_margin_loss(fg.randn(2, 3), fg.randn(2, 3))


@pytest.mark.parametrize("swap", [False, True])
def test_triplet_margin_with_distance_loss_equals_pytorchs(swap):
    a, p, n = (rng.standard_normal((6, 4)) for _ in range(3))
    _assert_same(_both(lambda lib, *t: lib.nn.functional.triplet_margin_with_distance_loss(*t, swap=swap), a, p, n))

    def cosine_distance(lib):
        return lambda x, y: 1.0 - lib.nn.functional.cosine_similarity(x, y)

    _assert_same(_both(lambda lib, *t: lib.nn.TripletMarginWithDistanceLoss(
        distance_function=cosine_distance(lib), margin=0.5, swap=swap, reduction="sum")(*t), a, p, n))
    with pytest.raises(ValueError, match="argument 'margin' must be > 0"):
        nn.TripletMarginWithDistanceLoss(margin=0)
    with pytest.raises(TypeError, match="distance_function' must be callable"):
        F.triplet_margin_with_distance_loss(fg.tensor(a), fg.tensor(p), fg.tensor(n), distance_function=3)


@pytest.mark.parametrize("p", [1.0, 2.0, 3.0, float("inf")])
def test_pdist_equals_pytorchs(p):
    x = rng.standard_normal((5, 3))
    _assert_same(_both(lambda lib, t: lib.nn.functional.pdist(t, p), x))


def test_pdist_of_equal_rows_and_shapes():
    x = fg.tensor([[1.0, 2.0], [1.0, 2.0], [0.0, 0.0]], requires_grad=True)
    d = F.pdist(x)
    np.testing.assert_allclose(d.detach().numpy(), [0.0, np.sqrt(5), np.sqrt(5)])
    d.sum().backward()
    assert np.isfinite(x.grad.numpy()).all()   # the zero distance gives a zero gradient, as PyTorch's
    assert F.pdist(fg.randn(1, 4)).shape == (0,)
    with pytest.raises(ValueError, match="pdist: argument 'input' must be 2-d"):
        F.pdist(fg.randn(3))


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("p", [1, 2, 3.5])
def test_renorm_equals_pytorchs(dim, p):
    x = rng.standard_normal((3, 4, 2)) * 2
    _assert_same(_both(lambda lib, t: lib.renorm(t, p, dim, 1.5), x))
    _assert_same(_both(lambda lib, t: t.renorm(p, dim, 1.5) * 2, x))


def test_renorm_in_place_gradient_and_errors():
    x = fg.tensor(rng.standard_normal((3, 4)) * 3)
    expected = fg.renorm(x, 2, 0, 1.0).numpy()
    np.testing.assert_allclose(x.clone().renorm_(2, 0, 1.0).numpy(), expected)
    assert gradcheck(lambda t: fg.renorm(t, 2, 1, 0.7), (fg.tensor(rng.standard_normal((3, 4)), requires_grad=True),))
    with pytest.raises(IndexError, match="renorm: argument 'dim'"):
        fg.renorm(x, 2, 2, 1.0)
    with pytest.raises(RuntimeError, match="renorm: argument 'maxnorm'"):
        fg.renorm(x, 2, 0, -1.0)


def test_frombuffer_shares_memory_as_pytorchs():
    torch = pytest.importorskip("torch")
    data = bytearray(np.arange(6, dtype=np.float32).tobytes())
    ours, theirs = fg.frombuffer(data, dtype=fg.float32, count=3, offset=8), \
        torch.frombuffer(data, dtype=torch.float32, count=3, offset=8)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    data[8:12] = np.float32(42.0).tobytes()
    assert ours[0].item() == 42.0 == theirs[0].item()
    np.testing.assert_array_equal(fg.frombuffer(array.array("i", [1, 2, 3]), dtype=fg.int32).numpy(), [1, 2, 3])
    with pytest.raises(ValueError, match="not a whole number"):
        fg.frombuffer(b"12345", dtype=fg.float32)
    with pytest.raises(ValueError, match="do not fit"):
        fg.frombuffer(b"12345678", dtype=fg.float32, count=3)
    with pytest.raises(TypeError, match="buffer protocol"):
        fg.frombuffer([1, 2], dtype=fg.float32)
    with pytest.raises(ValueError, match="empty"):
        fg.frombuffer(b"", dtype=fg.float32)


@pytest.mark.parametrize("transpose", [False, True])
def test_fuse_conv_bn_eval_equals_pytorchs(transpose):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    weight = rng.standard_normal((3, 4, 3, 3) if transpose else (4, 3, 3, 3)).astype(np.float32)
    values = {"bias": np.linspace(-1, 1, 4), "running_mean": [0.1, -0.2, 0.3, 0.0],
              "running_var": [0.5, 1.5, 2.0, 0.9], "bn_weight": [1.2, 0.8, -0.5, 1.0]}
    values = {k: np.asarray(v, np.float32) for k, v in values.items()}
    fused = []
    for lib in (fg, torch):
        conv = lib.nn.ConvTranspose2d(3, 4, 3) if transpose else lib.nn.Conv2d(3, 4, 3)
        bn = lib.nn.BatchNorm2d(4)
        with lib.no_grad():
            conv.weight.copy_(lib.tensor(weight))
            conv.bias.copy_(lib.tensor(values["bias"]))
            bn.running_mean.copy_(lib.tensor(values["running_mean"]))
            bn.running_var.copy_(lib.tensor(values["running_var"]))
            bn.weight.copy_(lib.tensor(values["bn_weight"]))
        conv.eval(), bn.eval()
        one = lib.nn.utils.fuse_conv_bn_eval(conv, bn, transpose=transpose)
        np.testing.assert_allclose(one(lib.tensor(x)).detach().numpy(), bn(conv(lib.tensor(x))).detach().numpy(),
                                   rtol=1e-5, atol=1e-5)
        fused.append((one.weight.detach().numpy(), one.bias.detach().numpy()))
    for ours, theirs in zip(*fused):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)


def test_fuse_linear_bn_eval_and_eval_mode_is_required():
    lin, bn = nn.Linear(3, 2), nn.BatchNorm1d(2)
    with fg.no_grad():
        bn.running_mean.copy_(fg.tensor([0.5, -1.0]))
        bn.running_var.copy_(fg.tensor([2.0, 0.25]))
    with pytest.raises(AssertionError, match="eval mode"):
        nn.utils.fuse_linear_bn_eval(lin, bn)
    lin.eval(), bn.eval()
    fused = nn.utils.fuse_linear_bn_eval(lin, bn)
    x = fg.randn(4, 3)
    np.testing.assert_allclose(fused(x).detach().numpy(), bn(lin(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    assert fused is not lin and fused.weight.requires_grad


def test_stateless_functional_call_is_funcs():
    model = nn.Linear(2, 1)
    zero = {"weight": fg.zeros(1, 2), "bias": fg.ones(1)}
    out = nn.utils.stateless.functional_call(model, zero, (fg.randn(3, 2),))
    np.testing.assert_array_equal(out.detach().numpy(), np.ones((3, 1)))
