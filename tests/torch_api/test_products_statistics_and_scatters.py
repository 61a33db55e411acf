"""vdot, matrix_power, chain_matmul, addmv, addr, addbmm; cov, corrcoef, nanmedian, msort,
argwhere; frexp, ldexp, nextafter, isposinf, isneginf, isreal; select and the scatters,
split_with_sizes, fill_diagonal_; absolute, fix, igamma, igammac, mvlgamma and in-place forms:
values and gradients against PyTorch in float64, gradients against central differences, float32
values, empty / 0-d / non-contiguous inputs, and refusals."""
import numpy as np
import pytest

import fastgrad as fg
from refusals import refusal_test
from torch_parity import assert_same_result, check_against_torch, check_case_against_torch, gradcheck_case

TOL = dict(rtol=1e-10, atol=1e-12)


def _positive(rng, s):
    return rng.uniform(0.5, 3.0, s)


def _any(rng, s):
    return rng.standard_normal(s)


def _square(rng, s):
    return rng.standard_normal(s) + 2 * np.eye(s[-1])


# (name, the call with the library as `t`, input shapes, domain)
DIFFERENTIABLE = [
    ("vdot", lambda t, a, b: t.vdot(a, b), [(5,), (5,)], _any),
    ("vdot method", lambda t, a, b: a.vdot(b), [(3,), (3,)], _any),
    ("matrix_power 3", lambda t, a: t.matrix_power(a, 3), [(3, 3)], _any),
    ("matrix_power 0", lambda t, a: t.matrix_power(a, 0) + a, [(2, 2)], _any),
    ("matrix_power -2 batch", lambda t, a: a.matrix_power(-2), [(2, 3, 3)], _square),
    ("chain_matmul", lambda t, a, b, c: t.chain_matmul(a, b, c), [(2, 3), (3, 4), (4, 2)], _any),
    ("chain_matmul one", lambda t, a: t.chain_matmul(a), [(2, 3)], _any),
    ("addmv", lambda t, x, m, v: t.addmv(x, m, v), [(3,), (3, 4), (4,)], _any),
    ("addmv scaled broadcast", lambda t, x, m, v: t.addmv(x, m, v, beta=0.5, alpha=-2.0), [(1,), (3, 4), (4,)],
     _any),
    ("addmv method", lambda t, x, m, v: x.addmv(m, v, alpha=3.0), [(3,), (3, 2), (2,)], _any),
    ("addr", lambda t, x, u, v: t.addr(x, u, v, beta=2.0, alpha=0.5), [(3, 4), (3,), (4,)], _any),
    ("addr broadcast", lambda t, x, u, v: x.addr(u, v), [(4,), (3,), (4,)], _any),
    ("addbmm", lambda t, x, a, b: t.addbmm(x, a, b, beta=0.3, alpha=1.5), [(2, 5), (4, 2, 3), (4, 3, 5)], _any),
    ("addbmm method", lambda t, x, a, b: x.addbmm(a, b), [(2, 2), (3, 2, 4), (3, 4, 2)], _any),
    ("cov", lambda t, x: t.cov(x), [(3, 6)], _any),
    ("cov 1-D", lambda t, x: t.cov(x), [(5,)], _any),
    ("cov correction 0", lambda t, x: t.cov(x, correction=0), [(2, 4)], _any),
    ("cov aweights", lambda t, x, w: t.cov(x, aweights=w), [(3, 5), (5,)], _positive),
    ("cov weights", lambda t, x: t.cov(x, fweights=t.tensor([1, 3, 2, 1]),
                                       aweights=t.tensor([0.5, 1.0, 2.0, 0.7], dtype=t.float64)), [(2, 4)], _any),
    ("corrcoef", lambda t, x: t.corrcoef(x), [(3, 7)], _any),
    ("corrcoef method", lambda t, x: x.corrcoef(), [(2, 5)], _any),
    ("nanmedian", lambda t, x: t.nanmedian(x), [(3, 5)], _any),
    ("nanmedian dim", lambda t, x: t.nanmedian(x, 1).values, [(3, 6)], _any),
    ("nanmedian dim keepdim", lambda t, x: x.nanmedian(0, keepdim=True)[0], [(5, 2)], _any),
    ("msort", lambda t, x: t.msort(x), [(4, 3)], _any),
    ("frexp mantissa", lambda t, x: t.frexp(x * 10).mantissa, [(3, 4)], _any),
    ("ldexp", lambda t, x, n: t.ldexp(x, n), [(3, 4), (4,)], _any),
    # (non-negative integer exponents: PyTorch 2.13's gradient is 0 for negative ones)
    ("ldexp int exponent", lambda t, x: t.ldexp(x, t.tensor([1, 0, 3])), [(2, 3)], _any),
    ("select", lambda t, x: t.select(x, 1, -1), [(3, 4, 2)], _any),
    ("select method", lambda t, x: x.select(0, 2), [(3, 4)], _any),
    ("select_scatter", lambda t, x, s: t.select_scatter(x, s, 1, 2), [(3, 4, 2), (3, 2)], _any),
    ("slice_scatter", lambda t, x, s: t.slice_scatter(x, s, 1, 1, 6, 2), [(3, 7), (3, 3)], _any),
    ("slice_scatter default", lambda t, x, s: x.slice_scatter(s, start=2), [(5, 2), (3, 2)], _any),
    ("diagonal_scatter", lambda t, x, s: t.diagonal_scatter(x, s), [(3, 4), (3,)], _any),
    ("diagonal_scatter offset", lambda t, x, s: t.diagonal_scatter(x, s, 2), [(3, 4), (2,)], _any),
    ("diagonal_scatter negative offset dims", lambda t, x, s: t.diagonal_scatter(x, s, -1, 2, 0),
     [(4, 2, 3), (2, 2)], _any),
    ("as_strided", lambda t, x: t.as_strided(x, (2, 3), (1, 2), 1), [(9,)], _any),
    ("as_strided overlapping windows", lambda t, x: x.as_strided((4, 3), (2, 1)), [(3, 4)], _any),
    ("as_strided 0-d", lambda t, x: t.as_strided(x, (), (), 5), [(2, 3)], _any),
    ("split_with_sizes", lambda t, x: t.cat([p.reshape(-1) * (i + 1) for i, p in
                                             enumerate(t.split_with_sizes(x, [1, 3, 2], 1))]), [(2, 6)], _any),
    ("absolute", lambda t, x: t.absolute(x), [(3, 4)], _any),
    ("igamma", lambda t, x: t.igamma(t.tensor([0.5, 1.0, 2.5, 4.0], dtype=t.float64), x), [(4,)], _positive),
    ("igammac", lambda t, x: t.igammac(t.tensor([[0.7], [3.0]], dtype=t.float64), x), [(2, 3)], _positive),
    ("mvlgamma", lambda t, x: t.mvlgamma(x + 1.5, 3), [(2, 3)], _positive),
    ("mvlgamma method", lambda t, x: x.mvlgamma(1), [(4,)], _positive),
]


