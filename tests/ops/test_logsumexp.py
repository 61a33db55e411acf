"""The logsumexp primitive: values and gradients equal, bit for bit, to its composition from
single ops (max, subtract, exp, sum, log, add, the -inf masks); one graph node; second
derivatives under create_graph; PyTorch's values and gradients."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.ops.logsumexp import LogSumExp, logsumexp
from fastgrad.ops import selection
from fastgrad.test_util import check_grads

SHAPES_AXES = [((), None), ((5,), None), ((5,), 0), ((3, 4), 0), ((3, 4), -1), ((3, 4), None),
               ((2, 3, 4), (0, 2)), ((2, 3, 4), 1), ((1, 4), 0)]


def composed(x, axis, keepdims, zero_grad):
    """logsumexp as separate graph ops, in the primitive's order (the oracle)."""
    top = np.max(x._data, axis=axis, keepdims=True)
    shift = np.where(np.isfinite(top), top, np.zeros_like(top))
    total = (x - shift).exp().sum(axis=axis, keepdims=True)
    mask = top == -np.inf
    if zero_grad:
        total = selection.where(mask, 1.0, total)
    out = total.log() + shift
    if zero_grad:
        out = selection.where(mask, -np.inf, out)
    return out if keepdims else out.squeeze(axis)


def _input(rng, shape, dtype, layout):
    x = rng.standard_normal(shape) * 3.0
    if layout == "minus_inf" and x.ndim:
        x.reshape(-1)[:x.shape[-1]] = -np.inf      # one slice (or more) of only -inf
    if layout == "transposed" and x.ndim >= 2:
        x = np.ascontiguousarray(np.swapaxes(x, 0, -1)).swapaxes(0, -1)   # same shape, not C-contiguous
    return x.astype(dtype)


def _value_and_grad(fn, x, weights):
    t = fg.tensor(x, requires_grad=True)
    out = fn(t)
    (out * fg.tensor(weights.astype(x.dtype))).sum().backward()
    return out.detach().numpy(), t.grad.numpy()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape,axis", SHAPES_AXES)
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("zero_grad", [False, True])
@pytest.mark.parametrize("layout", ["plain", "transposed", "minus_inf"])
def test_values_and_gradients_equal_the_composition_bit_for_bit(rng, dtype, shape, axis, keepdims, zero_grad, layout):
    x = _input(rng, shape, dtype, layout)
    out_shape = np.max(x, axis=axis, keepdims=keepdims).shape
    weights = rng.standard_normal(out_shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        got = _value_and_grad(lambda t: logsumexp(t, axis, keepdims, zero_grad), x, weights)
        expected = _value_and_grad(lambda t: composed(t, axis, keepdims, zero_grad), x, weights)
    for g, e in zip(got, expected):
        assert g.dtype == e.dtype and g.shape == e.shape
        assert np.array_equal(g, e, equal_nan=True)
        assert np.array_equal(np.signbit(g), np.signbit(e))


def test_an_all_minus_inf_slice_gives_minus_inf_and_a_zero_or_nan_gradient():
    x = np.array([[-np.inf, -np.inf], [0.0, 1.0]])
    with np.errstate(divide="ignore", invalid="ignore"):
        value, zero = _value_and_grad(lambda t: logsumexp(t, 1, zero_grad_where_all_minus_inf=True), x, np.ones(2))
        _, nan = _value_and_grad(lambda t: logsumexp(t, 1), x, np.ones(2))
    assert value[0] == -np.inf and np.isclose(value[1], np.log(1.0 + np.e))
    assert np.all(zero[0] == 0) and np.isnan(nan[0]).all()
    np.testing.assert_allclose(zero[1], np.exp(x[1]) / np.exp(x[1]).sum())


def test_is_one_graph_node():
    t = fg.tensor(np.ones((3, 4)), requires_grad=True)
    out = logsumexp(t, 0)
    assert out.grad_fn.fn is LogSumExp
    assert out.grad_fn.parents == [t]        # straight to the leaf: no intermediate node


@pytest.mark.parametrize("axis,keepdims,zero_grad", [(None, False, True), (1, False, False), ((0, 1), True, True)])
def test_first_and_second_derivatives_pass_gradcheck(rng, axis, keepdims, zero_grad):
    # rev mode, order 2: the gradient's own gradient goes through the create_graph backward.
    check_grads(lambda x: logsumexp(x, axis, keepdims, zero_grad), modes=["rev"], order=2)(rng.standard_normal((3, 4)))


@pytest.mark.parametrize("dim,keepdim", [(1, False), (0, True), ((0, 1), False)])
def test_matches_pytorch(rng, dim, keepdim):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((3, 4))
    weights = rng.standard_normal(np.max(x, axis=dim, keepdims=keepdim).shape)
    value, gradient = _value_and_grad(lambda t: logsumexp(t, dim, keepdim), x, weights)
    tx = torch.tensor(x, requires_grad=True)
    out = torch.logsumexp(tx, dim, keepdim)
    (out * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(value, out.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(gradient, tx.grad.numpy(), rtol=1e-12)
