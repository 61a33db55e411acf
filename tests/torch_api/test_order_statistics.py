"""torch.quantile / nanquantile, torch.mode and torch.histc, as functions and Tensor methods:
values, indices and input gradients against PyTorch in float64, gradients against central
differences, NaN handling, 0-d inputs and bad arguments refused by name."""
import numpy as np
import pytest

import fastgrad as fg
from torch_parity import check_against_torch

TOL = dict(rtol=1e-12, atol=1e-12)
INTERPOLATIONS = ["linear", "lower", "higher", "midpoint", "nearest"]
QUANTILE_CASES = [
    (0.3, None, False), (0.3, None, True), ([0.0, 0.25, 0.5, 1.0], None, False), ([0.1, 0.9], None, True),
    (0.7, 1, False), (0.7, 0, True), ([0.2, 0.5, 0.85], -1, False), ([0.2, 0.85], 1, True),
]


@pytest.mark.parametrize("name", ["quantile", "nanquantile"])
@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
@pytest.mark.parametrize("q, dim, keepdim", QUANTILE_CASES, ids=str)
def test_quantile_matches_pytorch_values_and_gradients(name, interpolation, q, dim, keepdim, rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((4, 7, 3))
    kwargs = dict(dim=dim, keepdim=keepdim, interpolation=interpolation)
    check_against_torch(torch, lambda a: getattr(fg, name)(a, fg.tensor(np.array(q)) if isinstance(q, list) else q, **kwargs),
                        lambda a: getattr(torch, name)(a, torch.tensor(q, dtype=torch.float64)
                                                       if isinstance(q, list) else q, **kwargs), [x], rng, TOL)


def test_quantile_methods_and_rounding_to_nearest_match_pytorch(rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((3, 5))      # ranks 0.5, 1.5, 2.5 and 3.5 round half to even
    q = [0.125, 0.375, 0.625, 0.875]
    got = fg.tensor(x).quantile(fg.tensor(np.array(q)), dim=1, interpolation="nearest")
    expected = torch.tensor(x).quantile(torch.tensor(q, dtype=torch.float64), dim=1, interpolation="nearest")
    np.testing.assert_array_equal(got.data, expected.numpy())
    got = fg.tensor(x).nanquantile(0.4, dim=0, keepdim=True)
    np.testing.assert_allclose(got.data, torch.tensor(x).nanquantile(0.4, dim=0, keepdim=True).numpy(), **TOL)


def test_quantile_and_nanquantile_treat_nan_as_pytorch(rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((4, 6))
    x[1, 2] = np.nan
    x[3, :] = np.nan
    for name in ("quantile", "nanquantile"):
        for interpolation in INTERPOLATIONS:
            got = getattr(fg, name)(fg.tensor(x), fg.tensor(np.array([0.1, 0.5, 0.9])), dim=1, interpolation=interpolation)
            expected = getattr(torch, name)(torch.tensor(x), torch.tensor([0.1, 0.5, 0.9], dtype=torch.float64),
                                            dim=1, interpolation=interpolation)
            np.testing.assert_allclose(got.data, expected.numpy(), equal_nan=True, **TOL)
    rows = fg.tensor(x[[0, 2]], requires_grad=True)     # rows without NaN: the gradient is PyTorch's
    theirs = torch.tensor(x[[0, 2]], requires_grad=True)
    fg.nanquantile(rows, 0.3, dim=1).sum().backward()
    torch.nanquantile(theirs, 0.3, dim=1).sum().backward()
    np.testing.assert_allclose(rows.grad.data, theirs.grad.numpy(), **TOL)


def test_quantile_of_zero_dimensional_input_matches_pytorch():
    torch = pytest.importorskip("torch")
    for kwargs in (dict(), dict(dim=0), dict(dim=0, keepdim=True), dict(keepdim=True)):
        got = fg.quantile(fg.tensor(2.5), 0.3, **kwargs)
        expected = torch.quantile(torch.tensor(2.5, dtype=torch.float64), 0.3, **kwargs)
        assert got.shape == tuple(expected.shape), kwargs
        np.testing.assert_allclose(got.data, expected.numpy(), **TOL)


@pytest.mark.parametrize("interpolation", ["linear", "midpoint"])
def test_quantile_gradient_matches_central_differences(interpolation, rng):
    x = fg.tensor(rng.standard_normal((3, 5)), requires_grad=True)
    assert fg.gradcheck(lambda a: fg.quantile(a, fg.tensor(np.array([0.3, 0.6])), dim=1, interpolation=interpolation), [x])
    assert fg.gradcheck(lambda a: fg.nanquantile(a, 0.45, interpolation=interpolation), [x])


def test_quantile_refuses_bad_arguments_by_name():
    x = fg.tensor(np.arange(6.0).reshape(2, 3))
    with pytest.raises(ValueError, match="^quantile: argument 'q' must be in the range"):
        fg.quantile(x, 1.5)
    with pytest.raises(ValueError, match="^nanquantile: argument 'q' must be a scalar or a 1-d"):
        fg.nanquantile(x, [[0.5]])
    with pytest.raises(ValueError, match="^quantile: argument 'interpolation' must be one of"):
        fg.quantile(x, 0.5, interpolation="cubic")
    with pytest.raises(TypeError, match="^quantile: argument 'input' has dtype int64"):
        fg.quantile(fg.tensor(np.arange(3)), 0.5)
    with pytest.raises(TypeError, match="^quantile: argument 'q' has dtype float32"):
        fg.quantile(x, fg.tensor(np.array([0.5], np.float32)))
    with pytest.raises(ValueError, match="^quantile: argument 'input' is empty"):
        fg.quantile(fg.tensor(np.zeros((2, 0))), 0.5, dim=1)


@pytest.mark.parametrize("dim, keepdim", [(-1, False), (0, False), (1, True), (2, False)])
def test_mode_matches_pytorch_values_indices_and_gradients(dim, keepdim, rng):
    torch = pytest.importorskip("torch")
    x = rng.integers(0, 4, (5, 6, 7)).astype(np.float64)   # many repeats and ties
    got = fg.mode(fg.tensor(x), dim, keepdim)
    expected = torch.mode(torch.tensor(x), dim, keepdim)
    np.testing.assert_array_equal(got.values.data, expected.values.numpy())
    np.testing.assert_array_equal(got.indices.data, expected.indices.numpy())
    method = fg.tensor(x).mode(dim=dim, keepdim=keepdim)
    np.testing.assert_array_equal(method.indices.data, expected.indices.numpy())
    check_against_torch(torch, lambda a: a.mode(dim, keepdim).values,
                        lambda a: a.mode(dim, keepdim).values, [x], rng, TOL)


def test_mode_of_zero_dimensional_and_integer_inputs_matches_pytorch(rng):
    torch = pytest.importorskip("torch")
    got, expected = fg.mode(fg.tensor(3.0)), torch.mode(torch.tensor(3.0, dtype=torch.float64))
    assert got.values.shape == () and got.values.item() == expected.values.item()
    assert got.indices.item() == expected.indices.item()
    labels = rng.integers(0, 3, (4, 9))
    got, expected = fg.mode(fg.tensor(labels), 1), torch.mode(torch.tensor(labels), 1)
    np.testing.assert_array_equal(got.values.data, expected.values.numpy())
    np.testing.assert_array_equal(got.indices.data, expected.indices.numpy())
    with pytest.raises(IndexError, match="^mode: the reduced dimension 1 has size 0"):
        fg.mode(fg.tensor(np.zeros((2, 0))), 1)


def test_mode_gradient_matches_central_differences(rng):
    x = fg.tensor(rng.standard_normal((3, 4)), requires_grad=True)   # all distinct: the smallest is picked
    assert fg.gradcheck(lambda a: fg.mode(a, 1).values, [x])


@pytest.mark.parametrize("bins, low, high", [(4, 0, 0), (10, -1.0, 1.0), (7, -0.5, 2.5), (1, 0, 0), (3, 2, 2)])
def test_histc_matches_pytorch(bins, low, high, rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal(200)
    x[:5] = [-1.0, 1.0, 2.5, -0.5, 2.0]     # on the edges of the ranges
    got = fg.histc(fg.tensor(x), bins, low, high)
    expected = torch.histc(torch.tensor(x), bins, low, high)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got.data, expected.numpy())
    np.testing.assert_array_equal(fg.tensor(x).histc(bins=bins, min=low, max=high).data, expected.numpy())
    for data in (np.zeros(0), np.array([2.0, 2.0]), np.array(1.5)):
        np.testing.assert_array_equal(fg.histc(fg.tensor(data), 3).data, torch.histc(torch.tensor(data), 3).numpy())


def test_histc_refuses_bad_arguments_by_name():
    x = fg.tensor(np.arange(4.0))
    with pytest.raises(ValueError, match="^histc: argument 'bins' must be a positive integer"):
        fg.histc(x, bins=0)
    with pytest.raises(ValueError, match="^histc: argument 'max'"):
        fg.histc(x, 4, min=3, max=1)
    with pytest.raises(TypeError, match="^histc: argument 'input' has dtype int64"):
        fg.histc(fg.tensor(np.arange(4)))
    with pytest.raises(ValueError, match="^histc: the range"):
        fg.histc(fg.tensor([1.0, np.inf]))