def _ids(cases):
    return [c[0] for c in cases]


@pytest.mark.parametrize("case", DIFFERENTIABLE, ids=_ids(DIFFERENTIABLE))
def test_values_and_gradients_match_pytorch(case, rng):
    torch = pytest.importorskip("torch")
    check_case_against_torch(torch, case, rng, TOL)


@pytest.mark.parametrize("case", DIFFERENTIABLE, ids=_ids(DIFFERENTIABLE))
def test_gradients_match_central_differences(case, rng):
    assert gradcheck_case(case, rng)


FLOAT32 = ["addmv", "addr", "addbmm", "cov", "corrcoef", "nanmedian dim", "ldexp", "select_scatter",
           "diagonal_scatter", "vdot", "mvlgamma"]


@pytest.mark.parametrize("case", [c for c in DIFFERENTIABLE if c[0] in FLOAT32], ids=FLOAT32)
def test_float32_values_and_dtype_match_pytorch(case, rng):
    torch = pytest.importorskip("torch")
    name, call, shapes, domain = case
    arrays = [domain(rng, s).astype(np.float32) for s in shapes]
    got = call(fg, *(fg.tensor(a) for a in arrays))
    expected = call(torch, *(torch.tensor(a) for a in arrays))
    assert got.dtype == expected.numpy().dtype
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-5, atol=1e-5)


