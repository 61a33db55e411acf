"""hstack, vstack, dstack, movedim/moveaxis, unflatten, rot90, addcmul, addcdiv, mv, inner,
logcumsumexp, masked_select, kthvalue, unique_consecutive, combinations and heaviside: as
functions and Tensor methods, against PyTorch (float64 values and input gradients), against
central differences, and on bad arguments."""
import numpy as np
import pytest

import fastgrad as fg
from torch_parity import check_against_torch

TOL = dict(rtol=1e-10, atol=1e-12)


def _call(module, name, args, kwargs, first_is_list=False):
    def run(*tensors):
        head = (list(tensors),) if first_is_list else tensors
        return getattr(module, name)(*head, *args, **kwargs)

    return run


# (name, args, kwargs, input shapes, the tensors are passed as one list)
DIFFERENTIABLE = [
    ("hstack", (), {}, [(3,), (2,)], True),
    ("hstack", (), {}, [(2, 3), (2, 1)], True),
    ("hstack", (), {}, [(), ()], True),
    ("vstack", (), {}, [(3,), (2, 3)], True),
    ("vstack", (), {}, [(0, 3), (2, 3)], True),
    ("dstack", (), {}, [(2, 3), (2, 3)], True),
    ("dstack", (), {}, [(4,), (4,)], True),
    ("movedim", (0, -1), {}, [(2, 3, 4)], False),
    ("movedim", ((0, 1), (2, 0)), {}, [(2, 3, 4)], False),
    ("moveaxis", (-1, 0), {}, [(2, 3, 4)], False),
    ("movedim", (0, 0), {}, [()], False),
    ("unflatten", (1, (2, -1)), {}, [(3, 6, 2)], False),
    ("unflatten", (-1, (1, 4)), {}, [(4,)], False),
    ("unflatten", (0, (2, 0)), {}, [(0, 3)], False),
    ("rot90", (), {}, [(3, 4)], False),
    ("rot90", (2, (1, 2)), {}, [(2, 3, 4)], False),
    ("rot90", (-1, (2, 0)), {}, [(2, 3, 4)], False),
    ("rot90", (3,), {}, [(3, 4)], False),
    ("addcmul", (), dict(value=0.5), [(3, 4), (3, 4), (4,)], False),
    ("addcmul", (), {}, [(), (2, 3), (1, 3)], False),
    ("addcdiv", (), dict(value=-2.0), [(3, 4), (3, 4), (3, 4)], False),
    ("addcdiv", (), {}, [(2, 1), (3,), (2, 3)], False),
    ("mv", (), {}, [(3, 4), (4,)], False),
    ("mv", (), {}, [(0, 4), (4,)], False),
    ("inner", (), {}, [(4,), (4,)], False),
    ("inner", (), {}, [(2, 3, 4), (5, 4)], False),
    ("inner", (), {}, [(), (3, 2)], False),
    ("logcumsumexp", (1,), {}, [(3, 5)], False),
    ("logcumsumexp", (0,), {}, [(6,)], False),
    ("logcumsumexp", (-1,), {}, [(2, 3, 4)], False),
    ("logcumsumexp", (0,), {}, [()], False),
    ("logcumsumexp", (0,), {}, [(0, 3)], False),
]


def _ids(cases):
    return [f"{c[0]}{c[1]}{c[2]}{c[3]}" for c in cases]


@pytest.mark.parametrize("case", DIFFERENTIABLE, ids=_ids(DIFFERENTIABLE))
def test_values_and_gradients_match_pytorch(case, rng):
    torch = pytest.importorskip("torch")
    name, args, kwargs, shapes, as_list = case
    arrays = [rng.standard_normal(s) for s in shapes]
    if name == "addcdiv":
        arrays[2] = np.abs(arrays[2]) + 0.5
    check_against_torch(torch, _call(fg, name, args, kwargs, as_list), _call(torch, name, args, kwargs, as_list),
                        arrays, rng, TOL)


@pytest.mark.parametrize("case", [c for c in DIFFERENTIABLE if all(np.prod(s) for s in c[3])],
                         ids=_ids([c for c in DIFFERENTIABLE if all(np.prod(s) for s in c[3])]))
def test_gradients_match_central_differences(case, rng):
    name, args, kwargs, shapes, as_list = case
    arrays = [rng.standard_normal(s) for s in shapes]
    if name == "addcdiv":
        arrays[2] = np.abs(arrays[2]) + 0.5
    assert fg.gradcheck(_call(fg, name, args, kwargs, as_list), [fg.tensor(a, requires_grad=True) for a in arrays])


