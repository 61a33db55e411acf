"""scatter_reduce and index_reduce (functions, methods, in-place forms): values and gradients
against PyTorch and numerical gradients, ties, second derivatives, and bad arguments."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.autograd import gradcheck, gradgradcheck

REDUCTIONS = ["sum", "prod", "mean", "amax", "amin"]
rng = np.random.default_rng(7)


def _case(dtype=np.float64, shape=(4, 5), src_rows=3, dim=0):
    x = rng.standard_normal(shape).astype(dtype)
    src_shape = list(shape)
    src_shape[dim] = src_rows
    src = rng.standard_normal(src_shape).astype(dtype)
    index = rng.integers(0, shape[dim], src_shape)
    return x, src, index


def _ours(x, dim, index, src, reduce, include_self, grad_weights=None):
    a, s = fg.tensor(x, requires_grad=True), fg.tensor(src, requires_grad=True)
    out = fg.scatter_reduce(a, dim, fg.tensor(index), s, reduce, include_self=include_self)
    if grad_weights is None:
        return out.detach().numpy(), None, None
    (out * fg.tensor(grad_weights)).sum().backward()
    return out.detach().numpy(), a.grad.numpy(), s.grad.numpy()


@pytest.mark.parametrize("reduce", REDUCTIONS)
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("dim", [0, 1])
def test_values_and_gradients_equal_pytorchs(reduce, include_self, dim):
    torch = pytest.importorskip("torch")
    x, src, index = _case(dim=dim)
    weights = rng.standard_normal(x.shape)
    out, gx, gsrc = _ours(x, dim, index, src, reduce, include_self, weights)
    tx, tsrc = torch.tensor(x, requires_grad=True), torch.tensor(src, requires_grad=True)
    tout = tx.scatter_reduce(dim, torch.tensor(index), tsrc, reduce, include_self=include_self)
    (tout * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(out, tout.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gx, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gsrc, tsrc.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
@pytest.mark.parametrize("reduce", REDUCTIONS)
def test_values_over_dtypes_and_layouts_equal_pytorchs(dtype, reduce):
    torch = pytest.importorskip("torch")
    x, src, index = _case(np.float64, shape=(5, 4), src_rows=6)
    x, src = (x * 3).astype(dtype), (src * 3).astype(dtype)
    src_t = np.ascontiguousarray(src.T).T   # a non-contiguous src
    for include_self in (True, False):
        ours = fg.tensor(x).scatter_reduce(0, fg.tensor(index), fg.tensor(src_t), reduce, include_self=include_self)
        theirs = torch.tensor(x).scatter_reduce(0, torch.tensor(index), torch.tensor(src_t), reduce,
                                                include_self=include_self)
        assert ours.dtype == x.dtype
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_index_smaller_than_src_and_empty_index():
    torch = pytest.importorskip("torch")
    x, src = np.zeros((3, 4)), rng.standard_normal((5, 6))
    index = np.array([[0, 2], [1, 1]])
    ours = fg.tensor(x).scatter_reduce(1, fg.tensor(index), fg.tensor(src), "mean")
    theirs = torch.tensor(x).scatter_reduce(1, torch.tensor(index), torch.tensor(src), "mean")
    np.testing.assert_allclose(ours.numpy(), theirs.numpy())
    empty = fg.tensor(x).scatter_reduce(0, fg.tensor(np.zeros((0, 4), np.int64)), fg.tensor(src), "amax")
    np.testing.assert_array_equal(empty.numpy(), x)


@pytest.mark.parametrize("reduce", REDUCTIONS)
@pytest.mark.parametrize("include_self", [True, False])
def test_gradients_equal_numerical_ones(reduce, include_self):
    x, src, index = _case(shape=(3, 4), src_rows=4)
    fn = lambda a, s: fg.scatter_reduce(a, 0, fg.tensor(index), s, reduce, include_self=include_self)  # noqa: E731
    assert gradcheck(fn, (fg.tensor(x, requires_grad=True), fg.tensor(src, requires_grad=True)))


@pytest.mark.parametrize("reduce", ["sum", "mean", "amax", "amin"])
def test_second_derivatives(reduce):
    x, src, index = _case(shape=(3, 4), src_rows=4)
    fn = lambda a, s: fg.scatter_reduce(a, 0, fg.tensor(index), s, reduce) ** 2  # noqa: E731
    assert gradgradcheck(fn, (fg.tensor(x, requires_grad=True), fg.tensor(src, requires_grad=True)))


def test_prod_refuses_a_second_derivative_by_name():
    a = fg.tensor([1.0, 2.0], requires_grad=True)
    out = a.scatter_reduce(0, fg.tensor([0, 0]), fg.tensor([3.0, 4.0]), "prod")
    with pytest.raises(RuntimeError, match="scatter_reduce: the second derivative of reduce='prod'"):
        fg.autograd.grad(out.sum(), a, create_graph=True)


def test_ties_share_the_gradient_and_zeros_in_prod():
    # amax at position 0: self 5 and two src 5s tie: a third each.
    a = fg.tensor([5.0, 1.0], requires_grad=True)
    s = fg.tensor([5.0, 5.0, 2.0], requires_grad=True)
    a.scatter_reduce(0, fg.tensor([0, 0, 1]), s, "amax").sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [1 / 3, 0.0])
    np.testing.assert_allclose(s.grad.numpy(), [1 / 3, 1 / 3, 1.0])
    # Without self, the two src 5s share it (PyTorch still counts self's equal value here,
    # giving each a third: a gradient that does not add up to the output's).
    a.grad = s.grad = None
    a.scatter_reduce(0, fg.tensor([0, 0, 1]), s, "amax", include_self=False).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [0.0, 0.0])
    np.testing.assert_allclose(s.grad.numpy(), [0.5, 0.5, 1.0])
    # prod with one zero: only the zero gets a gradient (the product of the others); with two, none.
    a = fg.tensor([2.0, 0.0], requires_grad=True)
    s = fg.tensor([3.0, 0.0, 0.0, 4.0], requires_grad=True)
    a.scatter_reduce(0, fg.tensor([0, 0, 1, 1]), s, "prod").sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [0.0, 0.0])
    np.testing.assert_allclose(s.grad.numpy(), [0.0, 6.0, 0.0, 0.0])


@pytest.mark.filterwarnings("ignore:index_reduce\(\) is in beta")
@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_index_reduce_and_in_place_forms_equal_pytorchs(reduce, include_self):
    torch = pytest.importorskip("torch")
    x, source = rng.standard_normal((4, 3)), rng.standard_normal((4, 5))
    index = np.array([0, 2, 0, 1, 2])
    weights = rng.standard_normal((4, 3))
    results = []
    for lib in (fg, torch):
        a, s = lib.tensor(x, requires_grad=True), lib.tensor(source, requires_grad=True)
        out = lib.index_reduce(a, 1, lib.tensor(index), s, reduce, include_self=include_self)
        (out * lib.tensor(weights)).sum().backward()
        in_place = lib.tensor(x).index_reduce_(1, lib.tensor(index), lib.tensor(source), reduce,
                                               include_self=include_self)
        scattered = lib.tensor(x).scatter_reduce_(0, lib.tensor([[1, 0, 1]]), lib.tensor(x[:1] * 2), reduce,
                                                  include_self=include_self)
        results.append([np.asarray(t.detach().numpy()) for t in (out, a.grad, s.grad, in_place, scattered)])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_bad_arguments_are_named():
    x, src, index = fg.zeros(3, 2), fg.ones(2, 2), fg.tensor([[0, 1], [2, 0]])
    with pytest.raises(RuntimeError, match="scatter_reduce: argument 'reduce' must be one of"):
        x.scatter_reduce(0, index, src, "max")
    with pytest.raises(TypeError, match="scatter_reduce: argument 'src' has dtype"):
        x.scatter_reduce(0, index, src.double(), "sum")
    with pytest.raises(IndexError, match="scatter_reduce: index out of range"):
        x.scatter_reduce(0, fg.tensor([[0, 3]]), src, "sum")
    with pytest.raises(RuntimeError, match="scatter_reduce: src of shape"):
        x.scatter_reduce(0, index, fg.ones(1, 2), "sum")
    with pytest.raises(TypeError, match="scatter_reduce: argument 'src' must be a Tensor"):
        x.scatter_reduce(0, index, 1.0, "sum")
    with pytest.raises(RuntimeError, match="index_reduce: argument 'reduce'"):
        x.index_reduce(0, fg.tensor([0]), fg.ones(1, 2), "sum")
    with pytest.raises(RuntimeError, match="index_reduce: argument 'source' must have shape"):
        x.index_reduce(0, fg.tensor([0]), fg.ones(2, 2), "amax")
    with pytest.raises(IndexError, match="index_reduce: argument 'index' is out of range"):
        x.index_reduce(0, fg.tensor([5]), fg.ones(1, 2), "amax")