def test_non_contiguous_inputs(rng):
    torch = pytest.importorskip("torch")
    a = rng.standard_normal((6, 8))
    for call in (lambda t, x: t.cov(x[::2, 1::2]), lambda t, x: t.addr(x[:3, ::2], x[0, :3], x[1, ::2]),
                 lambda t, x: t.nanmedian(x.T, 0).values, lambda t, x: t.diagonal_scatter(x.T, x[0, :6])):
        check_against_torch(torch, lambda x: call(fg, x), lambda x: call(torch, x), [a], rng, TOL)


def test_beta_zero_ignores_nan_in_input(rng):
    torch = pytest.importorskip("torch")
    m, v = rng.standard_normal((3, 2)), rng.standard_normal(2)
    for lib in (fg, torch):
        nan3 = lib.full((3,), float("nan"), dtype=lib.float64)
        assert not lib.isnan(lib.addmv(nan3, lib.tensor(m), lib.tensor(v), beta=0)).any()
        assert not lib.isnan(lib.addr(lib.full((3, 2), float("nan"), dtype=lib.float64), lib.tensor(m[:, 0]),
                                      lib.tensor(v), beta=0)).any()


def test_in_place_scaled_sums_match_pytorch(rng):
    torch = pytest.importorskip("torch")
    x, m, v = rng.standard_normal((3, 4)), rng.standard_normal((3, 5)), rng.standard_normal((5, 4))
    b1, b2 = rng.standard_normal((2, 3, 5)), rng.standard_normal((2, 5, 4))
    cases = [("addmm_", (m, v)), ("addbmm_", (b1, b2)), ("addr_", (m[:, 0], v[0])),
             ("baddbmm_", (b1, b2))]
    for name, operands in cases:
        base = np.stack([x, x]) if name == "baddbmm_" else x
        mine, theirs = fg.tensor(base), torch.tensor(base)
        assert getattr(mine, name)(*(fg.tensor(o) for o in operands), beta=0.5, alpha=2.0) is mine
        getattr(theirs, name)(*(torch.tensor(o) for o in operands), beta=0.5, alpha=2.0)
        np.testing.assert_allclose(mine.numpy(), theirs.numpy(), **TOL)
    mine, theirs = fg.tensor(x[:, 0]), torch.tensor(x[:, 0])
    mine.addmv_(fg.tensor(m), fg.tensor(v[:, 0]))
    theirs.addmv_(torch.tensor(m), torch.tensor(v[:, 0]))
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), **TOL)


def test_in_place_scaled_sum_records_gradients(rng):
    torch = pytest.importorskip("torch")
    x, u, v = rng.standard_normal((3, 2)), rng.standard_normal(3), rng.standard_normal(2)
    grads = []
    for lib in (fg, torch):
        leaves = [lib.tensor(a, requires_grad=True) for a in (x, u, v)]
        y = leaves[0] * 2
        y.addr_(leaves[1], leaves[2], alpha=3.0)
        (y * y).sum().backward()
        grads.append([leaf.grad.numpy() for leaf in leaves])
    for m, t in zip(*grads):
        np.testing.assert_allclose(m, t, **TOL)


# ---- results without a gradient: compared with PyTorch's, dtype included ----------------------

SPECIAL = np.array([[0.0, -0.0, 1.5, -3.25, np.inf], [-np.inf, np.nan, 1e-300, 8.0, -0.5]])

