"""The Tensor methods bound from fastgrad/torch_functions/method_table.py: each is the function of
its name; the in-place forms give PyTorch's values, gradients through the rebinding and version
counts; the shape-changing in-place forms (t_, squeeze_, ...) and detach_ follow PyTorch's rules;
casts, cholesky(upper=) and the removed Tensor.solve."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.torch_functions import method_table

TOL = dict(rtol=1e-10, atol=1e-12)


def test_every_bound_method_is_a_pytorch_tensor_method():
    torch = pytest.importorskip("torch")
    names = list(method_table.METHODS) + [f"{n}_" for n in method_table.IN_PLACE + method_table.RESHAPING_IN_PLACE]
    assert [n for n in names if not hasattr(torch.Tensor, n)] == []
    assert all(hasattr(fg.Tensor, n) for n in names)


@pytest.mark.parametrize("name", sorted(set(method_table.METHODS) - {"tile", "cholesky", "solve", "detach_",
                                                                       "bfloat16", "cfloat", "cdouble"}))
def test_methods_are_the_top_level_functions(name):
    assert getattr(fg.Tensor, name) is getattr(fg, name)


def _other(name, rng, shape):
    """The arguments after self of each in-place method in the table (a fixed array stands for a tensor)."""
    y = rng.uniform(0.2, 0.8, shape)
    tensor_args = {"xlogy", "hypot", "eq", "ne", "lt", "le", "gt", "ge", "atan2", "arctan2", "greater",
                   "greater_equal", "less", "less_equal", "not_equal", "copysign", "logical_and", "logical_or",
                   "logical_xor", "divide", "multiply", "subtract", "true_divide"}
    if name in tensor_args:
        return (y,)
    return {"fmod": (0.3,), "remainder": (0.3,), "lerp": (y, 0.3), "clamp_min": (0.45,), "clamp_max": (0.45,),
            "cumsum": (0,), "cumprod": (1,), "tril": (-1,), "triu": (1,)}.get(name, ())


# Rounding, comparisons, logic and sign have zero or no gradient: only their values are compared.
NOT_DIFFERENTIABLE = {"floor", "ceil", "round", "trunc", "sign", "eq", "ne", "lt", "le", "gt", "ge", "greater",
                      "greater_equal", "less", "less_equal", "not_equal", "logical_and", "logical_not",
                      "logical_or", "logical_xor", "gcd", "lcm", "nan_to_num"}


def _domain(name, rng, shape):
    if name in ("acosh", "arccosh"):
        return rng.uniform(1.1, 3.0, shape)
    return rng.uniform(0.1, 0.9, shape)


def _wrap(library, args):
    return tuple(library.tensor(a) if isinstance(a, np.ndarray) else a for a in args)


FLOAT_IN_PLACE = [n for n in method_table.IN_PLACE if n not in ("gcd", "lcm")]


@pytest.mark.parametrize("name", FLOAT_IN_PLACE)
def test_in_place_values_and_versions_match_pytorch(name, rng):
    torch = pytest.importorskip("torch")
    x, args = _domain(name, rng, (3, 4)), _other(name, rng, (3, 4))
    mine, theirs = fg.tensor(x.copy()), torch.tensor(x.copy())
    array = mine._data
    assert getattr(mine, f"{name}_")(*_wrap(fg, args)) is mine
    getattr(theirs, f"{name}_")(*_wrap(torch, args))
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), **TOL)
    assert mine._data is array and mine.dtype == np.float64 and mine._version[0] == theirs._version == 1


@pytest.mark.parametrize("name", [n for n in FLOAT_IN_PLACE if n not in NOT_DIFFERENTIABLE])
def test_in_place_gradients_through_the_rebinding_match_pytorch(name, rng):
    torch = pytest.importorskip("torch")
    x, args = _domain(name, rng, (3, 4)), _other(name, rng, (3, 4))
    weights = rng.standard_normal((3, 4))
    leaf_m, leaf_t = fg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    mine = leaf_m * 1.0
    getattr(mine, f"{name}_")(*_wrap(fg, args))
    theirs = getattr(leaf_t * 1.0, name)(*_wrap(torch, args))   # some of PyTorch's in-place forms lack a derivative
    (mine * fg.tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(mine.detach().numpy(), theirs.detach().numpy(), **TOL)
    # digamma's derivative (trigamma) is a series good to about 1e-9 relative
    grad_tol = dict(rtol=1e-8) if name == "digamma" else TOL
    np.testing.assert_allclose(leaf_m.grad.numpy(), leaf_t.grad.numpy(), **grad_tol)


@pytest.mark.parametrize("name", ["cos", "negative", "acos", "clamp_min", "t", "squeeze"])
def test_a_leaf_that_requires_grad_refuses_in_place_changes(name):
    x = fg.tensor(np.full((2, 1), 0.5), requires_grad=True)
    with pytest.raises(RuntimeError, match=f"{name}_: a leaf tensor that requires grad"):
        getattr(x, f"{name}_")(*((0.1,) if name == "clamp_min" else ()))


def test_logical_functions_take_numbers_by_their_truth_as_pytorch():
    torch = pytest.importorskip("torch")
    a, b = np.array([2, 0, -1, 3]), np.array([1.5, 2.0, 0.0, np.nan])
    for name in ("logical_and", "logical_or", "logical_xor"):
        np.testing.assert_array_equal(getattr(fg, name)(fg.tensor(a), fg.tensor(b)).numpy(),
                                      getattr(torch, name)(torch.tensor(a), torch.tensor(b)).numpy())
    np.testing.assert_array_equal(fg.logical_not(fg.tensor(b)).numpy(), torch.logical_not(torch.tensor(b)).numpy())


def test_float_power_in_place_needs_a_double_base_as_in_pytorch(rng):
    torch = pytest.importorskip("torch")
    x, e = rng.uniform(0.5, 2.0, 4), rng.uniform(-1.0, 2.0, 4)
    leaf_m, leaf_t = fg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    mine, theirs = leaf_m * 1.0, leaf_t * 1.0
    mine.float_power_(fg.tensor(e))
    theirs.float_power_(torch.tensor(e))
    mine.sum().backward()
    theirs.sum().backward()
    np.testing.assert_allclose(mine.detach().numpy(), theirs.detach().numpy(), **TOL)
    np.testing.assert_allclose(leaf_m.grad.numpy(), leaf_t.grad.numpy(), **TOL)
    with pytest.raises(RuntimeError, match="float_power_: the base has dtype float32 but the result needs float64"):
        fg.tensor([2.0], dtype=fg.float32).float_power_(2)


def test_integer_in_place_gcd_and_lcm_match_pytorch():
    torch = pytest.importorskip("torch")
    a, b = np.array([12, -18, 0, 7]), np.array([8, 12, 5, 0])
    for name in ("gcd_", "lcm_"):
        mine, theirs = fg.tensor(a.copy()), torch.tensor(a.copy())
        getattr(mine, name)(fg.tensor(b))
        getattr(theirs, name)(torch.tensor(b))
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())


RESHAPING = [("t", ()), ("transpose", (0, 2)), ("squeeze", ()), ("squeeze", (1,)), ("unsqueeze", (0,)),
             ("swapaxes", (2, 0)), ("swapdims", (1, 2))]


@pytest.mark.parametrize("name, args", RESHAPING, ids=[f"{n}{a}" for n, a in RESHAPING])
def test_shape_changing_in_place_matches_pytorch(name, args, rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((3, 1) if name == "t" else (2, 1, 3))
    mine, theirs = fg.tensor(x.copy()), torch.tensor(x.copy())
    source = mine._data
    assert getattr(mine, f"{name}_")(*args) is mine
    getattr(theirs, f"{name}_")(*args)
    assert mine.shape == tuple(theirs.shape) and mine._version[0] == theirs._version
    np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
    assert np.shares_memory(mine._data, source)   # a view, as PyTorch's
    weights = rng.standard_normal(mine.shape)
    leaf_m, leaf_t = fg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    graph_m, graph_t = leaf_m * 2.0, leaf_t * 2.0
    getattr(graph_m, f"{name}_")(*args)
    getattr(graph_t, f"{name}_")(*args)
    (graph_m * fg.tensor(weights)).sum().backward()
    (graph_t * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(leaf_m.grad.numpy(), leaf_t.grad.numpy(), **TOL)


def test_detach_in_place_cuts_the_graph():
    leaf = fg.tensor([1.0, 2.0], requires_grad=True)
    x = leaf * 3.0
    assert x.detach_() is x
    assert not x.requires_grad and x.is_leaf and x.grad_fn is None
    np.testing.assert_array_equal(x.numpy(), [3.0, 6.0])


def test_tile_pads_the_repeat_counts_as_pytorch(rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((2, 3))
    for dims in [(2,), (2, 1), (1, 2, 2)]:
        np.testing.assert_array_equal(fg.tensor(x).tile(dims).numpy(), torch.tensor(x).tile(dims).numpy())
        np.testing.assert_array_equal(fg.tile(fg.tensor(x), dims).numpy(), torch.tile(torch.tensor(x), dims).numpy())
    np.testing.assert_array_equal(fg.tensor(x).tile(2, 1).numpy(), torch.tensor(x).tile(2, 1).numpy())
    with pytest.raises(RuntimeError, match="tile: argument 'dims' must be non-negative"):
        fg.tensor(x).tile(-1)


def test_casts_to_complex_and_bfloat16():
    x = fg.tensor([1.0, -2.0])
    assert x.cfloat().dtype == np.complex64 and x.cdouble().dtype == np.complex128
    np.testing.assert_array_equal(x.cdouble().numpy(), [1.0 + 0j, -2.0 + 0j])
    pytest.importorskip("ml_dtypes")
    assert x.bfloat16().dtype == np.dtype(fg.bfloat16)


@pytest.mark.filterwarnings("ignore:torch.cholesky is deprecated")
def test_cholesky_method_takes_upper_and_solve_is_refused_as_in_pytorch(rng):
    torch = pytest.importorskip("torch")
    a = rng.standard_normal((3, 3))
    spd = a @ a.T + np.eye(3)
    for upper in (False, True):
        np.testing.assert_allclose(fg.tensor(spd).cholesky(upper=upper).numpy(),
                                   torch.tensor(spd).cholesky(upper=upper).numpy(), **TOL)
    with pytest.raises(RuntimeError, match="solve: Tensor.solve was removed"):
        fg.tensor(spd).solve(fg.tensor(spd))
