"""logsumexp, std_mean/var_mean, median, count_nonzero, dist, unbind, narrow, tensor_split, erf,
rsqrt, clamp_min/clamp_max, fmod, remainder, floor_divide, cross, where(condition), scatter_add(_), searchsorted,
bucketize and bernoulli: as functions and Tensor methods, against PyTorch (float64 values and
gradients) and numerical gradients."""
import warnings

import numpy as np
import pytest

import fastgrad as fg
from torch_parity import check_against_torch

TOL = dict(rtol=1e-10, atol=1e-12)


def _both(name, *args, **kwargs):
    """(fastgrad's function, PyTorch's) of `name`, called with the tensors first and then args."""
    def mine(*tensors):
        return getattr(fg, name)(*tensors, *args, **kwargs)

    def theirs(torch):
        return lambda *tensors: getattr(torch, name)(*tensors, *args, **kwargs)

    return mine, theirs


# (name, args, kwargs, input shapes): differentiable, one output
DIFFERENTIABLE = [
    ("logsumexp", (1,), {}, [(3, 4)]),
    ("logsumexp", (-1,), dict(keepdim=True), [(2, 3, 4)]),
    ("logsumexp", ((0, 2),), {}, [(2, 3, 4)]),
    ("logsumexp", (0,), {}, [()]),
    ("dist", (), {}, [(3, 4), (4,)]),
    ("dist", (1,), {}, [(3, 4), (3, 4)]),
    ("dist", (3.5,), {}, [(5,), (5,)]),
    ("dist", (float("inf"),), {}, [(5,), (5,)]),
    ("erf", (), {}, [(3, 4)]),
    ("clamp_min", (0.2,), {}, [(3, 4)]),
    ("clamp_max", (0.2,), {}, [(3, 4)]),
    ("cross", (), dict(dim=1), [(4, 3), (4, 3)]),
    ("cross", (), dict(dim=-1), [(2, 4, 3), (1, 4, 3)]),
    ("cross", (), dict(dim=0), [(3, 2), (3, 2)]),
]


@pytest.mark.parametrize("case", DIFFERENTIABLE, ids=[f"{c[0]}{c[1]}{c[2]}{c[3]}" for c in DIFFERENTIABLE])
def test_values_and_gradients_match_pytorch(case, rng):
    torch = pytest.importorskip("torch")
    name, args, kwargs, shapes = case
    mine, theirs = _both(name, *args, **kwargs)
    arrays = [rng.standard_normal(s) for s in shapes]
    check_against_torch(torch, mine, theirs(torch), arrays, rng, TOL)
    assert fg.gradcheck(mine, [fg.tensor(a, requires_grad=True) for a in arrays])


@pytest.mark.parametrize("name", ["fmod", "remainder"])
def test_fmod_and_remainder_match_pytorch_in_both_arguments(name, rng):
    torch = pytest.importorskip("torch")
    x = rng.uniform(-10, 10, (3, 4))
    y = rng.uniform(0.5, 3, (3, 4)) * rng.choice([-1, 1], (3, 4))
    mine, theirs = _both(name)
    check_against_torch(torch, mine, theirs(torch), [x, y], rng, TOL)
    check_against_torch(torch, lambda a: getattr(fg, name)(a, 2.5), lambda a: getattr(torch, name)(a, 2.5), [x],
                        rng, TOL)
    ours = getattr(fg.tensor(x), name)(fg.tensor(y))
    np.testing.assert_allclose(ours.numpy(), getattr(torch, name)(torch.tensor(x), torch.tensor(y)).numpy())


def test_remainder_of_a_number_by_a_tensor():
    torch = pytest.importorskip("torch")
    y = np.array([3.0, -2.0, 0.7])
    np.testing.assert_allclose(fg.remainder(5.0, fg.tensor(y)).numpy(),
                               torch.remainder(5.0, torch.tensor(y)).numpy())


