"""checkpoint(fn, *args): gradients identical to the plain run, activations not kept."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn
from fastgrad.utils.checkpoint import checkpoint, checkpoint_sequential


def _block(seed, dropout=0.0):
    fg.manual_seed(seed)
    layers = [nn.Linear(6, 6, dtype=np.float64), nn.Tanh()]
    if dropout:
        layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers, nn.Linear(6, 6, dtype=np.float64))


def _grads(model, x, use_checkpoint, seed=0):
    model.zero_grad()
    x = fg.tensor(x.copy(), requires_grad=True)
    fg.manual_seed(seed)
    h = x
    for block in model:
        h = checkpoint(block, h) if use_checkpoint else block(h)
    ((h ** 2).sum()).backward()
    return [x.grad] + [p.grad.copy() for p in model.parameters()]


@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_gradients_identical_to_plain_run(dropout):
    model = nn.ModuleList([_block(i, dropout) for i in range(3)])
    x = np.random.default_rng(0).standard_normal((5, 6))
    plain = _grads(model, x, False)
    ckpt = _grads(model, x, True)
    for a, b in zip(plain, ckpt):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)


def test_parameters_get_gradients_when_the_input_needs_none():
    block = _block(1)
    x = fg.tensor(np.ones((2, 6)))
    checkpoint(block, x).sum().backward()
    assert all(p.grad is not None for p in block.parameters())
    expected = [p.grad.copy() for p in block.parameters()]
    block.zero_grad()
    block(x).sum().backward()
    for p, e in zip(block.parameters(), expected):
        np.testing.assert_allclose(p.grad, e, rtol=1e-13)


def test_plain_function_with_extra_arguments():
    w = fg.tensor(np.array([1.0, 2.0]), requires_grad=True)
    x = fg.tensor(np.array([3.0, 4.0]), requires_grad=True)
    y = checkpoint(lambda a, b, k: (a * b).sigmoid() * k, x, w, 3.0)
    y.sum().backward()
    s = 1 / (1 + np.exp(-(x.data * w.data)))
    np.testing.assert_allclose(w.grad, 3 * s * (1 - s) * x.data, rtol=1e-12)
    np.testing.assert_allclose(x.grad, 3 * s * (1 - s) * w.data, rtol=1e-12)


def test_no_intermediate_is_recorded():
    block = _block(2)
    x = fg.tensor(np.ones((2, 6)), requires_grad=True)
    y = checkpoint(block, x)
    node = y.grad_fn
    assert node is not None and len(node.saved_arrays) == 1   # only the input is kept


def test_checkpoint_sequential_matches():
    model = nn.Sequential(*[_block(i) for i in range(4)])
    x = np.random.default_rng(1).standard_normal((3, 6))
    xa = fg.tensor(x, requires_grad=True)
    model(xa).sum().backward()
    expected = [xa.grad] + [p.grad.copy() for p in model.parameters()]
    model.zero_grad()
    xb = fg.tensor(x, requires_grad=True)
    checkpoint_sequential(model, 2, xb).sum().backward()
    for a, b in zip(expected, [xb.grad] + [p.grad for p in model.parameters()]):
        np.testing.assert_allclose(a, b, rtol=1e-13)


def test_function_must_return_a_tensor():
    x = fg.tensor(np.ones(2), requires_grad=True)
    with pytest.raises(TypeError, match="single Tensor"):
        checkpoint(lambda a: (a, a), x)