NO_GRADIENT = [
    ("argwhere", lambda t, T: t.argwhere(T(np.array([[0, 2, 0], [1, 0, 3]])))),
    ("argwhere method 0-d", lambda t, T: T(np.array(2.0)).argwhere()),
    ("argwhere empty", lambda t, T: t.argwhere(T(np.zeros((0, 3))))),
    ("nanmedian nan rows", lambda t, T: t.nanmedian(T(np.array([[1.0, np.nan, 3.0, 7.0], [np.nan, 5.0, 4.0, 2.0]])),
                                                    1)),
    ("nanmedian all nan", lambda t, T: t.nanmedian(T(np.array([np.nan, np.nan])))),
    ("nanmedian empty", lambda t, T: t.nanmedian(T(np.zeros(0)))),
    ("nanmedian ints", lambda t, T: t.nanmedian(T(np.array([[4, 1, 7], [2, 9, 3]])), 1)),
    ("nanmedian 0-d", lambda t, T: t.nanmedian(T(np.array(2.5)), 0)),
    ("frexp", lambda t, T: tuple(t.frexp(T(SPECIAL)))),
    ("frexp float32", lambda t, T: tuple(t.frexp(T(SPECIAL.astype(np.float32))))),
    ("ldexp ints", lambda t, T: t.ldexp(T(np.array([1, 3])), T(np.array([4, -1])))),
    ("nextafter", lambda t, T: t.nextafter(T(SPECIAL), T(np.zeros_like(SPECIAL)))),
    ("nextafter float32", lambda t, T: t.nextafter(T(SPECIAL.astype(np.float32)),
                                                   T(np.full(SPECIAL.shape, np.inf, dtype=np.float32)))),
    ("isposinf", lambda t, T: t.isposinf(T(SPECIAL))),
    ("isneginf method", lambda t, T: T(SPECIAL).isneginf()),
    ("isposinf ints", lambda t, T: t.isposinf(T(np.array([1, 2])))),
    ("isreal", lambda t, T: t.isreal(T(np.array([1 + 0j, 2j, -0.0 + 0j])))),
    ("isreal real", lambda t, T: t.isreal(T(SPECIAL))),
    ("fix", lambda t, T: t.fix(T(SPECIAL))),
    ("msort ints", lambda t, T: t.msort(T(np.array([[3, 1], [2, 5], [0, 4]])))),
    ("split_with_sizes empty piece", lambda t, T: t.split_with_sizes(T(np.arange(4.0)), [0, 4])),
    ("cov ints", lambda t, T: t.cov(T(np.array([[1, 4, 2], [0, 3, 3]])))),
    ("igamma values", lambda t, T: t.igamma(T(np.array([0.5, 1.0, 4.0])), T(np.array([0.2, 1.0, 6.0])))),
]


@pytest.mark.parametrize("name, call", NO_GRADIENT, ids=[n for n, _ in NO_GRADIENT])
def test_results_without_gradient_match_pytorch(name, call):
    torch = pytest.importorskip("torch")
    mine = call(fg, fg.tensor)
    theirs = call(torch, torch.tensor)
    if name.startswith(("nanmedian nan", "cov", "igamma")):
        np.testing.assert_allclose(mine[0].numpy() if isinstance(mine, tuple) else mine.numpy(),
                                   theirs[0].numpy() if isinstance(theirs, tuple) else theirs.numpy(), rtol=1e-12)
        return
    if name == "nanmedian all nan":
        assert np.isnan(mine.item()) and np.isnan(theirs.item())
        return
    if name.startswith("nanmedian"):   # the value's index: each library's, where ties allow several
        assert_same_result(mine[0] if isinstance(mine, tuple) else mine,
                           theirs[0] if isinstance(theirs, tuple) else theirs)
        return
    assert_same_result(mine, theirs)


def test_nanmedian_indices_point_at_the_values(rng):
    x = rng.standard_normal((4, 9))
    x[rng.random(x.shape) < 0.3] = np.nan
    x[0] = np.nan
    values, indices = fg.nanmedian(fg.tensor(x), 1)
    np.testing.assert_array_equal(np.take_along_axis(x, indices.numpy()[:, None], 1)[:, 0], values.numpy())
    torch = pytest.importorskip("torch")
    expected = torch.nanmedian(torch.tensor(x), 1)
    np.testing.assert_array_equal(values.numpy(), expected.values.numpy())
    np.testing.assert_array_equal(indices.numpy()[1:], expected.indices.numpy()[1:])   # row 0: any NaN