def test_floor_divide_matches_pytorch_and_has_no_gradient():
    torch = pytest.importorskip("torch")
    x = np.array([5.0, -5.0, 7.5, -0.5])
    for other in (2, -2.0, np.array([2.0, 3.0, -2.0, 0.25])):
        o_fg = fg.tensor(other) if isinstance(other, np.ndarray) else other
        o_t = torch.tensor(other) if isinstance(other, np.ndarray) else other
        ours = fg.floor_divide(fg.tensor(x, requires_grad=True), o_fg)
        np.testing.assert_array_equal(ours.numpy(), torch.floor_divide(torch.tensor(x), o_t).numpy())
        assert not ours.requires_grad and ours.dtype == np.float64
    assert fg.tensor(x.astype(np.float32)).floor_divide(2).dtype == np.float32
    np.testing.assert_array_equal(fg.floor_divide(fg.tensor([7, -7]), 2).numpy(), [3, -4])


def test_rsqrt_function_and_method(rng):
    torch = pytest.importorskip("torch")
    x = rng.uniform(0.5, 3, (2, 3))
    check_against_torch(torch, fg.rsqrt, torch.rsqrt, [x], rng, TOL)
    assert fg.gradcheck(fg.rsqrt, [fg.tensor(x, requires_grad=True)])


def test_methods_are_the_functions(rng):
    x = fg.tensor(rng.standard_normal((3, 4)))
    np.testing.assert_array_equal(x.logsumexp(1).numpy(), fg.logsumexp(x, 1).numpy())
    np.testing.assert_array_equal(x.erf().numpy(), fg.erf(x).numpy())
    assert [t.shape for t in x.unbind(1)] == [(3,)] * 4
    assert x.narrow(1, 1, 2).shape == (3, 2)
    assert [t.shape for t in x.tensor_split(3, dim=1)] == [(3, 2), (3, 1), (3, 1)]
    assert x.count_nonzero().item() == 12
    assert x.median(0).values.shape == (4,)
    assert x.dist(x).item() == 0.0


@pytest.mark.parametrize("dim,keepdim", [(None, False), (0, False), (1, True), (-1, False), ((0, 1), False)])
@pytest.mark.parametrize("name", ["std_mean", "var_mean"])
def test_std_mean_and_var_mean(name, dim, keepdim, rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((4, 5))
    a, ta = fg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    kwargs = {} if dim is None else dict(dim=dim, keepdim=keepdim)
    ours, theirs = getattr(fg, name)(a, **kwargs), getattr(torch, name)(ta, **kwargs)
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.numpy() if not o.requires_grad else o.detach().numpy(),
                                   t.detach().numpy(), **TOL)
    (ours[0] * 2 + ours[1]).sum().backward()
    (theirs[0] * 2 + theirs[1]).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), **TOL)
    for o, t in zip(getattr(fg, name)(a, 0, correction=0), getattr(torch, name)(ta, 0, correction=0)):
        np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), **TOL)
    for o, t in zip(getattr(fg, name)(a, False), getattr(torch, name)(ta, False)):      # (input, unbiased)
        np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), **TOL)


@pytest.mark.parametrize("shape,dim,keepdim", [((7,), 0, False), ((4, 6), 1, False), ((4, 6), 0, True),
                                                ((3, 5, 2), -2, False), ((5,), None, False)])
def test_median_values_indices_and_gradient_match_pytorch(shape, dim, keepdim, rng):
    torch = pytest.importorskip("torch")
    x = rng.permutation(np.prod(shape)).reshape(shape).astype(np.float64)   # distinct values
    a, ta = fg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    if dim is None:
        ours, theirs = fg.median(a), torch.median(ta)
        values, tvalues = ours, theirs
    else:
        ours, theirs = fg.median(a, dim, keepdim), torch.median(ta, dim, keepdim)
        (values, indices), (tvalues, tindices) = ours, theirs
        np.testing.assert_array_equal(indices.numpy(), tindices.numpy())
        assert indices.dtype == np.int64
    np.testing.assert_array_equal(values.detach().numpy(), tvalues.detach().numpy())
    seed = rng.standard_normal(values.shape)
    (values * fg.tensor(seed)).sum().backward()
    (tvalues * torch.tensor(seed)).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), ta.grad.numpy())


def test_median_edge_cases():
    assert np.isnan(fg.median(fg.tensor(np.zeros(0))).item())
    values, indices = fg.median(fg.tensor([[1.0, np.nan, 3.0], [2.0, 1.0, 0.0]]), dim=1)
    assert np.isnan(values.numpy()[0]) and indices.numpy()[0] == 1 and values.numpy()[1] == 1.0
    assert fg.median(fg.tensor([4.0, 1.0, 3.0, 2.0])).item() == 2.0           # the lower middle value
    with pytest.raises(IndexError, match="median: the reduced dimension 0 has size 0"):
        fg.median(fg.tensor(np.zeros((0, 2))), 0)


