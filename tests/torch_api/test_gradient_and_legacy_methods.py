"""torch.gradient (finite differences, uniform and coordinate spacing, edge orders 1 and 2),
Tensor.new, resize_, resize_as_, new_empty_strided, empty_strided, empty_permuted,
nonzero_static and cond: against PyTorch (values and the gradient of torch.gradient in float64),
gradcheck, float32 and integer inputs, and refusals."""
import numpy as np
import pytest

import fastgrad as fg
from refusals import refusal_test
from torch_parity import check_against_torch

TOL = dict(rtol=1e-10, atol=1e-12)
COORDINATES = np.array([0.0, 0.5, 1.5, 1.75, 3.0, 4.5])


def _joined(t, pieces):
    return t.cat([p.reshape(-1) * (i + 1) for i, p in enumerate(pieces)])


CASES = [
    ("1-D", lambda t, f: _joined(t, t.gradient(f)), [(7,)]),
    ("spacing", lambda t, f: _joined(t, t.gradient(f, spacing=0.5)), [(5,)]),
    ("2-D all dims", lambda t, f: _joined(t, t.gradient(f)), [(4, 5)]),
    ("2-D per-dim spacing", lambda t, f: _joined(t, t.gradient(f, spacing=[2.0, 0.25])), [(3, 4)]),
    ("dim", lambda t, f: _joined(t, t.gradient(f, dim=1)), [(3, 4, 2)]),
    ("dims and edge order 2", lambda t, f: _joined(t, t.gradient(f, dim=[0, 2], edge_order=2)), [(3, 2, 4)]),
    ("coordinates", lambda t, f: _joined(t, t.gradient(f, spacing=(t.tensor(COORDINATES),))), [(6,)]),
    ("coordinates edge order 2", lambda t, f: _joined(t, t.gradient(f, spacing=(t.tensor(COORDINATES),), dim=1,
                                                                    edge_order=2)), [(2, 6)]),
]


@pytest.mark.parametrize("name, call, shapes", CASES, ids=[c[0] for c in CASES])
def test_gradient_values_and_gradients_match_pytorch(name, call, shapes, rng):
    torch = pytest.importorskip("torch")
    arrays = [rng.standard_normal(s) for s in shapes]
    check_against_torch(torch, lambda *x: call(fg, *x), lambda *x: call(torch, *x), arrays, rng, TOL)


@pytest.mark.parametrize("name, call, shapes", CASES, ids=[c[0] for c in CASES])
def test_gradient_passes_gradcheck(name, call, shapes, rng):
    leaves = [fg.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]
    assert fg.gradcheck(lambda *x: call(fg, *x), leaves)


def test_gradient_of_float32_integer_and_non_contiguous_inputs(rng):
    torch = pytest.importorskip("torch")
    for array in (rng.standard_normal((4, 6)).astype(np.float32), np.array([[1, 4, 9], [16, 25, 36]]),
                  rng.standard_normal((6, 8))[::2, 1::2]):
        mine, theirs = fg.gradient(fg.tensor(array)), torch.gradient(torch.tensor(array))
        for m, t in zip(mine, theirs):
            assert m.dtype == t.numpy().dtype
            np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-6)


def test_gradient_of_a_quadratic_is_exact_with_edge_order_2():
    x = np.linspace(-1.0, 2.0, 7)
    (slope,) = fg.gradient(fg.tensor(3 * x ** 2 - x), spacing=float(x[1] - x[0]), edge_order=2)
    np.testing.assert_allclose(slope.numpy(), 6 * x - 1, rtol=1e-12, atol=1e-12)