def test_cov_with_too_few_observations_warns_and_gives_inf():
    torch = pytest.importorskip("torch")
    with pytest.warns(RuntimeWarning, match="degrees of freedom"):
        got = fg.cov(fg.tensor([[1.0, 2.0]]), correction=2)
    with pytest.warns(UserWarning):
        expected = torch.cov(torch.tensor([[1.0, 2.0]]), correction=2)
    np.testing.assert_array_equal(got.numpy(), expected.numpy())


def test_as_strided_scatter_values_match_pytorch_and_gradients_central_differences(rng):
    # (PyTorch 2.13 gives input its gradient at the overwritten positions instead of the others,
    # so the gradients are checked against central differences only)
    torch = pytest.importorskip("torch")
    x, src = rng.standard_normal((3, 3)), rng.standard_normal((2, 2))
    got = fg.as_strided_scatter(fg.tensor(x), fg.tensor(src), (2, 2), (3, 1), 1)
    expected = torch.as_strided_scatter(torch.tensor(x), torch.tensor(src), (2, 2), (3, 1), 1)
    np.testing.assert_array_equal(got.numpy(), expected.numpy())
    leaves = [fg.tensor(x, requires_grad=True), fg.tensor(src, requires_grad=True)]
    assert fg.gradcheck(lambda a, b: fg.as_strided_scatter(a, b, (2, 2), (3, 1), 1), leaves)


def test_as_strided_in_place_matches_pytorch():
    torch = pytest.importorskip("torch")
    mine, theirs = fg.arange(9.0), torch.arange(9.0)
    assert mine.as_strided_((2, 2), (3, 1), 1) is mine
    theirs.as_strided_((2, 2), (3, 1), 1)
    np.testing.assert_array_equal(mine.numpy(), theirs.numpy())


def test_fill_diagonal_matches_pytorch():
    torch = pytest.importorskip("torch")
    for shape, wrap in (((3, 3), False), ((7, 3), False), ((7, 3), True), ((3, 5), True), ((2, 2, 2), False)):
        mine, theirs = fg.zeros(*shape), torch.zeros(*shape)
        assert mine.fill_diagonal_(4.0, wrap=wrap) is mine
        theirs.fill_diagonal_(4.0, wrap=wrap)
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
    x = fg.tensor(np.ones((3, 3)), requires_grad=True)
    y = x * 2
    y.fill_diagonal_(0.0)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 2 * (1 - np.eye(3)))


def test_in_place_named_forms_match_pytorch(rng):
    torch = pytest.importorskip("torch")
    x = rng.uniform(-3, 3, (3, 4))
    cases = [("absolute_", ()), ("fix_", ()), ("heaviside_", ("values",)), ("floor_divide_", (1.5,)),
             ("polygamma_", (1,)), ("ldexp_", ("exponents",)), ("nextafter_", ("zeros",)),
             ("igamma_", ("positive",)), ("igammac_", ("positive",)), ("mvlgamma_", (2,))]
    for name, args in cases:
        base = np.abs(x) + 1 if name.startswith(("polygamma", "igamma", "mvlgamma")) else x
        for lib in (fg, torch):
            extra = {"values": lib.tensor(0.5, dtype=lib.float64), "exponents": lib.tensor(np.array([1.0, -1, 2, 0])),
                     "zeros": lib.zeros(3, 4, dtype=lib.float64), "positive": lib.tensor(np.abs(x) + 0.5)}
            t = lib.tensor(base)
            result = getattr(t, name)(*(extra.get(a, a) if isinstance(a, str) else a for a in args))
            assert result is t
            if lib is fg:
                mine = t.numpy()
            else:
                np.testing.assert_allclose(mine, t.numpy(), rtol=1e-8, err_msg=name)


