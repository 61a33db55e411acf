"""index_copy, index_fill, index_put, masked_scatter and put (functions, methods, in-place
forms): values and gradients against PyTorch, numerical gradients, and bad arguments."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.autograd import gradcheck

rng = np.random.default_rng(9)


def _compare(fn, x, other, weights=None):
    """fn(lib, x_tensor, other_tensor) under both libraries: values and both inputs' gradients."""
    torch = pytest.importorskip("torch")
    results = []
    for lib in (fg, torch):
        a = lib.tensor(x, requires_grad=True)
        b = lib.tensor(other, requires_grad=other.dtype.kind == "f")
        out = fn(lib, a, b)
        w = lib.tensor(rng.standard_normal(tuple(out.shape)) if weights is None else weights)
        (out * w).sum().backward()
        results.append((out.detach().numpy(), a.grad.numpy(), None if b.grad is None else b.grad.numpy()))
        weights = w.numpy() if weights is None else weights
    for ours, theirs in zip(*results):
        if ours is None or theirs is None:
            assert ours is None and theirs is None
        else:
            np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_index_copy_equals_pytorchs(dim):
    x = rng.standard_normal((4, 5))
    index = np.array([3, 0]) if dim == 0 else np.array([4, 1])
    source_shape = (2, 5) if dim == 0 else (4, 2)
    _compare(lambda lib, a, s: lib.index_copy(a, dim, lib.tensor(index), s), x, rng.standard_normal(source_shape))
    _compare(lambda lib, a, s: (a * 1).index_copy_(dim, lib.tensor(index), s), x, rng.standard_normal(source_shape))


def test_index_fill_equals_pytorchs():
    x = rng.standard_normal((3, 4))
    _compare(lambda lib, a, v: a.index_fill(1, lib.tensor([0, 2]), v), x, np.array(2.5))
    _compare(lambda lib, a, v: (a * 1).index_fill_(0, lib.tensor([1]), -1.0) * v, x, np.array(1.5))


@pytest.mark.parametrize("accumulate", [False, True])
def test_index_put_equals_pytorchs(accumulate):
    x = rng.standard_normal((4, 3))
    rows, cols = np.array([0, 2, 0]), np.array([1, 1, 2])
    _compare(lambda lib, a, v: a.index_put((lib.tensor(rows), lib.tensor(cols)), v, accumulate=accumulate),
             x, rng.standard_normal(3))
    _compare(lambda lib, a, v: (a * 1).index_put_((lib.tensor([1, 3]),), v, accumulate=accumulate),
             x, rng.standard_normal(3))     # whole rows, values broadcast
    _compare(lambda lib, a, v: lib.index_put(a, (lib.tensor(x > 0),), v, accumulate=accumulate), x, np.array(0.5))


def test_masked_scatter_and_put_equal_pytorchs():
    x = rng.standard_normal((3, 4))
    mask = rng.random((3, 4)) > 0.5
    _compare(lambda lib, a, s: a.masked_scatter(lib.tensor(mask), s), x, rng.standard_normal(20))
    _compare(lambda lib, a, s: (a * 1).masked_scatter_(lib.tensor(mask[0]), s), x, rng.standard_normal(12))
    for accumulate in (False, True):
        _compare(lambda lib, a, s: (a * 1).put_(lib.tensor([[0, 11], [5, 0]]), s, accumulate=accumulate), x,
                 rng.standard_normal((2, 2)) if accumulate else rng.standard_normal(4))
    _compare(lambda lib, a, s: a.put(lib.tensor([1, 7]), s), x, rng.standard_normal(2))


def test_gradients_equal_numerical_ones():
    index = fg.tensor([2, 0])
    args = (fg.tensor(rng.standard_normal((3, 4)), requires_grad=True),
            fg.tensor(rng.standard_normal((3, 2)), requires_grad=True))
    assert gradcheck(lambda a, s: fg.index_copy(a, 1, index, s) ** 2, args)
    assert gradcheck(lambda a, s: a.index_put((fg.tensor([0, 0]), fg.tensor([1, 1])), s[0], accumulate=True), args)
    assert gradcheck(lambda a, s: a.masked_scatter(fg.tensor(np.eye(3, 4, dtype=bool)), s), args)


def test_bad_arguments_are_named():
    x = fg.zeros(3, 4)
    with pytest.raises(RuntimeError, match="index_copy: argument 'source' must have shape"):
        x.index_copy(0, fg.tensor([0]), fg.ones(2, 4))
    with pytest.raises(IndexError, match="index_fill: argument 'index' is out of range"):
        x.index_fill(1, fg.tensor([4]), 1.0)
    with pytest.raises(RuntimeError, match="index_fill: argument 'value' must be a number or a 0-d tensor"):
        x.index_fill(1, fg.tensor([0]), fg.ones(2))
    with pytest.raises(RuntimeError, match="index_put: values of shape"):
        x.index_put((fg.tensor([0, 1]),), fg.ones(3))
    with pytest.raises(TypeError, match="index_put: argument 'indices' must be a tuple"):
        x.index_put(fg.tensor([0]), fg.ones(4))
    with pytest.raises(RuntimeError, match="masked_scatter: the mask selects 12 places, source has 5"):
        x.masked_scatter(fg.ones(3, 4, dtype=fg.bool), fg.ones(5))
    with pytest.raises(RuntimeError, match="masked_scatter: mask must be a bool tensor"):
        x.masked_scatter(fg.ones(3, 4), fg.ones(12))
    with pytest.raises(IndexError, match="put: index out of range"):
        x.put(fg.tensor([12]), fg.ones(1))
