"""batch_norm, group_norm, instance_norm, layer_norm: values and all gradients against PyTorch
(float64), central differences, second derivatives, running statistics, argument checks."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.nn import functional as F


def compare(fn, torch_fn, arrays, rng, rtol=1e-10):
    torch = pytest.importorskip("torch")
    mine = [fg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = fn(*mine), torch_fn(*theirs)
    seed = rng.standard_normal(out.shape)
    (out * fg.tensor(seed)).sum().backward()
    (expected * torch.tensor(seed)).sum().backward()
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=rtol, atol=1e-12)
    for i, (m, t) in enumerate(zip(mine, theirs)):
        np.testing.assert_allclose(m.grad.data, t.grad.numpy(), rtol=rtol, atol=1e-11, err_msg=f"argument {i}")


@pytest.mark.parametrize("shape", [(4, 3), (4, 3, 7), (5, 2, 4, 3), (2, 3, 2, 2, 2)], ids=str)
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_matches_torch(shape, training, rng):
    torch = pytest.importorskip("torch")
    c = shape[1]
    rm, rv = rng.standard_normal(c), rng.uniform(0.5, 2, c)

    def run(lib, F_, x, w, b):
        return F_.batch_norm(x, lib.tensor(rm.copy()), lib.tensor(rv.copy()), w, b, training=training, eps=1e-3)
    compare(lambda x, w, b: run(fg, F, x, w, b), lambda x, w, b: run(torch, torch.nn.functional, x, w, b),
            [rng.standard_normal(shape) * 2 + 1, rng.standard_normal(c), rng.standard_normal(c)], rng)


@pytest.mark.parametrize("shape, groups", [((4, 6, 5), 3), ((2, 6, 3, 4), 1), ((2, 6, 3, 4), 6), ((3, 4), 2)],
                         ids=str)
def test_group_norm_matches_torch(shape, groups, rng):
    torch = pytest.importorskip("torch")
    c = shape[1]
    compare(lambda x, w, b: F.group_norm(x, groups, w, b),
            lambda x, w, b: torch.nn.functional.group_norm(x, groups, w, b),
            [rng.standard_normal(shape), rng.standard_normal(c), rng.standard_normal(c)], rng)


def test_instance_norm_matches_torch(rng):
    torch = pytest.importorskip("torch")
    compare(lambda x, w, b: F.instance_norm(x, weight=w, bias=b), lambda x, w, b: torch.nn.functional.instance_norm(
        x, weight=w, bias=b), [rng.standard_normal((3, 4, 5, 6)), rng.standard_normal(4), rng.standard_normal(4)], rng)


@pytest.mark.parametrize("shape, normalized", [((4, 7), (7,)), ((2, 3, 4, 5), (4, 5)), ((6,), (6,)),
                                               ((2, 3, 4), (2, 3, 4))], ids=str)
def test_layer_norm_matches_torch(shape, normalized, rng):
    torch = pytest.importorskip("torch")
    compare(lambda x, w, b: F.layer_norm(x, normalized, w, b),
            lambda x, w, b: torch.nn.functional.layer_norm(x, normalized, w, b),
            [rng.standard_normal(shape), rng.standard_normal(normalized), rng.standard_normal(normalized)], rng)


def test_running_statistics_move_as_torch(rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((6, 3, 4, 4)) * 3 + 2
    rm, rv = np.zeros(3), np.ones(3)
    trm, trv = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    mine_m, mine_v = fg.tensor(rm), fg.tensor(rv)
    for momentum in (0.1, 0.5):
        F.batch_norm(fg.tensor(x), mine_m, mine_v, training=True, momentum=momentum)
        torch.nn.functional.batch_norm(torch.tensor(x), trm, trv, training=True, momentum=momentum)
    np.testing.assert_allclose(mine_m.data, trm.numpy(), rtol=1e-12)
    np.testing.assert_allclose(mine_v.data, trv.numpy(), rtol=1e-12)
    im, iv = fg.tensor(np.zeros(3)), fg.tensor(np.ones(3))
    tim, tiv = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    F.instance_norm(fg.tensor(x), im, iv, momentum=0.3)
    torch.nn.functional.instance_norm(torch.tensor(x), tim, tiv, momentum=0.3)
    np.testing.assert_allclose(im.data, tim.numpy(), rtol=1e-12)
    np.testing.assert_allclose(iv.data, tiv.numpy(), rtol=1e-10)


@pytest.mark.parametrize("fn", [lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                                lambda x, w, b: F.group_norm(x, 2, w, b),
                                lambda x, w, b: F.layer_norm(x.reshape(3, 4, 4), (4,), w, b)],
                         ids=["batch", "group", "layer"])
def test_gradcheck(fn, rng):
    x = fg.tensor(rng.standard_normal((4, 4, 3)), requires_grad=True)
    w = fg.tensor(rng.standard_normal(4), requires_grad=True)
    b = fg.tensor(rng.standard_normal(4), requires_grad=True)
    assert fg.gradcheck(fn, (x, w, b))


@pytest.mark.parametrize("name", ["batch", "group"])
def test_second_derivatives_match_torch(name, rng):
    torch = pytest.importorskip("torch")
    x, w = rng.standard_normal((4, 4, 3)), rng.standard_normal(4)

    def norm(F_, x, w):
        return F_.batch_norm(x, None, None, w, None, training=True) if name == "batch" else F_.group_norm(x, 2, w)
    X, W = fg.tensor(x, requires_grad=True), fg.tensor(w, requires_grad=True)
    (g,) = fg.autograd.grad((norm(F, X, W) ** 3).sum(), X, create_graph=True)
    (g * g).sum().backward()
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    (tg,) = torch.autograd.grad((norm(torch.nn.functional, tx, tw) ** 3).sum(), tx, create_graph=True)
    (tg * tg).sum().backward()
    np.testing.assert_allclose(X.grad.data, tx.grad.numpy(), rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(W.grad.data, tw.grad.numpy(), rtol=1e-9, atol=1e-10)


def test_float32_stays_float32(rng):
    x = fg.tensor(rng.standard_normal((4, 3, 5)).astype(np.float32), requires_grad=True)
    out = F.batch_norm(x, None, None, training=True) + F.group_norm(x, 3) + F.layer_norm(x, (5,))
    out.sum().backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32


@pytest.mark.parametrize("call, error, fragment", [
    (lambda: F.batch_norm(fg.ones((4, 3)), None, None), ValueError, "required when training=False"),
    (lambda: F.batch_norm(fg.ones((1, 3)), None, None, training=True), ValueError, "more than 1 value"),
    (lambda: F.batch_norm(fg.ones(3), None, None, training=True), ValueError, "at least 2 axes"),
    (lambda: F.batch_norm(fg.ones((4, 3)), None, None, fg.ones(2), training=True), ValueError, "weight"),
    (lambda: F.batch_norm(fg.ones((4, 3)), None, None, training=True, eps=-1.0), ValueError, "eps"),
    (lambda: F.group_norm(fg.ones((4, 6)), 4), ValueError, "num_groups"),
    (lambda: F.group_norm(fg.ones((4, 6)), 2, bias=fg.ones(3)), ValueError, "bias"),
    (lambda: F.instance_norm(fg.ones((4, 6))), ValueError, "at least 3 axes"),
    (lambda: F.instance_norm(fg.ones((4, 6, 2)), use_input_stats=False), ValueError, "required"),
    (lambda: F.layer_norm(fg.ones((4, 6)), (5,)), ValueError, "normalized_shape"),
    (lambda: F.layer_norm(fg.ones((4, 6)), (6,), fg.ones(5)), ValueError, "weight"),
])
def test_bad_arguments_raise_clear_errors(call, error, fragment):
    with pytest.raises(error, match="^(batch|group|instance|layer)_norm: ") as info:
        call()
    assert fragment in str(info.value)