@pytest.mark.parametrize("name, args", [("movedim", (0, 1)), ("moveaxis", (1, 0)), ("unflatten", (1, (2, 2))),
                                        ("rot90", (1, (0, 1))), ("logcumsumexp", (1,)), ("inner", None),
                                        ("addcmul", None), ("addcdiv", None)])
def test_tensor_methods_are_the_functions(name, args, rng):
    x = fg.tensor(rng.standard_normal((3, 4)))
    y = fg.tensor(rng.uniform(1, 2, (3, 4)))
    if args is None:
        args = (y,) if name == "inner" else (y, y)
    np.testing.assert_array_equal(getattr(x, name)(*args).numpy(), getattr(fg, name)(x, *args).numpy())


def test_mv_method_and_in_place_addcmul_addcdiv(rng):
    torch = pytest.importorskip("torch")
    a, v = rng.standard_normal((3, 4)), rng.standard_normal(4)
    np.testing.assert_allclose(fg.tensor(a).mv(fg.tensor(v)).numpy(), a @ v, **TOL)
    s, t1, t2 = (rng.uniform(1, 2, (3, 4)) for _ in range(3))
    mine, theirs = fg.tensor(s.copy()), torch.tensor(s.copy())
    mine.addcmul_(fg.tensor(t1), fg.tensor(t2), value=0.1).addcdiv_(fg.tensor(t1), fg.tensor(t2), value=-3)
    theirs.addcmul_(torch.tensor(t1), torch.tensor(t2), value=0.1).addcdiv_(torch.tensor(t1), torch.tensor(t2),
                                                                            value=-3)
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), **TOL)


def test_logcumsumexp_stays_finite_where_exp_overflows_and_matches_pytorch():
    torch = pytest.importorskip("torch")
    x = np.array([[-1000.0, 0.0, 800.0, 790.0, -5.0], [1e3, 1e3, -1e3, 2.0, 1e3]])
    mine = fg.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    g = np.array([[1.0, -2.0, 0.5, 3.0, -1.0], [0.0, 1.0, -1.0, 2.0, 1.0]])
    fg.logcumsumexp(mine, 1).backward(fg.tensor(g))
    torch.logcumsumexp(theirs, 1).backward(torch.tensor(g))
    np.testing.assert_allclose(fg.logcumsumexp(fg.tensor(x), 1).numpy(),
                               torch.logcumsumexp(torch.tensor(x), 1).numpy(), rtol=1e-12)
    assert np.all(np.isfinite(mine.grad.numpy()))
    np.testing.assert_allclose(mine.grad.numpy(), theirs.grad.numpy(), rtol=1e-10, atol=1e-300)


