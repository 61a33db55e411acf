"""PyTorch's Tensor methods and module-level functions against PyTorch itself: values and gradients.

Each case is one expression written once with `T` standing for the library
(fastgrad or torch), run on the same float64 inputs; the outputs and the
gradients of sum(output * weights) must agree.
"""
import numpy as np
import pytest

import fastgrad as fg

from torch_parity import needs_torch, torch


def _idx(T, rows):
    return T.tensor(np.array(rows, dtype=np.int64))


def _mask(T, shape, seed=3):
    return T.tensor(np.random.default_rng(seed).random(shape) > 0.5)


# name: (expression of (T, *inputs), input shapes)
CASES = {
    # shapes and sizes
    "t": (lambda T, a: a.t(), [(3, 4)]),
    "mm": (lambda T, a, b: a.mm(b), [(3, 4), (4, 2)]),
    "bmm": (lambda T, a, b: a.bmm(b), [(2, 3, 4), (2, 4, 5)]),
    "matmul": (lambda T, a, b: a.matmul(b), [(3, 4), (4,)]),
    "transpose_2d": (lambda T, a: a.transpose(0, 1), [(3, 4)]),
    "flip": (lambda T, a: a.flip(0, 1), [(3, 4)]),
    "flip_list": (lambda T, a: a.flip([1]), [(3, 4)]),
    "repeat": (lambda T, a: a.repeat(2, 3), [(2, 3)]),
    "repeat_more_dims": (lambda T, a: a.repeat(2, 1, 2), [(3,)]),
    "chunk": (lambda T, a: T.cat([c * (i + 1) for i, c in enumerate(a.chunk(3, dim=1))], dim=1), [(2, 7)]),
    "contiguous_clone": (lambda T, a: a.t().contiguous().clone() * 2, [(3, 4)]),
    "view_as_expand_as": (lambda T, a, b: a.view_as(b) + a.sum().expand_as(b), [(2, 6), (3, 4)]),
    # elementwise
    "pow_scalar": (lambda T, a: a.pow(3), [(3, 4)]),
    "pow_tensor": (lambda T, a, b: a.abs().pow(b), [(3, 4), (3, 4)]),
    "abs_neg": (lambda T, a: a.abs() + a.neg(), [(5,)]),
    "sqrt_exp_log": (lambda T, a: a.abs().sqrt() + a.exp() + (a.abs() + 1).log(), [(3, 4)]),
    "add_sub_alpha": (lambda T, a, b: a.add(b, alpha=2) + a.sub(b, alpha=0.5), [(3, 4), (4,)]),
    "clamp": (lambda T, a: a.clamp(min=-0.5, max=0.5) + a.clamp(min=0.1), [(4, 5)]),
    "masked_fill": (lambda T, a: a.masked_fill(_mask(T, (3, 4)), -1.5), [(3, 4)]),
    "where_method": (lambda T, a, b: a.where(_mask(T, (3, 4)), b), [(3, 4), (3, 4)]),
    "where_function": (lambda T, a, b: T.where(_mask(T, (3, 4)), a, b), [(3, 4), (4,)]),
    # reductions with dim / keepdim
    "sum_dim": (lambda T, a: T.sum(a, dim=1), [(3, 4)]),
    "sum_keepdim": (lambda T, a: T.sum(a, 0, keepdim=True) * a, [(3, 4)]),
    "mean_dims": (lambda T, a: T.mean(a, dim=(0, 2)), [(2, 3, 4)]),
    "max_all": (lambda T, a: T.max(a), [(3, 4)]),
    "max_dim_values": (lambda T, a: T.max(a, 1)[0], [(3, 4)]),
    "max_dim_named": (lambda T, a: a.max(dim=0, keepdim=True).values, [(3, 4)]),
    "min_dim": (lambda T, a: T.min(a, dim=1).values, [(3, 4)]),
    "max_pairwise": (lambda T, a, b: T.max(a, b), [(3, 4), (3, 4)]),
    "amax_amin": (lambda T, a: a.amax(dim=1) + a.amin(dim=1), [(3, 4)]),
    "var_std": (lambda T, a: a.var(dim=1) + a.std(dim=0).sum(), [(3, 4)]),
    "prod": (lambda T, a: a.prod(dim=1), [(3, 4)]),
    "softmax": (lambda T, a: T.softmax(a, dim=1), [(3, 4)]),
    "log_softmax": (lambda T, a: T.log_softmax(a, dim=0), [(3, 4)]),
    "softmax_method": (lambda T, a: a.softmax(-1) * a.log_softmax(-1), [(2, 5)]),
    "norm": (lambda T, a: a.norm(), [(3, 4)]),
    "norm_dim": (lambda T, a: a.norm(dim=1, keepdim=True), [(3, 4)]),
    "norm_p1": (lambda T, a: a.norm(p=1), [(3, 4)]),
    "norm_p3_dim": (lambda T, a: a.norm(p=3, dim=0), [(3, 4)]),
    "cumsum": (lambda T, a: a.cumsum(dim=1), [(3, 4)]),
    "cumsum_function": (lambda T, a: T.cumsum(a, dim=0), [(3, 4)]),
    # joins
    "cat_dim": (lambda T, a, b: T.cat([a, b], dim=1), [(2, 3), (2, 4)]),
    "stack_dim": (lambda T, a, b: T.stack([a, b], dim=2), [(2, 3), (2, 3)]),
    "split_function": (lambda T, a: T.split(a, 2, dim=1)[1], [(3, 5)]),
    "transpose_function": (lambda T, a: T.transpose(a, 0, 2), [(2, 3, 4)]),
    "squeeze_unsqueeze": (lambda T, a: T.unsqueeze(T.squeeze(a, 1), 0), [(3, 1, 4)]),
    # selection along a dimension
    "gather_dim1": (lambda T, a: a.gather(1, _idx(T, [[0, 0, 3], [1, 2, 2], [3, 1, 0]])), [(3, 4)]),
    "gather_dim0": (lambda T, a: T.gather(a, 0, _idx(T, [[2, 0, 1, 1]])), [(3, 4)]),
    "scatter_tensor": (lambda T, a, s: a.scatter(1, _idx(T, [[0, 2], [3, 1], [1, 0]]), s), [(3, 4), (3, 2)]),
    "scatter_dim0": (lambda T, a, s: a.scatter(0, _idx(T, [[2, 0, 1, 1]]), s), [(3, 4), (1, 4)]),
    "index_select": (lambda T, a: a.index_select(1, _idx(T, [3, 0, 3])), [(3, 4)]),
    "index_select_function": (lambda T, a: T.index_select(a, 0, _idx(T, [2, 2])), [(3, 4)]),
    "sort_values": (lambda T, a: a.sort(dim=1)[0], [(3, 4)]),
    "sort_descending": (lambda T, a: T.sort(a, dim=0, descending=True).values, [(3, 4)]),
    "topk_values": (lambda T, a: a.topk(2, dim=1).values, [(3, 5)]),
    "topk_smallest": (lambda T, a: T.topk(a, 3, dim=0, largest=False)[0], [(4, 3)]),
    # dtype casts
    "double_float": (lambda T, a: a.float().double() * 2, [(3,)]),
    "to_dtype": (lambda T, a: a.to(T.float32).to(T.float64) + a, [(3,)]),
    "type_as": (lambda T, a, b: a.type_as(b) * b, [(3,), (3,)]),
}