def test_new_makes_tensors_like_pytorchs():
    torch = pytest.importorskip("torch")
    for dtype in (np.int32, np.float64):
        mine, theirs = fg.ones(2, dtype=dtype), torch.ones(2, dtype=getattr(torch, np.dtype(dtype).name))
        for args in ((2, 3), ([1, 2],), ((2, 3),), ()):
            m, t = mine.new(*args), theirs.new(*args)
            assert m.shape == tuple(t.shape) and m.dtype == t.numpy().dtype, args
            if args and isinstance(args[0], (list, tuple)):
                np.testing.assert_array_equal(m.numpy(), t.numpy())
        assert mine.new(mine.size()).shape == (2,)
        assert mine.new(mine).numpy().tolist() == [1, 1]


def test_resize_keeps_the_first_values_as_pytorch():
    torch = pytest.importorskip("torch")
    mine, theirs = fg.arange(6.0), torch.arange(6.0)
    version = mine._version[0]
    assert mine.resize_(2, 2) is mine and mine._version[0] == version + 1
    theirs.resize_(2, 2)
    np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
    mine.resize_((3, 3))
    assert mine.shape == (3, 3)
    np.testing.assert_array_equal(mine.numpy().reshape(-1)[:4], [0.0, 1.0, 2.0, 3.0])
    assert mine.resize_as_(fg.zeros(1, 5)).shape == (1, 5)
    assert fg.ones(2).new_empty_strided((3, 2), (1, 3)).shape == (3, 2)


def test_empty_strided_permuted_nonzero_static_and_cond_match_pytorch():
    torch = pytest.importorskip("torch")
    assert fg.empty_strided((2, 3), (1, 2)).shape == tuple(torch.empty_strided((2, 3), (1, 2)).shape)
    assert fg.empty_permuted((2, 3, 4), (2, 0, 1), dtype=fg.float64).dtype == np.float64
    for values, kwargs in (([0, 3, 0, 5], dict(size=3)), ([[0, 3], [1, 5]], dict(size=1, fill_value=-7)),
                           ([0, 0], dict(size=2)), ([[1, 0], [0, 1]], dict(size=0))):
        mine = fg.nonzero_static(fg.tensor(values), **kwargs)
        theirs = torch.nonzero_static(torch.tensor(values), **kwargs)
        assert mine.dtype == theirs.numpy().dtype
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
    x = fg.tensor([2.0], requires_grad=True)
    y = fg.cond(x.sum() > 1, lambda a: a * 3, lambda a: a - 1, (x,))
    y.backward()
    assert y.item() == 6.0 and x.grad.item() == 3.0
    assert fg.cond(False, lambda: 1, lambda: 2) == 2


test_refusals = refusal_test([
    (lambda: fg.gradient(fg.ones(1, 4)), RuntimeError, "at least edge_order + 1"),
    (lambda: fg.gradient(fg.ones(4), edge_order=3), ValueError, "edge_order must be 1 or 2"),
    (lambda: fg.gradient(fg.ones(3, 4), spacing=[1.0, 2.0, 3.0]), RuntimeError, "one spacing per dimension"),
    (lambda: fg.gradient(fg.ones(4), spacing=(fg.ones(3),)), RuntimeError, "coordinates"),
    (lambda: fg.ones(2).new(2, dtype=fg.float64), TypeError, "no dtype"),
    (lambda: fg.ones(2).new(fg.ones(2, dtype=fg.int64)), TypeError, "dtype"),
    (lambda: fg.ones(2, requires_grad=True).resize_(3), RuntimeError, "requires grad"),
    (lambda: fg.ones(2).resize_(-1), RuntimeError, "non-negative"),
    (lambda: fg.empty_strided((2, 3), (1,)), RuntimeError, "strides"),
    (lambda: fg.empty_permuted((2, 3), (0, 0)), RuntimeError, "not a permutation"),
    (lambda: fg.nonzero_static(fg.ones(2), size=-1), RuntimeError, "non-negative"),
    (lambda: fg.cond(fg.ones(2), lambda: 1, lambda: 2), RuntimeError, "one element"),
], "^(gradient|new|resize_|empty_strided|empty_permuted|nonzero_static|cond)")
