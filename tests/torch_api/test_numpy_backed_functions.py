"""PyTorch's functions that fastgrad builds on fastgrad.numpy (outer, kron, meshgrid, diff, diag, trace,
atan2, nan_to_num, lerp, addmm, baddbmm, take_along_dim, repeat_interleave, cdist, unique, bincount,
multinomial), Tensor.unfold/H/mH/conj/roll, and rounding with PyTorch's zero gradient: values and
gradients against PyTorch, gradients of the differentiable ones against finite differences."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.test_util import check_grads

from torch_parity import needs_torch, torch

R = np.random.default_rng(0)
A, B = R.standard_normal(4), R.standard_normal(3)
M, N = R.standard_normal((3, 4)), R.standard_normal((4, 5))
S = R.standard_normal((3, 3))
BATCH1, BATCH2, BIAS3 = R.standard_normal((2, 3, 4)), R.standard_normal((2, 4, 5)), R.standard_normal((2, 3, 5))

# name: (function of the fastgrad/torch module, float64 inputs)
DIFFERENTIABLE = {
    "outer": (lambda m, a, b: m.outer(a, b), (A, B)),
    "kron": (lambda m, a, b: m.kron(a, b), (M[:2, :2], S[:2])),
    "diff": (lambda m, a: m.diff(a, dim=1), (M,)),
    "diff_n2_prepend": (lambda m, a, p: m.diff(a, n=2, dim=0, prepend=p), (M, N[:2, :4])),
    "diag_of_vector": (lambda m, a: m.diag(a, 1), (A,)),
    "diag_of_matrix": (lambda m, a: m.diag(a, -1), (M,)),
    "trace": (lambda m, a: m.trace(a), (S,)),
    "atan2": (lambda m, a, b: m.atan2(a, b), (M, N[:3, :4] + 0.5)),
    "lerp": (lambda m, a, b: m.lerp(a, b, 0.3), (M, N[:3, :4])),
    "addmm": (lambda m, c, a, b: m.addmm(c, a, b, beta=0.5, alpha=2.0), (N[:3], M, N)),
    "baddbmm": (lambda m, c, a, b: m.baddbmm(c, a, b, alpha=-1.5), (BIAS3, BATCH1, BATCH2)),
    "take_along_dim": (lambda m, a: m.take_along_dim(a, m.tensor([[0, 3], [1, 1], [2, 0]]), dim=1), (M,)),
    "repeat_interleave": (lambda m, a: m.repeat_interleave(a, 2, dim=0), (M,)),
    "repeat_interleave_counts": (lambda m, a: m.repeat_interleave(a, m.tensor([1, 0, 2]), dim=0), (M,)),
    "cdist": (lambda m, a, b: m.cdist(a, b), (M, N.T[:, :4])),
    "cdist_p1_batched": (lambda m, a, b: m.cdist(a, b, p=1.0), (BATCH1, BATCH1[:, :2] + 1.0)),
    "meshgrid_ij": (lambda m, a, b: sum(g * (i + 1) for i, g in enumerate(m.meshgrid(a, b, indexing="ij"))),
                    (A, B)),
    "meshgrid_xy": (lambda m, a, b: sum(g * (i + 1) for i, g in enumerate(m.meshgrid(a, b, indexing="xy"))),
                    (A, B)),
    "cartesian_prod": (lambda m, a, b: m.cartesian_prod(a, b), (A, B)),
    "unfold": (lambda m, a: a.unfold(1, 2, 1), (M,)),
    "unfold_step": (lambda m, a: a.unfold(0, 2, 2), (BATCH2[0],)),
    "H": (lambda m, a: a.H, (M,)),
    "mH": (lambda m, a: a.mH, (BATCH1,)),
    "roll": (lambda m, a: a.roll(1, 0), (M,)),
}


def _both(fn, arrays):
    ours_in = [fg.tensor(a, requires_grad=True) for a in arrays]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    ours, theirs = fn(fg, *ours_in), fn(torch, *theirs_in)
    weights = R.standard_normal(tuple(theirs.shape))
    (ours * fg.tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    return ours, theirs, ours_in, theirs_in


@needs_torch
@pytest.mark.parametrize("name", sorted(DIFFERENTIABLE))
def test_values_and_gradients_match_pytorch(name):
    fn, arrays = DIFFERENTIABLE[name]
    ours, theirs, ours_in, theirs_in = _both(fn, arrays)
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-12, atol=1e-12)
    for o, t in zip(ours_in, theirs_in):
        np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(set(DIFFERENTIABLE) - {"H", "mH", "roll"}))
def test_gradients_match_finite_differences(name):
    fn, arrays = DIFFERENTIABLE[name]

    def on_arrays(*xs):
        return fn(fg, *[fg.tensor(x) if not isinstance(x, fg.Tensor) else x for x in xs])

    for argnum in range(len(arrays)):
        check_grads(on_arrays, argnum=argnum, modes=["rev"], order=1)(*arrays)


@needs_torch
@pytest.mark.parametrize("name", ["floor", "ceil", "round", "trunc", "sign"])
def test_rounding_keeps_requires_grad_with_a_zero_gradient(name):
    values = np.array([-1.5, -0.5, 0.0, 0.5, 1.5, 2.5, 2.7])
    x, tx = fg.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    y, ty = getattr(x, name)(), getattr(tx, name)()
    np.testing.assert_array_equal(y.numpy(), ty.detach().numpy())
    assert y.requires_grad and ty.requires_grad
    (y * 3 + x).sum().backward()
    (ty * 3 + tx).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())   # only the x term: ones
    np.testing.assert_array_equal(getattr(fg, name)(x).numpy(), ty.detach().numpy())


@needs_torch
def test_round_with_decimals_matches_pytorch():
    values = np.array([1.2345, -2.5551, 0.0049])
    np.testing.assert_allclose(fg.tensor(values).round(decimals=2).numpy(),
                               torch.tensor(values).round(decimals=2).numpy())
    with pytest.raises(TypeError, match="floor"):
        fg.tensor(values).floor(decimals=2)


@needs_torch
def test_nan_to_num_matches_pytorch():
    for dtype in (np.float32, np.float64):
        values = np.array([np.nan, np.inf, -np.inf, 1.0], dtype=dtype)
        for kwargs in ({}, {"nan": 2.0, "posinf": 9.0, "neginf": -9.0}):
            np.testing.assert_array_equal(fg.nan_to_num(fg.tensor(values), **kwargs).numpy(),
                                          torch.nan_to_num(torch.tensor(values), **kwargs).numpy())


@needs_torch
@pytest.mark.parametrize("kwargs", [{}, {"return_inverse": True}, {"return_counts": True},
                                    {"return_inverse": True, "return_counts": True}, {"dim": 0}])
def test_unique_matches_pytorch(kwargs):
    values = np.array([[3, 1, 3], [2, 2, 1], [3, 1, 3]])
    ours, theirs = fg.unique(fg.tensor(values), **kwargs), torch.unique(torch.tensor(values), **kwargs)
    ours, theirs = (ours, theirs) if isinstance(ours, tuple) else ((ours,), (theirs,))
    for o, t in zip(ours, theirs):
        np.testing.assert_array_equal(o.numpy(), t.numpy())
        assert o.dtype == np.int64


@needs_torch
def test_bincount_and_counting_repeat_interleave_match_pytorch():
    values = np.array([0, 4, 1, 1, 4])
    weights = np.array([0.5, 1.0, 2.0, 0.25, -1.0])
    for ours, theirs in [(fg.bincount(fg.tensor(values)), torch.bincount(torch.tensor(values))),
                         (fg.bincount(fg.tensor(values), minlength=8), torch.bincount(torch.tensor(values),
                                                                                       minlength=8)),
                         (fg.tensor(values).bincount(fg.tensor(weights)),
                          torch.tensor(values).bincount(torch.tensor(weights))),
                         (fg.repeat_interleave(fg.tensor([2, 0, 3])),
                          torch.repeat_interleave(torch.tensor([2, 0, 3])))]:
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")


def test_multinomial_draws_from_the_generator_with_the_weights():
    fg.manual_seed(3)
    weights = fg.tensor([[0.0, 1.0, 0.0, 3.0], [5.0, 0.0, 0.0, 0.0]])
    drawn = fg.multinomial(weights, 2, replacement=True)
    assert drawn.shape == (2, 2) and drawn.dtype == np.int64
    assert set(drawn[0].tolist()) <= {1, 3} and drawn[1].tolist() == [0, 0]
    assert sorted(weights[0].multinomial(2).tolist()) == [1, 3]   # without replacement: both non-zero ones
    fg.manual_seed(3)
    np.testing.assert_array_equal(fg.multinomial(weights, 2, replacement=True).numpy(), drawn.numpy())
    many = fg.multinomial(fg.tensor([1.0, 3.0]), 4000, replacement=True).numpy()
    assert 0.7 < many.mean() < 0.8   # P(1) = 0.75


@pytest.mark.parametrize("call, message", [
    (lambda: fg.multinomial(fg.tensor([1.0, -1.0]), 1), "non-negative"),
    (lambda: fg.multinomial(fg.tensor([0.0, 0.0]), 1), "positive sum"),
    (lambda: fg.multinomial(fg.tensor([1.0, 0.0]), 2), "without replacement"),
    (lambda: fg.multinomial(fg.zeros((2, 2, 2)), 1), "1-D or 2-D"),
    (lambda: fg.bincount(fg.tensor([[1, 2]])), "1-D integer"),
    (lambda: fg.bincount(fg.tensor([1.5])), "1-D integer"),
    (lambda: fg.diag(fg.zeros((2, 2, 2))), "1-D or 2-D"),
    (lambda: fg.trace(fg.zeros(3)), "2-D"),
    (lambda: fg.cdist(fg.zeros((2, 3)), fg.zeros((2, 4))), "cdist"),
    (lambda: fg.meshgrid(fg.zeros(2), indexing="yx"), "indexing"),
    (lambda: fg.zeros((3, 4)).unfold(1, 5, 1), "unfold"),
    (lambda: fg.zeros((3, 4)).unfold(1, 2, 0), "unfold"),
    (lambda: fg.tensor(1.0).unfold(0, 1, 1), "0-d"),
    (lambda: fg.zeros((2, 2, 2)).H, "mH"),
    (lambda: fg.repeat_interleave(fg.tensor([1.0, 2.0])), "integer"),
])
def test_bad_input_names_the_function(call, message):
    with pytest.raises((RuntimeError, TypeError, ValueError), match=message):
        call()


@needs_torch
def test_unfold_of_an_empty_window_range_and_float32():
    x = fg.zeros((2, 3), dtype=fg.float32)
    assert x.unfold(1, 3, 5).shape == (2, 1, 3) == tuple(torch.zeros(2, 3).unfold(1, 3, 5).shape)
    assert x.unfold(0, 0, 1).shape == (3, 3, 0) == tuple(torch.zeros(2, 3).unfold(0, 0, 1).shape)
    assert x.unfold(1, 2, 1).dtype == np.float32
