"""PyTorch's in-place methods (x.add_(y), x.zero_(), ...): values, gradients and the rules of +=."""
import numpy as np
import pytest

import fastgrad as fg

from torch_parity import needs_torch, torch

# name: expression of (T, x, other) that updates x in place and returns it
CASES = {
    "add_": lambda T, x, o: x.add_(o),
    "add_alpha": lambda T, x, o: x.add_(o, alpha=-2.0),
    "sub_": lambda T, x, o: x.sub_(o, alpha=0.5),
    "mul_": lambda T, x, o: x.mul_(o),
    "div_": lambda T, x, o: x.div_(o.abs() + 1),
    "pow_": lambda T, x, o: x.pow_(2),
    "neg_": lambda T, x, o: x.neg_(),
    "abs_": lambda T, x, o: x.abs_(),
    "exp_": lambda T, x, o: x.exp_(),
    "clamp_": lambda T, x, o: x.clamp_(-0.3, 0.4),
    "sigmoid_": lambda T, x, o: x.sigmoid_(),
    "tanh_": lambda T, x, o: x.tanh_(),
    "relu_": lambda T, x, o: x.relu_(),
    "copy_": lambda T, x, o: x.copy_(o),
    "fill_": lambda T, x, o: x.fill_(2.5),
    "zero_": lambda T, x, o: x.zero_(),
    "masked_fill_": lambda T, x, o: x.masked_fill_(o > 0, 1.0),
}


def _pair(lib, seed=0):
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    if lib is torch:
        return torch.tensor(a), torch.tensor(b)
    return fg.tensor(a), fg.tensor(b)


@needs_torch
@pytest.mark.parametrize("name", sorted(CASES))
def test_without_graph_writes_the_array_and_bumps_the_version(name):
    x, o = _pair(fg)
    tx, to = _pair(torch)
    array, version = x.numpy(), x._version[0]
    assert CASES[name](fg, x, o) is x
    CASES[name](torch, tx, to)
    np.testing.assert_allclose(x.data, tx.numpy(), rtol=1e-12)
    assert x.numpy() is array and x._version[0] == version + 1


@needs_torch
@pytest.mark.parametrize("name", sorted(CASES))
def test_inside_a_graph_gradients_match_pytorch(name):
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    grads = []
    for lib in (fg, torch):
        leaf = lib.tensor(a, requires_grad=True)
        other = lib.tensor(b, requires_grad=True)
        x = leaf * 1.5                 # a non-leaf may be changed in place
        CASES[name](lib, x, other)
        (x * lib.tensor(b)).sum().backward()
        grads.append([np.asarray(leaf.grad if lib is fg else leaf.grad.numpy()),
                      None if other.grad is None else np.asarray(other.grad if lib is fg else other.grad.numpy())])
        assert x.requires_grad
    (g, og), (tg, tog) = grads
    np.testing.assert_allclose(g, tg, rtol=1e-12, atol=1e-15)
    if tog is None:
        assert og is None or not np.any(og)
    else:
        np.testing.assert_allclose(og, tog, rtol=1e-12, atol=1e-15)


def test_leaf_that_requires_grad_is_refused_outside_no_grad():
    w = fg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="add_: a leaf tensor that requires grad is being used in an in-place"):
        w.add_(1.0)
    with pytest.raises(RuntimeError, match="zero_: a leaf tensor that requires grad"):
        w.zero_()
    with fg.no_grad():
        w.mul_(2).add_(1)
        w.uniform_(-1, 1)
    assert np.all(np.abs(w.data) <= 1)


def test_changing_a_saved_tensor_in_place_is_detected_at_backward():
    w = fg.tensor([1.0, 2.0], requires_grad=True)
    x = fg.tensor([3.0, 4.0])
    y = (w * x).sum()          # saves x
    x.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward()


def test_random_fills_use_the_default_generator():
    x = fg.zeros(1000, dtype=fg.float64)
    fg.manual_seed(3)
    x.normal_(2.0, 0.5)
    first = x.data.copy()
    assert abs(first.mean() - 2.0) < 0.1 and abs(first.std() - 0.5) < 0.05
    fg.manual_seed(3)
    x.normal_(mean=2.0, std=0.5)
    np.testing.assert_array_equal(x.data, first)
    x.uniform_(3, 4)
    assert x.data.min() >= 3 and x.data.max() < 4


def test_result_of_another_shape_is_refused():
    x = fg.zeros(3)
    with pytest.raises(RuntimeError, match="add_: result of shape \\(2, 3\\)"):
        x.add_(fg.zeros(2, 3))


@pytest.mark.parametrize("call", [lambda x: x.sin_(), lambda x: x.fmod_(2.5), lambda x: x.atan2_(x),
                                  lambda x: x.mul_(2.5), lambda x: x.div_(2)])
def test_in_place_methods_refuse_a_float_result_in_an_integer_tensor_as_pytorch(call):
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
        call(torch.arange(3))
    x = fg.arange(3)
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type int64"):
        call(x)
    np.testing.assert_array_equal(x.numpy(), [0, 1, 2])   # unchanged


def test_in_place_methods_cast_a_lower_category_result_and_refuse_complex_into_real():
    x = fg.ones(3)
    assert x.eq_(1).dtype == fg.float32 and x.tolist() == [1.0, 1.0, 1.0]
    i = fg.arange(3)
    assert i.clamp_min_(1).tolist() == [1, 1, 2]
    with pytest.raises(RuntimeError, match="complex128 can't be cast to the desired output type float32"):
        fg.ones(2).mul_(fg.tensor([1j, 2j]))