def test_logcumsumexp_second_derivative_matches_pytorch(rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal(5)
    w = rng.standard_normal(5)
    mine = fg.tensor(x, requires_grad=True)
    (g,) = fg.autograd.grad((fg.logcumsumexp(mine, 0) * fg.tensor(w)).sum(), [mine], create_graph=True)
    (h,) = fg.autograd.grad((g * g).sum(), [mine])
    theirs = torch.tensor(x, requires_grad=True)
    (gt,) = torch.autograd.grad((torch.logcumsumexp(theirs, 0) * torch.tensor(w)).sum(), [theirs],
                                create_graph=True)
    (ht,) = torch.autograd.grad((gt * gt).sum(), [theirs])
    np.testing.assert_allclose(g.numpy(), gt.detach().numpy(), **TOL)
    np.testing.assert_allclose(h.numpy(), ht.numpy(), rtol=1e-9, atol=1e-12)


# ---- selection -----------------------------------------------------------------------------

@pytest.mark.parametrize("shape, mask_shape", [((3, 4), (3, 4)), ((3, 4), (4,)), ((1, 4), (3, 1)), ((), ()),
                                               ((0, 2), (0, 2))])
def test_masked_select_matches_pytorch(shape, mask_shape, rng):
    torch = pytest.importorskip("torch")
    mask = rng.random(mask_shape) > 0.4
    check_against_torch(torch, lambda x: fg.masked_select(x, fg.tensor(mask)),
                        lambda x: torch.masked_select(x, torch.tensor(mask)), [rng.standard_normal(shape)], rng, TOL)
    x = rng.standard_normal(shape)
    np.testing.assert_array_equal(fg.tensor(x).masked_select(fg.tensor(mask)).numpy(),
                                  torch.tensor(x).masked_select(torch.tensor(mask)).numpy())


@pytest.mark.parametrize("shape, k, dim, keepdim", [((5,), 1, 0, False), ((3, 6), 4, 1, False),
                                                    ((4, 3, 2), 2, 0, True), ((3, 5), 5, -1, True),
                                                    ((), 1, 0, False)])
def test_kthvalue_matches_pytorch(shape, k, dim, keepdim, rng):
    torch = pytest.importorskip("torch")
    x = rng.permutation(int(np.prod(shape))).reshape(shape) + rng.uniform(0, 0.5, shape)
    check_against_torch(torch, lambda t: fg.kthvalue(t, k, dim, keepdim).values,
                        lambda t: torch.kthvalue(t, k, dim, keepdim).values, [x], rng, TOL)
    mine, theirs = fg.tensor(x).kthvalue(k, dim=dim, keepdim=keepdim), torch.tensor(x).kthvalue(k, dim, keepdim)
    np.testing.assert_array_equal(mine.indices.numpy(), theirs.indices.numpy())
    assert mine.indices.dtype == np.int64
    assert fg.gradcheck(lambda t: fg.kthvalue(t, k, dim, keepdim)[0], [fg.tensor(x, requires_grad=True)])


def test_kthvalue_places_nan_last_as_pytorch():
    torch = pytest.importorskip("torch")
    x = np.array([[1.0, np.nan, 0.0], [2.0, -1.0, np.nan]])
    for k in (1, 2, 3):
        mine, theirs = fg.kthvalue(fg.tensor(x), k, 1), torch.kthvalue(torch.tensor(x), k, 1)
        np.testing.assert_array_equal(mine.values.numpy(), theirs.values.numpy())
        np.testing.assert_array_equal(mine.indices.numpy(), theirs.indices.numpy())


@pytest.mark.parametrize("data, dim", [([1, 1, 2, 2, 3, 1, 1, 2], None), ([[1, 1], [1, 1], [2, 0], [1, 1]], 0),
                                       ([[1, 1, 2], [1, 1, 3]], 1), ([[1, 2], [2, 2]], None), ([], None),
                                       (5, None), ([0.5, 0.5, np.nan, np.nan], None)])
@pytest.mark.parametrize("inverse, counts", [(False, False), (True, False), (False, True), (True, True)])
def test_unique_consecutive_matches_pytorch(data, dim, inverse, counts):
    torch = pytest.importorskip("torch")
    x = np.array(data, dtype=np.float64)
    mine = fg.unique_consecutive(fg.tensor(x), return_inverse=inverse, return_counts=counts, dim=dim)
    theirs = torch.unique_consecutive(torch.tensor(x), return_inverse=inverse, return_counts=counts, dim=dim)
    mine, theirs = (mine, theirs) if inverse or counts else ((mine,), (theirs,))
    assert len(mine) == len(theirs)
    for m, t in zip(mine, theirs):
        assert m.shape == tuple(t.shape)
        np.testing.assert_array_equal(m.numpy(), t.numpy())
    method = fg.tensor(x).unique_consecutive(return_inverse=inverse, return_counts=counts, dim=dim)
    np.testing.assert_array_equal((method if inverse or counts else (method,))[0].numpy(), mine[0].numpy())


@pytest.mark.parametrize("n, r, with_replacement", [(4, 2, False), (4, 3, True), (3, 1, False), (2, 3, False),
                                                    (3, 0, False), (0, 2, False), (5, 5, False)])
def test_combinations_match_pytorch(n, r, with_replacement, rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal(n)
    mine = fg.combinations(fg.tensor(x), r, with_replacement)
    theirs = torch.combinations(torch.tensor(x), r, with_replacement)
    assert mine.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
    if mine.numel():
        check_against_torch(torch, lambda t: fg.combinations(t, r, with_replacement),
                            lambda t: torch.combinations(t, r, with_replacement), [x], rng, TOL)


def test_heaviside_matches_pytorch_without_gradient():
    torch = pytest.importorskip("torch")
    x = np.array([-1.5, 0.0, 2.0, 0.0, -0.0])
    for values in (np.array(0.5), np.array([1.0, 2.0, 3.0, 4.0, 5.0])):
        mine = fg.heaviside(fg.tensor(x, requires_grad=True), fg.tensor(values))
        np.testing.assert_array_equal(mine.numpy(), torch.heaviside(torch.tensor(x), torch.tensor(values)).numpy())
        assert not mine.requires_grad
        np.testing.assert_array_equal(fg.tensor(x).heaviside(fg.tensor(values)).numpy(), mine.numpy())


# ---- bad arguments ---------------------------------------------------------------------------

@pytest.mark.parametrize("call, error, words", [
    (lambda: fg.hstack(fg.zeros(3)), TypeError, "hstack: argument 'tensors'"),
    (lambda: fg.vstack([]), ValueError, "vstack: argument 'tensors'"),
    (lambda: fg.movedim(fg.zeros(2, 3), (0, 1), 0), ValueError, "movedim: source and destination"),
    (lambda: fg.movedim(fg.zeros(2, 3), 2, 0), ValueError, "movedim: axis 2 is out of bounds"),
    (lambda: fg.movedim(fg.zeros(2, 3), (0, 0), (1, 0)), ValueError, "movedim: repeated"),
    (lambda: fg.movedim(fg.zeros(2, 3), 0.5, 0), TypeError, "movedim: argument 'source'"),
    (lambda: fg.unflatten(fg.zeros(2, 6), 1, (4, -1)), ValueError, "unflatten: sizes (4, -1) do not divide"),
    (lambda: fg.unflatten(fg.zeros(2, 6), 1, (2, 2)), ValueError, "unflatten: sizes (2, 2) multiply to 4"),
    (lambda: fg.unflatten(fg.zeros(2, 6), 1, ()), TypeError, "unflatten: argument 'sizes'"),
    (lambda: fg.unflatten(fg.zeros(2, 6), 1, (-1, -1)), ValueError, "at most one -1"),
    (lambda: fg.unflatten(fg.zeros(()), 0, (1,)), RuntimeError, "unflatten: a 0-d tensor"),
    (lambda: fg.rot90(fg.zeros(3), 1), ValueError, "rot90: input must have at least 2 dimensions"),
    (lambda: fg.rot90(fg.zeros(3, 3), 1, (0, 0)), ValueError, "rot90: the two dims must differ"),
    (lambda: fg.rot90(fg.zeros(3, 3), 1, (0,)), ValueError, "rot90: argument 'dims'"),
    (lambda: fg.addcmul(fg.zeros(3), fg.zeros(3), fg.zeros(3), value="2"), TypeError, "addcmul: argument 'value'"),
    (lambda: fg.addcdiv(fg.zeros(3), fg.zeros(3), fg.ones(3), value=fg.zeros(2)), TypeError,
     "addcdiv: argument 'value'"),
    (lambda: fg.mv(fg.zeros(3), fg.zeros(3)), RuntimeError, "mv: expects a 2-D input"),
    (lambda: fg.mv(fg.zeros(3, 2), fg.zeros(3)), RuntimeError, "mv: input of shape (3, 2)"),
    (lambda: fg.inner(fg.zeros(3), fg.zeros(2)), RuntimeError, "inner: the last dimensions"),
    (lambda: fg.logcumsumexp(fg.zeros(3), 1), ValueError, "logcumsumexp: axis 1 is out of bounds"),
    (lambda: fg.logcumsumexp(fg.zeros(3), None), TypeError, "logcumsumexp: argument 'dim'"),
    (lambda: fg.logcumsumexp(fg.tensor([1, 2]), 0), TypeError, "logcumsumexp: expects a floating-point input"),
    (lambda: fg.masked_select(fg.zeros(3), fg.zeros(3)), TypeError, "masked_select: argument 'mask' must be a bool"),
    (lambda: fg.masked_select(fg.zeros(3), fg.zeros(2) > 0), ValueError, "masked_select: input of shape (3,)"),
    (lambda: fg.kthvalue(fg.zeros(3), 4), IndexError, "kthvalue: k = 4 is out of range"),
    (lambda: fg.kthvalue(fg.zeros(3), 0), IndexError, "kthvalue: k = 0 is out of range"),
    (lambda: fg.kthvalue(fg.zeros(3), 1.0), TypeError, "kthvalue: argument 'k'"),
    (lambda: fg.unique_consecutive(fg.tensor(1.0), dim=0), IndexError, "unique_consecutive: a 0-d tensor"),
    (lambda: fg.combinations(fg.zeros(2, 2)), ValueError, "combinations: expects a 1-d tensor"),
    (lambda: fg.combinations(fg.zeros(2), -1), ValueError, "combinations: argument 'r'"),
    (lambda: fg.heaviside(fg.zeros(2), 0.5), TypeError, "heaviside: argument 'values' must be a tensor"),
    (lambda: fg.heaviside(fg.zeros(2), fg.tensor([1, 2])), TypeError, "heaviside: input (float32) and values"),
])
def test_bad_arguments_are_refused_by_name(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)
