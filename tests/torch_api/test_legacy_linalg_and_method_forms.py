"""The older linear-algebra functions (qr, svd, cholesky_solve, cholesky_inverse, triangular_solve,
frobenius_norm, nuclear_norm), the module-level forms of methods (real, imag, adjoint, put,
masked_scatter, the unsafe splits, addmv_), the tensor flags that are always False here,
dim_order, is_set_to, torch.dtype, range, binomial and embedding_renorm_: against PyTorch
(values and gradients in float64), gradcheck, statistics for binomial, and refusals."""
import warnings

import numpy as np
import pytest

import fastgrad as fg
from refusals import refusal_test
from torch_parity import check_case_against_torch, gradcheck_case

TOL = dict(rtol=1e-9, atol=1e-11)


def _any(rng, s):
    return rng.standard_normal(s)


# the square inputs of these domains are made triangular / well conditioned, the others are left as drawn

def _lower(rng, s):
    x = rng.standard_normal(s)
    return np.tril(x) + 3 * np.eye(s[-1]) if s[-1] == s[-2] else x


def _upper(rng, s):
    x = rng.standard_normal(s)
    return np.triu(x) + 3 * np.eye(s[-1]) if s[-1] == s[-2] else x


def _well_conditioned(rng, s):
    x = rng.standard_normal(s)
    return x + 3 * np.eye(s[-1]) if s[-1] == s[-2] else x


def _quiet(call):
    """call with PyTorch's deprecation warnings for these names silenced."""
    def run(*args):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return call(*args)
    return run


# The Cholesky factors pass through tril / triu: their gradient, as PyTorch's, also fills the
# triangle the functions do not read, which central differences cannot see.
CASES = [
    ("qr Q", lambda t, a: t.qr(a)[0] * t.qr(a)[1].diagonal().sign(), [(4, 3)], _any),
    ("qr R", lambda t, a: t.qr(a).R * t.qr(a).R.diagonal().sign().unsqueeze(-1), [(4, 3)], _any),
    ("qr complete method", lambda t, a: a.qr(some=False)[0].abs().sum(-1), [(3, 3)], _any),
    ("svd S", lambda t, a: t.svd(a)[1], [(4, 3)], _any),
    ("svd reconstruction", lambda t, a: (lambda u, s, v: (u * s.unsqueeze(-2)) @ v.mT)(*t.svd(a)), [(2, 4, 3)],
     _any),
    ("svd method no uv", lambda t, a: a.svd(compute_uv=False)[1], [(3, 5)], _any),
    ("cholesky_solve", lambda t, b, l: t.cholesky_solve(b, l.tril()), [(3, 2), (3, 3)], _lower),
    ("cholesky_solve upper", lambda t, b, u: t.cholesky_solve(b, u.triu(), upper=True), [(2, 3, 2), (3, 3)],
     _upper),
    ("cholesky_inverse", lambda t, l: t.cholesky_inverse(l.tril()), [(3, 3)], _lower),
    ("cholesky_inverse upper method", lambda t, u: u.triu().cholesky_inverse(True), [(4, 4)], _upper),
    ("triangular_solve", lambda t, b, a: t.triangular_solve(b, a)[0], [(3, 2), (3, 3)], _well_conditioned),
    ("triangular_solve lower transpose", lambda t, b, a: t.triangular_solve(b, a, False, True)[0],
     [(3, 2), (3, 3)], _well_conditioned),
    ("triangular_solve unitriangular", lambda t, b, a: t.triangular_solve(b, a, unitriangular=True).solution,
     [(2, 3, 1), (3, 3)], _well_conditioned),
    ("frobenius_norm", lambda t, a: t.frobenius_norm(a, (0, 1)), [(3, 4)], _any),
    ("frobenius_norm dims", lambda t, a: t.frobenius_norm(a, (0, 2), True), [(3, 2, 4)], _any),
    ("nuclear_norm", lambda t, a: t.nuclear_norm(a), [(3, 4)], _any),
    ("nuclear_norm keepdim", lambda t, a: t.nuclear_norm(a, True), [(4, 2)], _any),
    ("adjoint", lambda t, a: t.adjoint(a), [(2, 3, 4)], _any),
    ("adjoint method", lambda t, a: a.adjoint(), [(3, 2)], _any),
    ("real", lambda t, a: t.real(a), [(3,)], _any),
    ("masked_scatter", lambda t, a, s: t.masked_scatter(a, t.tensor([[True, False, True], [False, True, True]]), s),
     [(2, 3), (6,)], _any),
    ("put", lambda t, a, s: t.put(a, t.tensor([0, 5, 2]), s), [(2, 3), (3,)], _any),
    ("unsafe_split", lambda t, a: t.cat([p * (i + 1) for i, p in enumerate(t.unsafe_split(a, 2, 1))], 1), [(2, 5)],
     _any),
    ("unsafe_chunk method", lambda t, a: t.cat([p * (i + 1) for i, p in enumerate(a.unsafe_chunk(3))]), [(7,)], _any),
    ("unsafe_split_with_sizes", lambda t, a: t.cat([p * (i + 1) for i, p in
                                                    enumerate(t.unsafe_split_with_sizes(a, [1, 3]))]), [(4, 2)], _any),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_values_and_gradients_match_pytorch(case, rng):
    torch = pytest.importorskip("torch")
    check_case_against_torch(torch, case, rng, TOL, wrap_torch=_quiet)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_gradients_match_central_differences(case, rng):
    assert gradcheck_case(case, rng)


def test_float32_results_keep_their_dtype(rng):
    torch = pytest.importorskip("torch")
    a = _well_conditioned(rng, (3, 3)).astype(np.float32)
    b = rng.standard_normal((3, 2)).astype(np.float32)
    for call in (lambda t, x, y: t.triangular_solve(y, x)[0], lambda t, x, y: t.svd(x)[1],
                 lambda t, x, y: t.cholesky_inverse(x.tril()), lambda t, x, y: t.nuclear_norm(x)):
        got = call(fg, fg.tensor(a), fg.tensor(b))
        expected = _quiet(call)(torch, torch.tensor(a), torch.tensor(b))
        assert got.dtype == expected.numpy().dtype
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-4, atol=1e-5)