def test_logsumexp_extremes():
    torch = pytest.importorskip("torch")
    x = np.array([[-np.inf, -np.inf], [1000.0, 1000.0], [-1000.0, 0.0]])
    np.testing.assert_allclose(fg.logsumexp(fg.tensor(x), 1).numpy(), torch.logsumexp(torch.tensor(x), 1).numpy())
    assert fg.logsumexp(fg.tensor(np.zeros((0, 3))), 0).numpy().tolist() == [-np.inf] * 3
    assert fg.logsumexp(fg.tensor(np.zeros((2, 0))), 1, keepdim=True).shape == (2, 1)


def test_count_nonzero_matches_pytorch(rng):
    torch = pytest.importorskip("torch")
    x = rng.integers(-1, 2, (3, 4, 5))
    for dim in (None, 0, -1, (0, 2)):
        ours = fg.count_nonzero(fg.tensor(x), dim=dim)
        theirs = torch.count_nonzero(torch.tensor(x), dim=dim)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        assert ours.dtype == np.int64


def test_splitting_matches_pytorch_and_passes_gradients(rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((7, 4))
    cases = [("unbind", (0,)), ("unbind", (-1,)), ("narrow", (0, 2, 3)), ("narrow", (1, -3, 2)),
             ("narrow", (0, 7, 0)), ("tensor_split", (3,)), ("tensor_split", (3, 1)), ("tensor_split", (8,)),
             ("tensor_split", ([1, 5, 9],)), ("tensor_split", ([-2, 2],)), ("tensor_split", ([2, 2, 6], 0))]
    for name, args in cases:
        a, ta = fg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ours, theirs = getattr(fg, name)(a, *args), getattr(torch, name)(ta, *args)
        ours, theirs = (ours, theirs) if isinstance(theirs, tuple) else ((ours,), (theirs,))
        assert len(ours) == len(theirs), (name, args)
        loss, tloss = 0, 0
        for o, t in zip(ours, theirs):
            np.testing.assert_array_equal(o.detach().numpy(), t.detach().numpy())
            seed = rng.standard_normal(o.shape)
            loss, tloss = loss + (o * fg.tensor(seed)).sum(), tloss + (t * torch.tensor(seed)).sum()
        loss.backward()
        tloss.backward()
        np.testing.assert_array_equal(a.grad.numpy(), ta.grad.numpy())
    sections = torch.tensor([2, 5])
    assert [t.shape for t in fg.tensor_split(fg.tensor(x), fg.tensor([2, 5]))] == \
        [tuple(t.shape) for t in torch.tensor_split(torch.tensor(x), sections)]


def test_splitting_errors():
    x = fg.ones(4, 3)
    with pytest.raises(ValueError, match=r"narrow: start \(2\) \+ length \(3\) exceeds dimension size \(4\)"):
        fg.narrow(x, 0, 2, 3)
    with pytest.raises(IndexError, match="narrow: start 5 is out of range"):
        fg.narrow(x, 0, 5, 0)
    with pytest.raises(ValueError, match="tensor_split: the number of sections must be positive"):
        fg.tensor_split(x, 0)
    with pytest.raises(TypeError, match="tensor_split: indices_or_sections"):
        fg.tensor_split(x, 1.5)
    with pytest.raises(ValueError, match="unbind: a 0-d tensor"):
        fg.unbind(fg.tensor(1.0))


def test_cross_default_dim_warns_and_errors():
    torch = pytest.importorskip("torch")
    a, b = np.arange(9.0).reshape(3, 3), np.ones((3, 3))
    with pytest.warns(UserWarning, match="cross: without dim"):
        ours = fg.cross(fg.tensor(a), fg.tensor(b))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_array_equal(ours.numpy(), torch.cross(torch.tensor(a), torch.tensor(b)).numpy())
    with pytest.raises(ValueError, match="cross: dimension 1 must have size 3"):
        fg.cross(fg.ones(3, 2), fg.ones(3, 2), dim=1)


def test_scatter_add_matches_pytorch(rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((3, 5))
    src = rng.standard_normal((2, 5))
    index = np.array([[0, 1, 2, 0, 0], [2, 0, 0, 1, 2]])          # repeated targets add up
    for dim in (0, -2):
        check_against_torch(torch, lambda a, s: fg.scatter_add(a, dim, fg.tensor(index), s),
                            lambda a, s: torch.scatter_add(a, dim, torch.tensor(index), s), [x, src], rng, TOL)
    small = np.array([[4], [0], [4]])
    check_against_torch(torch, lambda a, s: a.scatter_add(1, fg.tensor(small), s),
                        lambda a, s: a.scatter_add(1, torch.tensor(small), s), [x, rng.standard_normal((3, 1))],
                        rng, TOL)
    wider = rng.standard_normal((3, 2))     # only src's leading part of index's shape is read
    np.testing.assert_allclose(fg.scatter_add(fg.tensor(x), 1, fg.tensor(small), fg.tensor(wider)).numpy(),
                               torch.scatter_add(torch.tensor(x), 1, torch.tensor(small), torch.tensor(wider)).numpy())
    a, s = fg.tensor(x, requires_grad=True), fg.tensor(wider, requires_grad=True)
    fg.scatter_add(a, 1, fg.tensor(small), s).sum().backward()
    np.testing.assert_array_equal(s.grad.numpy(), [[1.0, 0.0]] * 3)
    assert fg.gradcheck(lambda a, s: fg.scatter_add(a, 0, fg.tensor(index), s),
                        [fg.tensor(x, requires_grad=True), fg.tensor(src, requires_grad=True)])


def test_scatter_add_in_place_and_errors():
    y = fg.zeros(3)
    assert y.scatter_add_(0, fg.tensor([0, 0, 2]), fg.ones(3)) is y
    np.testing.assert_array_equal(y.numpy(), [2.0, 0.0, 1.0])
    with pytest.raises(IndexError, match="scatter_add: index out of range"):
        fg.scatter_add(fg.zeros(3), 0, fg.tensor([3]), fg.ones(1))
    with pytest.raises(TypeError, match="scatter_add: src must be a Tensor"):
        fg.scatter_add(fg.zeros(3), 0, fg.tensor([1]), 1.0)
    with pytest.raises(TypeError, match="scatter_add: index must be an integer tensor"):
        fg.scatter_add(fg.zeros(3), 0, fg.tensor([1.0]), fg.ones(1))
    with pytest.raises(TypeError, match="scatter_add: src has dtype"):
        fg.scatter_add(fg.zeros(3), 0, fg.tensor([1]), fg.ones(1, dtype=np.float64))


def test_searchsorted_and_bucketize_match_pytorch(rng):
    torch = pytest.importorskip("torch")
    seq = np.array([1.0, 3.0, 3.0, 5.0, 7.0])
    values = np.array([[0.0, 3.0, 6.0], [7.0, 8.0, 3.5]])
    for kwargs in (dict(), dict(right=True), dict(side="right"), dict(out_int32=True)):
        ours = fg.searchsorted(fg.tensor(seq), fg.tensor(values), **kwargs)
        theirs = torch.searchsorted(torch.tensor(seq), torch.tensor(values), **kwargs)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        assert ours.dtype == (np.int32 if kwargs.get("out_int32") else np.int64)
    rows = np.sort(rng.standard_normal((3, 6)), axis=1)
    queries = rng.standard_normal((3, 4))
    np.testing.assert_array_equal(fg.searchsorted(fg.tensor(rows), fg.tensor(queries)).numpy(),
                                  torch.searchsorted(torch.tensor(rows), torch.tensor(queries)).numpy())
    unsorted = np.array([5.0, 1.0, 3.0])
    sorter = np.argsort(unsorted)
    np.testing.assert_array_equal(
        fg.searchsorted(fg.tensor(unsorted), fg.tensor([2.0, 4.0]), sorter=fg.tensor(sorter)).numpy(),
        torch.searchsorted(torch.tensor(unsorted), torch.tensor([2.0, 4.0]), sorter=torch.tensor(sorter)).numpy())
    assert fg.searchsorted(fg.tensor(seq), 3.0).item() == torch.searchsorted(torch.tensor(seq), 3.0).item()
    for right in (False, True):
        np.testing.assert_array_equal(fg.bucketize(fg.tensor(values), fg.tensor(seq), right=right).numpy(),
                                      torch.bucketize(torch.tensor(values), torch.tensor(seq), right=right).numpy())
    with pytest.raises(ValueError, match="searchsorted: side='left' and right=True"):
        fg.searchsorted(fg.tensor(seq), fg.tensor(values), right=True, side="left")
    with pytest.raises(ValueError, match="bucketize: boundaries must be 1-d"):
        fg.bucketize(fg.tensor(values), fg.tensor(rows))
    with pytest.raises(ValueError, match="searchsorted: with a 2-d sorted_sequence"):
        fg.searchsorted(fg.tensor(rows), fg.tensor(values))


def test_bernoulli_draws_with_the_given_probabilities():
    fg.manual_seed(0)
    probs = fg.tensor(np.tile([0.0, 0.25, 1.0], (4000, 1)))
    drawn = fg.bernoulli(probs).numpy()
    assert drawn.dtype == np.float64 and set(np.unique(drawn)) <= {0.0, 1.0}
    np.testing.assert_array_equal(drawn[:, 0], 0.0)
    np.testing.assert_array_equal(drawn[:, 2], 1.0)
    assert abs(drawn[:, 1].mean() - 0.25) < 0.03
    fg.manual_seed(0)
    np.testing.assert_array_equal(probs.bernoulli().numpy(), drawn)
    assert abs(fg.bernoulli(fg.zeros(10000), 0.7).numpy().mean() - 0.7) < 0.03
    assert not fg.bernoulli(fg.tensor([0.5], requires_grad=True)).requires_grad
    t = fg.zeros(10000)
    assert t.bernoulli_(0.3) is t and abs(t.numpy().mean() - 0.3) < 0.03
    assert fg.bernoulli(fg.zeros(0, 3)).shape == (0, 3)
    with pytest.raises(ValueError, match=r"bernoulli: probabilities must be in \[0, 1\]"):
        fg.bernoulli(fg.tensor([1.5]))
    with pytest.raises(TypeError, match="bernoulli: generator must be a numpy.random.Generator"):
        fg.bernoulli(fg.tensor([0.5]), generator=3)
    rng_a, rng_b = np.random.default_rng(5), np.random.default_rng(5)
    np.testing.assert_array_equal(fg.bernoulli(fg.full((50,), 0.5), generator=rng_a).numpy(),
                                  fg.bernoulli(fg.full((50,), 0.5), generator=rng_b).numpy())


def test_erf_dtypes_and_edges():
    assert fg.erf(fg.tensor(np.array([0.5], np.float32))).dtype == np.float32
    assert fg.erf(fg.tensor(np.zeros((0, 2)))).shape == (0, 2)
    assert fg.erf(fg.tensor(0.0)).item() == 0.0
    np.testing.assert_allclose(fg.erf(fg.tensor([-np.inf, np.inf])).numpy(), [-1.0, 1.0])


def test_logsumexp_stays_in_the_arrays_namespace(rng):
    xp = pytest.importorskip("array_api_strict")
    x = rng.standard_normal((3, 4))
    a = fg.tensor(xp.asarray(x), requires_grad=True)
    b = fg.tensor(x, requires_grad=True)
    out, ref = fg.logsumexp(a, 1), fg.logsumexp(b, 1)
    assert not isinstance(out._data, np.ndarray)
    np.testing.assert_allclose(np.asarray(out._data), ref.detach().numpy(), **TOL)
    out.sum().backward()
    ref.sum().backward()
    np.testing.assert_allclose(np.asarray(a.grad._data), b.grad.numpy(), **TOL)


def test_where_with_only_a_condition_gives_the_indices_of_true_elements():
    torch = pytest.importorskip("torch")
    mask = np.array([[True, False, True], [False, False, True]])
    got = fg.where(fg.tensor(mask))
    expected = torch.where(torch.tensor(mask))
    assert len(got) == len(expected) == 2
    for g, e in zip(got, expected):
        assert g.dtype == np.int64
        np.testing.assert_array_equal(g.numpy(), e.numpy())
    (nonzero,) = fg.where(fg.tensor([0.0, 2.0, -1.0]))
    np.testing.assert_array_equal(nonzero.numpy(), [1, 2])
    with pytest.raises(TypeError, match="where: give both 'input' and 'other', or neither"):
        fg.where(fg.tensor(mask), 1.0)