def _inputs(shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes]


def _run(lib, expr, arrays):
    leaves = [lib.tensor(a.copy(), requires_grad=True) for a in arrays]
    if lib is torch:
        leaves = [torch.tensor(a.copy(), dtype=torch.float64, requires_grad=True) for a in arrays]
    out = expr(lib, *leaves)
    weights = np.random.default_rng(7).standard_normal(tuple(out.shape))
    w = lib.tensor(weights) if lib is fg else torch.tensor(weights, dtype=out.dtype)
    (out * w).sum().backward()
    value = out.detach().numpy() if lib is torch else out.data
    grads = [None if t.grad is None else (t.grad.numpy() if lib is torch else np.asarray(t.grad)) for t in leaves]
    return np.asarray(value), grads


@needs_torch
@pytest.mark.parametrize("name", sorted(CASES))
def test_value_and_gradient_match_pytorch(name):
    expr, shapes = CASES[name][:2]
    arrays = _inputs(shapes)
    ours, our_grads = _run(fg, expr, arrays)
    theirs, their_grads = _run(torch, expr, arrays)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-9, err_msg=f"{name}: value")
    for i, (g, tg) in enumerate(zip(our_grads, their_grads)):
        if tg is None:
            assert g is None or not np.any(g), f"{name}: input {i} should get no gradient"
            continue
        assert g is not None, f"{name}: input {i} got no gradient"
        np.testing.assert_allclose(g, tg, rtol=1e-6, atol=1e-9, err_msg=f"{name}: gradient of input {i}")


# ---- methods whose results carry no gradient -----------------------------------------------

NO_GRAD_CASES = {
    "argmax_all": lambda T, a: a.argmax(),
    "argmax_dim": lambda T, a: T.argmax(a, dim=1),
    "argmin_keepdim": lambda T, a: a.argmin(dim=0, keepdim=True),
    "max_indices": lambda T, a: T.max(a, dim=1)[1],
    "sort_indices": lambda T, a: a.sort(dim=1, descending=True)[1],
    "topk_indices": lambda T, a: a.topk(2)[1],
    "any_all": lambda T, a: T.stack([(a > 0).any(dim=1), (a > -5).all(dim=1)]),
    "any_all_whole": lambda T, a: T.stack([(a > 0).any(), (a > 5).all()]),
    "long_int_bool": lambda T, a: T.stack([(a * 3).long(), (a * 3).int().long(), a.bool().long()]),
    "half": lambda T, a: a.half().double(),
    "isclose": lambda T, a: T.isclose(a, a + 1e-9),
}