def test_shapes_of_qr_and_svd_forms_match_pytorch(rng):
    torch = pytest.importorskip("torch")
    a = rng.standard_normal((2, 5, 3))
    for call in (lambda t, x: t.qr(x), lambda t, x: t.qr(x, some=False), lambda t, x: t.svd(x),
                 lambda t, x: t.svd(x, some=False), lambda t, x: t.svd(x, compute_uv=False)):
        mine, theirs = call(fg, fg.tensor(a)), call(torch, torch.tensor(a))
        assert [m.shape for m in mine] == [tuple(t.shape) for t in theirs]
    u, s, v = fg.svd(fg.tensor(a), compute_uv=False)
    assert not u.numpy().any() and not v.numpy().any()
    solution, coefficient = fg.triangular_solve(fg.tensor(a[0, :3]), fg.tensor(a[1, :3]))
    np.testing.assert_array_equal(coefficient.numpy(), a[1, :3])


def test_imag_of_a_complex_tensor_and_its_gradient_match_pytorch():
    torch = pytest.importorskip("torch")
    z = np.array([1 + 2j, -3 + 0.5j])
    results = []
    for lib in (fg, torch):
        leaf = lib.tensor(z, requires_grad=True)
        part = lib.imag(leaf)
        (part * lib.tensor([2.0, 3.0], dtype=lib.float64)).sum().backward()
        # fastgrad's complex gradients are the conjugates of PyTorch's (its documented convention)
        grad = leaf.grad.numpy() if lib is fg else np.conj(leaf.grad.numpy())
        results.append((part.detach().numpy(), grad, lib.real(leaf).detach().numpy()))
    for m, t in zip(*results):
        np.testing.assert_allclose(m, t, **TOL)


def test_always_false_flags_and_queries_match_pytorch():
    torch = pytest.importorskip("torch")
    x, t = fg.ones(2, 3), torch.ones(2, 3)
    for name in ("is_meta", "is_mps", "is_xpu", "is_ipu", "is_xla", "is_mtia", "is_maia", "is_vulkan", "is_mkldnn",
                 "is_quantized", "is_nested", "is_sparse_csr"):
        assert getattr(x, name) is getattr(t, name) is False, name
    assert x.output_nr == t.output_nr == 0
    assert fg.get_device(x) == torch.get_device(t) == -1
    assert fg.is_inference(x) is torch.is_inference(t) is False
    assert isinstance(x.dtype, fg.dtype) and fg.dtype is np.dtype
    assert isinstance(x.layout, fg.layout) and x.layout is fg.strided


def test_dim_order_and_is_set_to_match_pytorch():
    torch = pytest.importorskip("torch")
    a = np.zeros((2, 3, 4))
    for view in (lambda x: x, lambda x: x.permute(2, 0, 1), lambda x: x.transpose(0, 1), lambda x: x[:, 1]):
        assert view(fg.tensor(a)).dim_order() == view(torch.tensor(a)).dim_order()
    x = fg.tensor(a)
    assert x.is_set_to(x) and x.is_set_to(fg.Tensor(x._data)) and not x.is_set_to(x.reshape(4, 3, 2))
    assert not x.is_set_to(x.clone())


