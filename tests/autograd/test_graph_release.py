"""A graph dropped without a backward is freed at once, by reference counting.

A node that saves its own output (relu, sigmoid, tanh, exp, softmax, a linear
layer's activation) once named itself in its saved-array records: a cycle that
kept the node and its arrays alive until Python's cyclic collector ran, so
forward passes outside no_grad (validation, a discarded graph) held their
activations and the kernel output pool could not reuse them.
"""
import gc

import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
from fastgrad import nn


def _leaf(*shape):
    return fg.tensor(np.random.default_rng(0).standard_normal(shape), requires_grad=True)


FORWARDS = {
    "relu": lambda: fg.relu(_leaf(5)),
    "sigmoid": lambda: fg.sigmoid(_leaf(5)),
    "tanh": lambda: fg.tanh(_leaf(5)),
    "exp": lambda: fg.exp(_leaf(5)),
    "softmax": lambda: F.softmax(_leaf(2, 5), dim=-1),
    "log_softmax": lambda: F.log_softmax(_leaf(2, 5), dim=-1),
    "linear+relu": lambda: nn.Sequential(nn.Linear(4, 3), nn.ReLU())(_leaf(2, 4)),
    "mlp loss": lambda: F.cross_entropy(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))(_leaf(2, 4)),
                                        np.array([0, 2])),
    "conv": lambda: nn.Conv2d(1, 2, 3)(_leaf(1, 1, 5, 5)),
    "lstm": lambda: nn.LSTM(3, 4)(_leaf(2, 1, 3))[0],
    "attention": lambda: F.scaled_dot_product_attention(_leaf(1, 2, 3, 4), _leaf(1, 2, 3, 4), _leaf(1, 2, 3, 4)),
    "numpy": lambda: fg.numpy.tanh(fg.numpy.exp(_leaf(3))) ** 2,
}


@pytest.fixture
def no_cyclic_collector():
    gc.collect()
    gc.disable()
    yield
    gc.enable()


@pytest.mark.parametrize("name", list(FORWARDS))
def test_a_dropped_graph_leaves_no_cycle(name, no_cyclic_collector):
    forward = FORWARDS[name]
    forward()                       # first use: lazy imports and caches
    gc.collect()
    out = forward()
    assert out.requires_grad        # a graph was recorded
    del out
    assert gc.collect() == 0


def test_higher_order_gradient_through_a_saved_output():
    # create_graph turns the saved output back into a tensor of the node that made it
    x = fg.tensor(np.array(0.3), requires_grad=True)   # float64
    (g,) = fg.autograd.grad(fg.tanh(x), x, create_graph=True)
    (gg,) = fg.autograd.grad(g, x)
    t = np.tanh(0.3)
    np.testing.assert_allclose(gg.item(), -2 * t * (1 - t * t), rtol=1e-12)