@needs_torch
@pytest.mark.parametrize("name", sorted(NO_GRAD_CASES))
def test_values_without_gradient_match_pytorch(name):
    (a,) = _inputs([(3, 4)], seed=2)
    ours = NO_GRAD_CASES[name](fg, fg.tensor(a))
    theirs = NO_GRAD_CASES[name](torch, torch.tensor(a))
    np.testing.assert_array_equal(np.asarray(ours.data), theirs.numpy())
    assert np.asarray(ours.data).dtype == theirs.numpy().dtype


@needs_torch
def test_scatter_takes_the_leading_part_of_a_larger_source_and_numbers():
    a, s = _inputs([(3, 4), (2, 5)], seed=4)
    index = [[2, 0, 1, 1]]
    ours = fg.tensor(a).scatter(0, fg.tensor(np.array(index)), fg.tensor(s))
    theirs = torch.tensor(a).scatter(0, torch.tensor(index), torch.tensor(s))
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    ours = fg.tensor(a).scatter(1, fg.tensor(np.array([[0], [3], [1]])), value=2.5)
    theirs = torch.tensor(a).scatter(1, torch.tensor([[0], [3], [1]]), 2.5)
    np.testing.assert_array_equal(ours.data, theirs.numpy())


@needs_torch
def test_sizes_and_counts():
    x = fg.zeros(2, 3, 4)
    t = torch.zeros(2, 3, 4)
    assert tuple(x.size()) == tuple(t.size()) and x.size(1) == t.size(1) and x.size(-1) == t.size(-1)
    assert x.size().numel() == t.size().numel() == 24
    assert x.dim() == t.dim() and x.numel() == t.numel() and x.nelement() == t.nelement()
    assert fg.numel(x) == torch.numel(t)
    assert x.size == 24  # NumPy's attribute still reads as the element count
    assert x.element_size() == 4 == t.element_size() and x.nbytes == t.nbytes


@needs_torch
def test_new_factories_follow_the_tensor():
    x = fg.ones(2, dtype=fg.float64)
    t = torch.ones(2, dtype=torch.float64)
    for ours, theirs in [(x.new_zeros(3, 2), t.new_zeros(3, 2)), (x.new_ones((2,)), t.new_ones((2,))),
                         (x.new_full((2, 2), 7.0), t.new_full((2, 2), 7.0)),
                         (x.new_tensor([1, 2]), t.new_tensor([1, 2]))]:
        np.testing.assert_array_equal(ours.data, theirs.numpy())
        assert ours.dtype == np.float64 and ours.dtype == theirs.numpy().dtype
    assert x.new_empty(4).shape == (4,)
    assert x.new_zeros(2, dtype=fg.int64).dtype == np.int64
    assert x.new_zeros(2, requires_grad=True).requires_grad


def test_errors_name_the_method_and_argument():
    x = fg.zeros(2, 3, 4)
    with pytest.raises(RuntimeError, match="t: expects a tensor of at most 2 dimensions"):
        x.t()
    with pytest.raises(RuntimeError, match="mm: self must be a 2-D tensor"):
        x.mm(x)
    with pytest.raises(RuntimeError, match="repeat: got 2 repeat counts"):
        x.repeat(2, 2)
    with pytest.raises(TypeError, match="gather: index must be an integer tensor"):
        x.gather(0, fg.zeros(2, 3, 4))
    with pytest.raises(RuntimeError, match="topk: k \\(5\\) is out of range"):
        x.topk(5)
    with pytest.raises(TypeError, match="masked_fill: mask must be a bool tensor"):
        x.masked_fill(fg.zeros(2, 3, 4), 1.0)
    with pytest.raises(ValueError, match="norm: p must be a number or 'fro'"):
        x.norm(p="nuc")


@needs_torch
def test_norm_gradient_at_zero_is_zero_as_in_pytorch():
    x = fg.zeros(3, requires_grad=True, dtype=fg.float64)
    x.norm().backward()
    t = torch.zeros(3, requires_grad=True, dtype=torch.float64)
    t.norm().backward()
    np.testing.assert_array_equal(np.asarray(x.grad), t.grad.numpy())


def test_norm_gradient_passes_gradcheck():
    x = fg.tensor(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True)
    assert fg.gradcheck(lambda t: t.norm(dim=1), (x,))