def test_range_includes_its_end_as_pytorch():
    torch = pytest.importorskip("torch")
    for args, kwargs in (((0, 1, 0.25), {}), ((1, 4), {}), ((1, 4, 1.5), {}), ((5, 1, -2), {}),
                         ((0, 3), {"dtype": "int64"}), ((2,), {})):
        with pytest.warns(UserWarning):
            mine = fg.range(*args, **kwargs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = torch.range(*args, **{k: getattr(torch, v) for k, v in kwargs.items()}) if len(args) > 1 else \
                torch.arange(args[0] + 1, dtype=torch.float32)
        assert mine.dtype == theirs.numpy().dtype
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())


def test_range_stays_out_of_star_imports():
    namespace = {}
    exec("from fastgrad import *", namespace)
    assert "range" not in namespace and fg.range is not range


def test_binomial_samples_follow_the_law_and_repeat_under_a_seed():
    fg.manual_seed(4)
    count = fg.full((20000,), 12.0)
    draws = fg.binomial(count, fg.full((20000,), 0.3)).numpy()
    assert draws.dtype == np.float32 and draws.min() >= 0 and draws.max() <= 12
    assert abs(draws.mean() - 3.6) < 5 * np.sqrt(12 * 0.3 * 0.7 / 20000)
    assert abs(draws.var() - 12 * 0.3 * 0.7) < 0.1
    g = fg.Generator().manual_seed(8)
    first = fg.binomial(fg.tensor([4.0, 9.0]), fg.tensor([0.5, 0.9]), generator=g).numpy()
    g.manual_seed(8)
    np.testing.assert_array_equal(fg.binomial(fg.tensor([4.0, 9.0]), fg.tensor([0.5, 0.9]), generator=g).numpy(),
                                  first)
    edges = fg.binomial(fg.tensor([0.0, 7.0, 7.0]), fg.tensor([0.5, 0.0, 1.0])).numpy()
    np.testing.assert_array_equal(edges, [0.0, 0.0, 7.0])


def test_embedding_renorm_and_module_level_addmv_match_pytorch(rng):
    torch = pytest.importorskip("torch")
    w = rng.standard_normal((5, 3)) * 2
    mine, theirs = fg.tensor(w), torch.tensor(w)
    assert fg.embedding_renorm_(mine, fg.tensor([0, 3, 3]), 1.0, 2.0) is mine
    torch.embedding_renorm_(theirs, torch.tensor([0, 3, 3]), 1.0, 2.0)
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), **TOL)
    v, m, x = rng.standard_normal(3), rng.standard_normal((3, 2)), rng.standard_normal(2)
    mine, theirs = fg.tensor(v), torch.tensor(v)
    assert fg.addmv_(mine, fg.tensor(m), fg.tensor(x), beta=0.5) is mine
    torch.addmv_(theirs, torch.tensor(m), torch.tensor(x), beta=0.5)
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), **TOL)


test_refusals = refusal_test([
    (lambda: fg.ones(2, 2).eig(), RuntimeError, "linalg.eig"),
    (lambda: fg.ones(2, 2).lstsq(fg.ones(2, 2)), RuntimeError, "linalg.lstsq"),
    (lambda: fg.ones(2, 2).symeig(), RuntimeError, "linalg.eigh"),
    (lambda: fg.qr(fg.ones(3)), ValueError, "must be a matrix"),
    (lambda: fg.cholesky_solve(fg.ones(3, 1), fg.ones(3, 2)), ValueError, "must be a square matrix"),
    (lambda: fg.triangular_solve(fg.ones(3), fg.eye(3)), ValueError, "argument 'b' must be a matrix"),
    (lambda: fg.imag(fg.ones(2)), RuntimeError, "must be complex"),
    (lambda: fg.adjoint(fg.ones(2)), RuntimeError, "at least 2"),
    (lambda: fg.real([1.0]), TypeError, "must be a Tensor"),
    (lambda: fg.frobenius_norm(fg.ones(2, 2, 2), (0, 1, 2)), ValueError, "one or two dimensions"),
    (lambda: fg.range(0, 1, 0), ValueError, "non-zero"),
    (lambda: fg.range(0, 1, -1), ValueError, "cannot be reached"),
    (lambda: fg.binomial(fg.tensor([2, 3]), fg.tensor([0.5, 0.5])), TypeError, "floating-point"),
    (lambda: fg.binomial(fg.tensor([2.5]), fg.tensor([0.5])), ValueError, "whole numbers"),
    (lambda: fg.binomial(fg.tensor([2.0]), fg.tensor([1.5])), ValueError, "[0, 1]"),
], "^(eig|lstsq|symeig|qr|cholesky_solve|triangular_solve|imag|adjoint|real|range|binomial|frobenius_norm)")