test_refusals = refusal_test([
    (lambda: fg.vdot(fg.ones(3), fg.ones(2)), RuntimeError, "differ"),
    (lambda: fg.vdot(fg.ones(3), fg.ones(3, dtype=fg.float64)), RuntimeError, "same dtype"),
    (lambda: fg.vdot(fg.ones(2, 2), fg.ones(2, 2)), RuntimeError, "must be 1-D"),
    (lambda: fg.addmv(fg.ones(3), fg.ones(3, 2), fg.ones(3)), RuntimeError, "do not match"),
    (lambda: fg.addr(fg.ones(3), fg.ones(3, 1), fg.ones(3)), RuntimeError, "argument 'vec1' must be 1-D"),
    (lambda: fg.addbmm(fg.ones(2), fg.ones(2, 2, 3), fg.ones(3, 3, 2)), RuntimeError, "do not match"),
    (lambda: fg.chain_matmul(), RuntimeError, "at least one"),
    (lambda: fg.chain_matmul(fg.ones(2, 2), fg.ones(2)), RuntimeError, "matrix 1 must be 2-D"),
    (lambda: fg.cov(fg.ones(2, 2, 2)), RuntimeError, "1-D or 2-D"),
    (lambda: fg.cov(fg.ones(2, 3), fweights=fg.tensor([1.0, 2.0, 3.0])), RuntimeError, "integers"),
    (lambda: fg.cov(fg.ones(2, 3), aweights=fg.ones(2)), RuntimeError, "one weight per observation"),
    (lambda: fg.cov(fg.ones(2, 3), fweights=fg.tensor([1, -1, 1])), RuntimeError, "non-negative"),
    (lambda: fg.nanmedian(fg.ones(2, 0), 1), IndexError, "size 0"),
    (lambda: fg.frexp(fg.tensor([1, 2])), TypeError, "floating-point"),
    (lambda: fg.nextafter(fg.ones(2), fg.ones(2, dtype=fg.float64)), RuntimeError, "same dtype"),
    (lambda: fg.isposinf(fg.tensor([1j])), TypeError, "must be real"),
    (lambda: fg.select(fg.ones(2, 3), 1, 3), IndexError, "out of range"),
    (lambda: fg.select(fg.tensor(1.0), 0, 0), IndexError, "0-d"),
    (lambda: fg.select_scatter(fg.ones(2, 3), fg.ones(2), 0, 0), RuntimeError, "shape of the part"),
    (lambda: fg.slice_scatter(fg.ones(4), fg.ones(2, dtype=fg.float64), 0, 0, 2), RuntimeError, "dtype"),
    (lambda: fg.slice_scatter(fg.ones(4), fg.ones(2), 0, 0, 2, 0), ValueError, "step must be positive"),
    (lambda: fg.diagonal_scatter(fg.ones(3), fg.ones(3)), RuntimeError, "at least 2-D"),
    (lambda: fg.diagonal_scatter(fg.ones(3, 3), fg.ones(3), 0, 1, 1), RuntimeError, "must differ"),
    (lambda: fg.split_with_sizes(fg.ones(5), [2, 2]), RuntimeError, "add up"),
    (lambda: fg.as_strided(fg.ones(4), (2, 2), (2, 2)), RuntimeError, "beyond the tensor's 4 elements"),
    (lambda: fg.as_strided(fg.ones(4), (2, 2), (1,)), RuntimeError, "2 sizes but 1 strides"),
    (lambda: fg.as_strided(fg.ones(4), (2,), (-1,)), RuntimeError, "non-negative"),
    (lambda: fg.as_strided_scatter(fg.ones(4), fg.ones(3), (2,), (1,)), RuntimeError, "shape of the part"),
    (lambda: fg.ones(2, 3, 4).fill_diagonal_(1.0), RuntimeError, "must be equal"),
    (lambda: fg.ones(3).fill_diagonal_(1.0), RuntimeError, "at least 2-D"),
    (lambda: fg.mvlgamma(fg.tensor([0.9]), 3), RuntimeError, "greater than"),
    (lambda: fg.mvlgamma(fg.tensor([2.0]), 0), RuntimeError, "at least 1"),
], "^(vdot|addmv|addr|addbmm|chain_matmul|cov|nanmedian|frexp|nextafter|isposinf|select|select_scatter|"
   "slice_scatter|diagonal_scatter|split_with_sizes|fill_diagonal_|mvlgamma|as_strided|as_strided_scatter)")
