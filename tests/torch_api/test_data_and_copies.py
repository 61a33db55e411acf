"""`x.data` as PyTorch code uses it (a Tensor sharing x's array, cut from the graph), and which
factories copy: `tensor` always, `as_tensor` / `from_numpy` never when nothing has to change."""
import numpy as np
import pytest

import fastgrad as fg

from torch_parity import needs_torch, torch


def test_data_is_a_detached_tensor_over_the_same_array():
    x = fg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    for t in (x, y):
        d = t.data
        assert isinstance(d, fg.Tensor) and not d.requires_grad and d.grad_fn is None and d.is_leaf
        assert d.numpy() is t.numpy() and np.asarray(d) is t.numpy()   # the array itself, no copy
        assert d.dtype == t.dtype and d.shape == t.shape


@needs_torch
def test_writes_through_data_change_the_tensor_and_record_nothing():
    ours = fg.nn.Linear(3, 2)
    theirs = torch.nn.Linear(3, 2)
    for o, t in ((ours.weight, theirs.weight), (ours.bias, theirs.bias)):
        o.data.copy_(fg.ones(o.shape))
        t.data.copy_(torch.ones(t.shape))
    ours.bias.data.zero_()
    theirs.bias.data.zero_()
    ours.weight.data.mul_(3).add_(1)
    theirs.weight.data.mul_(3).add_(1)
    ours.weight.data[0, 0] = -5.0
    theirs.weight.data[0, 0] = -5.0
    for o, t in ((ours.weight, theirs.weight), (ours.bias, theirs.bias)):
        np.testing.assert_array_equal(o.numpy(), t.detach().numpy())
        assert o.requires_grad and o.is_leaf and o.grad is None


@needs_torch
def test_manual_sgd_through_data_matches_pytorch():
    rng = np.random.default_rng(0)
    x, y, w0 = rng.standard_normal((20, 3)), rng.standard_normal((20, 1)), rng.standard_normal((3, 1))
    w = fg.tensor(w0, requires_grad=True)
    tw = torch.tensor(w0, requires_grad=True)
    for _ in range(20):
        for lib, weight, xs, ys in ((fg, w, fg.tensor(x), fg.tensor(y)), (torch, tw, torch.tensor(x), torch.tensor(y))):
            loss = ((xs @ weight - ys) ** 2).mean()
            loss.backward()
            weight.data -= 0.1 * weight.grad.data
            weight.grad.data.zero_()
    np.testing.assert_allclose(w.numpy(), tw.detach().numpy(), rtol=1e-12)
    assert np.all(w.grad.numpy() == 0)


def test_assigning_data_replaces_the_array():
    x = fg.zeros(2, requires_grad=True)
    x.data = fg.tensor([4.0, 5.0])
    np.testing.assert_array_equal(x.numpy(), [4.0, 5.0])
    x.data = np.array([6.0, 7.0], np.float32)
    np.testing.assert_array_equal(x.numpy(), [6.0, 7.0])
    assert x.requires_grad and x.is_leaf
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [12.0, 14.0])
    with pytest.raises(TypeError, match="data: assigned value must be a Tensor or an array, got list"):
        x.data = [1.0, 2.0]


def test_changing_saved_values_through_data_raises_instead_of_a_wrong_gradient():
    x = fg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()          # saves x
    x.data.mul_(10)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward()


@needs_torch
def test_tensor_always_copies_and_as_tensor_and_from_numpy_share():
    a = np.arange(6.0).reshape(2, 3)
    for lib in (fg, torch):
        copied = lib.tensor(a)
        copied[0, 0] = 100.0
        assert a[0, 0] == 0.0
    t = fg.tensor(a[:, ::2], dtype=fg.float64)
    assert not np.shares_memory(t.numpy(), a) and t.is_contiguous()
    assert not np.shares_memory(fg.tensor(fg.from_numpy(a)).numpy(), a)
    for lib in (fg, torch):
        lib.as_tensor(a)[0, 1] = 7.0
        lib.from_numpy(a)[0, 2] = 8.0
    assert a[0, 1] == 7.0 and a[0, 2] == 8.0
    assert fg.as_tensor(a, dtype=fg.float64).numpy() is a
    converted = fg.as_tensor(a, dtype=fg.float32)
    assert converted.dtype == np.float32 and not np.shares_memory(converted.numpy(), a)
    shared = fg.as_tensor(fg.from_numpy(a))
    assert shared.numpy() is a
