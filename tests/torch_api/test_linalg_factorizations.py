"""Triangular solves, LU factorizations, the `_ex` forms, the composed torch.linalg functions and
the older top-level forms (torch.svd, qr, cholesky_solve, triangular_solve, lu_solve, geqrf, ...):
float64 values and input gradients against PyTorch, central differences, float32, batches,
empty input and bad arguments."""
import numpy as np
import pytest

import fastgrad as fg
from torch_parity import check_against_torch

TOL = dict(rtol=1e-9, atol=1e-11)
# PyTorch warns that its older names (torch.qr, triangular_solve, lu, ...) are deprecated
pytestmark = pytest.mark.filterwarnings("ignore:.*deprecated:UserWarning")


def _shifted(t, x):
    """x plus 3 I: well conditioned, and still triangular where x is."""
    return x + 3 * t.eye(x.shape[-1], dtype=x.dtype)


def _spd(t, x):
    n = x.shape[-1]
    return x @ x.mT + n * t.eye(n, dtype=x.dtype)


def _factor(t, x, upper=False):
    """A genuine Cholesky factor made from x (its triangle, shifted)."""
    return _shifted(t, x.triu() if upper else x.tril())


def _lu_solve(t, a, b, **kwargs):
    return t.linalg.lu_solve(*t.linalg.lu_factor(a), b, **kwargs)


# (id, f(t, *inputs), input shapes); each runs with t = fastgrad and t = torch.
CASES = [
    ("solve_triangular_upper", lambda t, a, b: t.linalg.solve_triangular(_shifted(t, a), b, upper=True),
     [(3, 3), (3, 2)]),
    ("solve_triangular_lower_batch", lambda t, a, b: t.linalg.solve_triangular(_shifted(t, a), b, upper=False),
     [(2, 4, 4), (2, 4, 3)]),
    ("solve_triangular_broadcast", lambda t, a, b: t.linalg.solve_triangular(_shifted(t, a), b, upper=True),
     [(3, 3), (2, 3, 1)]),
    ("solve_triangular_right", lambda t, a, b: t.linalg.solve_triangular(_shifted(t, a), b, upper=False, left=False),
     [(2, 3, 3), (2, 4, 3)]),
    ("solve_triangular_unit", lambda t, a, b: t.linalg.solve_triangular(a, b, upper=True, unitriangular=True),
     [(3, 3), (3, 2)]),
    ("solve_triangular_unit_right_lower",
     lambda t, a, b: t.linalg.solve_triangular(a, b, upper=False, left=False, unitriangular=True), [(3, 3), (2, 3)]),
    ("lu_factor_square", lambda t, a: t.linalg.lu_factor(a).LU, [(2, 4, 4)]),
    ("lu_factor_tall", lambda t, a: t.linalg.lu_factor(a).LU, [(5, 3)]),
    ("lu_factor_wide", lambda t, a: t.linalg.lu_factor(a).LU, [(2, 3, 5)]),
    ("lu_L", lambda t, a: t.linalg.lu(a).L, [(2, 4, 4)]),
    ("lu_U", lambda t, a: t.linalg.lu(a).U, [(4, 4)]),
    ("lu_L_tall", lambda t, a: t.linalg.lu(a).L, [(5, 3)]),
    ("lu_U_wide", lambda t, a: t.linalg.lu(a).U, [(3, 5)]),
    ("lu_unpack", lambda t, a: sum(f.sum() for f in t.lu_unpack(*t.linalg.lu_factor(a))[1:]), [(3, 3)]),
    ("lu_solve", lambda t, a, b: _lu_solve(t, a, b), [(3, 3), (3, 2)]),
    ("lu_solve_adjoint", lambda t, a, b: _lu_solve(t, a, b, adjoint=True), [(2, 3, 3), (2, 3, 2)]),
    ("lu_solve_right", lambda t, a, b: _lu_solve(t, a, b, left=False), [(3, 3), (4, 3)]),
    ("lu_solve_right_adjoint", lambda t, a, b: _lu_solve(t, a, b, left=False, adjoint=True), [(3, 3), (4, 3)]),
    ("lu_solve_broadcast", lambda t, a, b: _lu_solve(t, a, b), [(3, 3), (2, 3, 2)]),
    ("cholesky_ex", lambda t, a: t.linalg.cholesky_ex(_spd(t, a)).L, [(2, 3, 3)]),
    ("inv_ex", lambda t, a: t.linalg.inv_ex(a).inverse, [(2, 3, 3)]),
    ("solve_ex", lambda t, a, b: t.linalg.solve_ex(a, b).result, [(3, 3), (3, 2)]),
    ("solve_ex_right", lambda t, a, b: t.linalg.solve_ex(a, b, left=False).result, [(3, 3), (2, 3)]),
    ("matrix_exp", lambda t, a: t.linalg.matrix_exp(a), [(2, 3, 3)]),
    ("cond", lambda t, a: t.linalg.cond(a), [(2, 3, 3)]),
    ("cond_-2", lambda t, a: t.linalg.cond(a, -2), [(4, 3)]),
    ("diagonal", lambda t, a: t.linalg.diagonal(a, offset=-1), [(2, 3, 4)]),
    ("diagonal_dims", lambda t, a: t.linalg.diagonal(a, dim1=0, dim2=2), [(3, 2, 3)]),
    ("vander", lambda t, x: t.linalg.vander(x), [(2, 3)]),
    ("vander_N", lambda t, x: t.linalg.vander(x, N=5), [(4,)]),
    ("tensorinv", lambda t, a: t.linalg.tensorinv(a, ind=2), [(2, 3, 6)]),
    ("tensorinv_ind1", lambda t, a: t.linalg.tensorinv(a, ind=1), [(4, 2, 2)]),
    ("tensorsolve", lambda t, a, b: t.linalg.tensorsolve(a, b), [(2, 3, 6), (2, 3)]),
    ("tensorsolve_dims", lambda t, a, b: t.linalg.tensorsolve(a, b, dims=(0,)), [(6, 2, 3), (2, 3)]),
    ("svd_S", lambda t, a: t.svd(a).S, [(2, 4, 3)]),
    ("svd_UVt", lambda t, a: t.svd(a).U @ t.svd(a).V.mT, [(3, 3)]),
    ("svd_V_abs", lambda t, a: t.svd(a).V.abs(), [(5, 3)]),
    ("svd_method_S", lambda t, a: a.svd(some=True).S, [(3, 4)]),
    ("qr_Q", lambda t, a: t.qr(a).Q, [(4, 3)]),
    ("qr_method_R_complete", lambda t, a: a.qr(some=False).R, [(2, 3, 4)]),
    ("cholesky_solve", lambda t, b, a: t.cholesky_solve(b, t.linalg.cholesky(_spd(t, a))), [(3, 2), (3, 3)]),
    ("cholesky_solve_factor", lambda t, b, a: t.cholesky_solve(b, _factor(t, a)), [(2, 3, 2), (2, 3, 3)]),
    ("cholesky_solve_upper_method", lambda t, b, a: b.cholesky_solve(_factor(t, a, True), upper=True),
     [(3, 2), (3, 3)]),
    ("cholesky_inverse", lambda t, a: t.cholesky_inverse(_factor(t, a)), [(2, 3, 3)]),
    ("cholesky_inverse_upper_method", lambda t, a: _factor(t, a, True).cholesky_inverse(upper=True), [(3, 3)]),
    ("triangular_solve", lambda t, b, a: t.triangular_solve(b, _shifted(t, a)).solution, [(3, 2), (3, 3)]),
    ("triangular_solve_lower_transpose", lambda t, b, a: t.triangular_solve(b, _shifted(t, a), False, True).solution,
     [(2, 3, 2), (2, 3, 3)]),
    ("triangular_solve_unit_method", lambda t, b, a: b.triangular_solve(a, unitriangular=True).solution,
     [(3, 2), (3, 3)]),
    ("triangular_solve_coefficient", lambda t, a: t.triangular_solve(a[:, :1], a).cloned_coefficient, [(3, 3)]),
    ("lu_solve_old", lambda t, b, a: t.lu_solve(b, *t.linalg.lu_factor(a)), [(3, 2), (3, 3)]),
    ("lu_solve_method", lambda t, b, a: b.lu_solve(*a.lu()), [(2, 3, 2), (2, 3, 3)]),
    ("matrix_power", lambda t, a: t.matrix_power(a, 3), [(2, 3, 3)]),
    ("matrix_power_method", lambda t, a: a.matrix_power(-2), [(3, 3)]),
    ("orgqr", lambda t, a, tau: t.orgqr(a, tau), [(5, 3), (3,)]),
    ("householder_product", lambda t, a, tau: t.linalg.householder_product(a, tau), [(2, 4, 3), (2, 2)]),
    ("ormqr_left", lambda t, a, tau, c: t.ormqr(a, tau, c), [(4, 3), (3,), (4, 2)]),
    ("ormqr_left_transpose", lambda t, a, tau, c: a.ormqr(tau, c, True, True), [(4, 3), (3,), (4, 2)]),
    ("ormqr_right", lambda t, a, tau, c: t.ormqr(a, tau, c, False), [(2, 4, 3), (2, 3), (2, 2, 4)]),
    ("ormqr_right_transpose", lambda t, a, tau, c: t.ormqr(a, tau, c, False, True), [(4, 3), (3,), (2, 4)]),
]


def _arrays(shapes, rng):
    return [rng.standard_normal(s) for s in shapes]


def _bound(f, t):
    return lambda *xs: f(t, *xs)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_values_and_gradients_match_pytorch(case, rng):
    torch = pytest.importorskip("torch")
    _, f, shapes = case
    check_against_torch(torch, _bound(f, fg), _bound(f, torch), _arrays(shapes, rng), rng, TOL,
                        grad_tol=dict(rtol=1e-8, atol=1e-10))


# PyTorch's cholesky_solve gradient also fills the factor's unread triangle, which central
# differences cannot see, so the cases make their factors triangular inside f.
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_gradients_match_central_differences(case, rng):
    _, f, shapes = case
    assert fg.gradcheck(_bound(f, fg), [fg.tensor(a, requires_grad=True) for a in _arrays(shapes, rng)])


def test_lu_factors_and_pivots_are_lapacks(rng):
    torch = pytest.importorskip("torch")
    for shape in [(4, 4), (3, 2, 2), (5, 3), (2, 3, 6)]:
        a = rng.standard_normal(shape)
        LU, pivots = fg.linalg.lu_factor(fg.tensor(a))
        LUt, pivots_t = torch.linalg.lu_factor(torch.tensor(a))
        assert pivots.dtype == np.int32 and pivots.shape == tuple(pivots_t.shape)
        np.testing.assert_array_equal(pivots.numpy(), pivots_t.numpy())
        np.testing.assert_allclose(LU.numpy(), LUt.numpy(), **TOL)
        P, L, U = fg.linalg.lu(fg.tensor(a))
        np.testing.assert_allclose((P @ L @ U).numpy(), a, **TOL)
        Pt = torch.linalg.lu(torch.tensor(a)).P
        np.testing.assert_array_equal(P.numpy(), Pt.numpy())
        P2, L2, U2 = fg.lu_unpack(LU, pivots)
        np.testing.assert_array_equal(P2.numpy(), P.numpy())


def test_lu_second_derivative_matches_pytorch(rng):
    torch = pytest.importorskip("torch")
    a, w = rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    x, xt = fg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    (g,) = fg.autograd.grad((fg.linalg.lu_factor(x).LU * fg.tensor(w)).sum(), [x], create_graph=True)
    (gt,) = torch.autograd.grad((torch.linalg.lu_factor(xt).LU * torch.tensor(w)).sum(), [xt], create_graph=True)
    (h,) = fg.autograd.grad((g * g).sum(), [x])
    (ht,) = torch.autograd.grad((gt * gt).sum(), [xt])
    np.testing.assert_allclose(h.numpy(), ht.numpy(), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dtypes_are_kept(dtype, rng):
    a = fg.tensor(rng.standard_normal((2, 3, 3)) + 3 * np.eye(3), dtype=dtype, requires_grad=True)
    b = fg.tensor(rng.standard_normal((2, 3, 2)), dtype=dtype)
    LU, pivots = fg.linalg.lu_factor(a)
    outs = [LU, fg.linalg.lu_solve(LU, pivots, b), fg.linalg.solve_triangular(a, b, upper=True),
            fg.linalg.lu(a).L, fg.linalg.inv_ex(a).inverse, fg.cholesky_solve(b, a.tril()), fg.svd(a).V,
            fg.linalg.householder_product(*fg.geqrf(a.detach()))]
    for out in outs:
        assert out.dtype == np.dtype(dtype)
    sum(o.sum() for o in outs[:-1]).backward()
    assert a.grad.dtype == np.dtype(dtype)
    assert pivots.dtype == np.int32 and fg.linalg.lu_factor_ex(a).info.dtype == np.int32


def test_non_contiguous_input_matches_contiguous(rng):
    a = rng.standard_normal((3, 3, 2)) + 3 * np.eye(3)[..., None]
    b = rng.standard_normal((3, 2))
    view = fg.tensor(a)[..., 0].mT                 # strided
    copy = fg.tensor(np.ascontiguousarray(a[..., 0].T))
    np.testing.assert_allclose(fg.linalg.lu_factor(view).LU.numpy(), fg.linalg.lu_factor(copy).LU.numpy())
    np.testing.assert_allclose(fg.linalg.solve_triangular(view, fg.tensor(b), upper=False).numpy(),
                               fg.linalg.solve_triangular(copy, fg.tensor(b), upper=False).numpy())


def test_empty_inputs_give_pytorchs_shapes():
    torch = pytest.importorskip("torch")
    for shape in [(0, 3, 3), (3, 0), (2, 0, 4)]:
        mine, theirs = fg.linalg.lu_factor_ex(fg.zeros(shape)), torch.linalg.lu_factor_ex(torch.zeros(shape))
        for m, t in zip(mine, theirs):
            assert m.shape == tuple(t.shape)
        for m, t in zip(fg.linalg.lu(fg.zeros(shape)), torch.linalg.lu(torch.zeros(shape))):
            assert m.shape == tuple(t.shape)
    x = fg.linalg.solve_triangular(fg.zeros((0, 3, 3)), fg.zeros((0, 3, 2)), upper=True)
    assert x.shape == (0, 3, 2)
    assert fg.linalg.solve_triangular(fg.eye(3), fg.zeros((3, 0)), upper=True).shape == (3, 0)


def test_ex_forms_report_failures_in_info():
    torch = pytest.importorskip("torch")
    singular = np.array([[[1.0, 2.0], [2.0, 4.0]], [[2.0, 0.0], [0.0, 1.0]]])
    indefinite = np.array([[[1.0, 2.0], [2.0, 1.0]], [[-1.0, 0.0], [0.0, 1.0]], [[2.0, 0.0], [0.0, 1.0]]])
    pairs = [(fg.linalg.inv_ex(fg.tensor(singular)).info, torch.linalg.inv_ex(torch.tensor(singular)).info),
             (fg.linalg.solve_ex(fg.tensor(singular), fg.ones((2, 2, 1))).info,
              torch.linalg.solve_ex(torch.tensor(singular), torch.ones(2, 2, 1, dtype=torch.float64)).info),
             (fg.linalg.lu_factor_ex(fg.tensor(singular)).info, torch.linalg.lu_factor_ex(torch.tensor(singular)).info),
             (fg.linalg.cholesky_ex(fg.tensor(indefinite)).info,
              torch.linalg.cholesky_ex(torch.tensor(indefinite)).info)]
    for mine, theirs in pairs:
        assert mine.dtype == np.int32
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
    # the matrices that did factor are right
    np.testing.assert_allclose(fg.linalg.inv_ex(fg.tensor(singular)).inverse[1].numpy(), np.linalg.inv(singular[1]))
    np.testing.assert_allclose(fg.linalg.cholesky_ex(fg.tensor(indefinite)).L[2].numpy(),
                               np.linalg.cholesky(indefinite[2]))


def test_errors_name_the_function_and_argument():
    singular = fg.tensor([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(fg.linalg.LinAlgError, match="lu_factor"):
        fg.linalg.lu_factor(singular)
    with pytest.raises(fg.linalg.LinAlgError, match="inv_ex"):
        fg.linalg.inv_ex(singular, check_errors=True)
    with pytest.raises(fg.linalg.LinAlgError, match="solve_ex"):
        fg.linalg.solve_ex(singular, fg.ones((2, 1)), check_errors=True)
    with pytest.raises(fg.linalg.LinAlgError, match="cholesky_ex"):
        fg.linalg.cholesky_ex(-fg.eye(2), check_errors=True)
    with pytest.raises(fg.linalg.LinAlgError, match="lu"):
        fg.lu(singular)
    assert fg.lu(singular, get_infos=True)[2].item() == 2
    with pytest.raises(RuntimeError, match="without pivoting"):
        fg.linalg.lu_factor(fg.eye(2), pivot=False)
    with pytest.raises(ValueError, match="solve_triangular.*'B'"):
        fg.linalg.solve_triangular(fg.eye(3), fg.ones(3), upper=True)
    with pytest.raises(ValueError, match="solve_triangular.*do not match"):
        fg.linalg.solve_triangular(fg.eye(3), fg.ones((2, 1)), upper=True)
    with pytest.raises(TypeError, match="solve_triangular.*'upper'"):
        fg.linalg.solve_triangular(fg.eye(3), fg.ones((3, 1)), upper=None)
    with pytest.raises(ValueError, match="solve_triangular.*square"):
        fg.linalg.solve_triangular(fg.ones((2, 3)), fg.ones((2, 1)), upper=True)
    with pytest.raises(ValueError, match="lu_solve.*'pivots'"):
        fg.linalg.lu_solve(fg.eye(3), fg.tensor(np.array([1, 2], dtype=np.int32)), fg.ones((3, 1)))
    with pytest.raises(ValueError, match="lu_unpack.*'pivots'"):
        fg.lu_unpack(fg.eye(3), fg.tensor(np.array([0, 2, 3], dtype=np.int32)))
    with pytest.raises(TypeError, match="lu_unpack.*integer"):
        fg.lu_unpack(fg.eye(3), fg.ones(3))
    with pytest.raises(ValueError, match="cond.*'p'"):
        fg.linalg.cond(fg.eye(2), p=3)
    with pytest.raises(ValueError, match="vander.*'N'"):
        fg.linalg.vander(fg.ones(3), N=1)
    with pytest.raises(ValueError, match="tensorinv"):
        fg.linalg.tensorinv(fg.ones((2, 3, 4)), ind=1)
    with pytest.raises(ValueError, match="tensorsolve"):
        fg.linalg.tensorsolve(fg.ones((2, 3, 4)), fg.ones(2))
    with pytest.raises(ValueError, match="householder_product.*'tau'"):
        fg.linalg.householder_product(fg.ones((4, 3)), fg.ones(4))
    with pytest.raises(ValueError, match="cholesky_solve.*'B'"):
        fg.cholesky_solve(fg.ones(3), fg.eye(3))
    with pytest.raises(ValueError, match="geqrf"):
        fg.geqrf(fg.ones(3))
    with pytest.raises(ValueError, match="ormqr"):
        fg.ormqr(fg.ones((4, 3)), fg.ones(3), fg.ones((5, 2)))


def test_svd_without_vectors_and_full_shapes_are_pytorchs(rng):
    torch = pytest.importorskip("torch")
    a = rng.standard_normal((2, 4, 3))
    for kwargs in (dict(compute_uv=False), dict(some=False)):
        mine, theirs = fg.svd(fg.tensor(a), **kwargs), torch.svd(torch.tensor(a), **kwargs)
        assert [m.shape for m in mine] == [tuple(t.shape) for t in theirs]
        np.testing.assert_allclose(mine.S.numpy(), theirs.S.numpy(), **TOL)
    assert not fg.svd(fg.tensor(a), compute_uv=False).U.numpy().any()


def test_geqrf_matches_lapack(rng):
    torch = pytest.importorskip("torch")
    for shape in [(5, 3), (2, 3, 3), (3, 5), (4, 0)]:
        a = rng.standard_normal(shape)
        mine, theirs = fg.geqrf(fg.tensor(a)), torch.geqrf(torch.tensor(a))
        np.testing.assert_allclose(mine.a.numpy(), theirs.a.numpy(), **TOL)
        np.testing.assert_allclose(mine.tau.numpy(), theirs.tau.numpy(), **TOL)


def test_methods_exist_as_in_pytorch():
    for name in ["svd", "qr", "lu", "lu_solve", "cholesky_solve", "cholesky_inverse", "triangular_solve",
                 "matrix_power", "geqrf", "orgqr", "ormqr"]:
        assert callable(getattr(fg.Tensor, name)), name
    for name in ["solve_triangular", "lu_factor", "lu_factor_ex", "lu", "lu_solve", "cholesky_ex", "inv_ex",
                 "solve_ex", "matrix_exp", "cond", "diagonal", "vander", "tensorinv", "tensorsolve",
                 "householder_product"]:
        assert name in fg.linalg.__all__, name


# ---- LDL^T (Bunch-Kaufman) ----------------------------------------------------------------------

def _symmetric_cases(rng):
    """Symmetric matrices that take every pivoting branch: definite, indefinite with small or
    zero diagonals (2x2 blocks), batched."""
    cases = []
    for n in (1, 2, 3, 5, 8):
        a = rng.standard_normal((n, n))
        cases += [a + a.T, a @ a.T + n * np.eye(n)]
        b = a + a.T
        b[np.diag_indices(n)] *= 0.01
        cases.append(b)
        b = a + a.T
        b[np.diag_indices(n)] = 0
        cases.append(b)
    batch = rng.standard_normal((2, 3, 4, 4))
    cases.append(batch + batch.swapaxes(-1, -2))
    return cases


def test_ldl_factor_and_solve_match_lapacks(rng):
    torch = pytest.importorskip("torch")
    for a in _symmetric_cases(rng):
        LD, pivots, info = fg.linalg.ldl_factor_ex(fg.tensor(a))
        LDt, pivots_t, info_t = torch.linalg.ldl_factor_ex(torch.tensor(a))
        np.testing.assert_array_equal(pivots.numpy(), pivots_t.numpy())
        np.testing.assert_array_equal(info.numpy(), info_t.numpy())
        assert pivots.dtype == info.dtype == np.int32
        np.testing.assert_allclose(LD.numpy(), LDt.numpy(), rtol=1e-10, atol=1e-12)
        if not info.numpy().any():
            b = rng.standard_normal(a.shape[:-1] + (2,))
            x = fg.linalg.ldl_solve(LD, pivots, fg.tensor(b))
            np.testing.assert_allclose(x.numpy(), torch.linalg.ldl_solve(LDt, pivots_t, torch.tensor(b)).numpy(),
                                       rtol=1e-9, atol=1e-10)
            np.testing.assert_allclose(a @ x.numpy(), b, rtol=1e-8, atol=1e-8)


def test_ldl_reads_the_lower_triangle_broadcasts_and_keeps_float32(rng):
    a = rng.standard_normal((4, 4))
    a = a + a.T
    scrambled = a.copy()
    scrambled[np.triu_indices(4, 1)] = 100.0
    np.testing.assert_array_equal(fg.linalg.ldl_factor(fg.tensor(scrambled)).LD.numpy(),
                                  fg.linalg.ldl_factor(fg.tensor(a)).LD.numpy())
    LD, pivots = fg.linalg.ldl_factor(fg.tensor(a))
    b = rng.standard_normal((3, 4, 2))
    np.testing.assert_allclose(fg.linalg.ldl_solve(LD, pivots, fg.tensor(b)).numpy(), np.linalg.solve(a, b), rtol=1e-9)
    single = fg.linalg.ldl_factor(fg.tensor(a.astype(np.float32)))
    assert single.LD.dtype == np.float32
    x = fg.linalg.ldl_solve(*single, fg.tensor(b[0].astype(np.float32)))
    assert x.dtype == np.float32
    np.testing.assert_allclose(x.numpy(), np.linalg.solve(a, b[0]), rtol=1e-3, atol=1e-4)
    assert fg.linalg.ldl_factor(fg.zeros((0, 3, 3))).LD.shape == (0, 3, 3)


def test_ldl_errors():
    with pytest.raises(fg.linalg.LinAlgError, match="ldl_factor"):
        fg.linalg.ldl_factor(fg.zeros((2, 2)))
    with pytest.raises(fg.linalg.LinAlgError, match="ldl_factor_ex"):
        fg.linalg.ldl_factor_ex(fg.zeros((2, 2)), check_errors=True)
    LD, pivots = fg.linalg.ldl_factor(fg.eye(3))
    with pytest.raises(ValueError, match="ldl_solve.*'B'"):
        fg.linalg.ldl_solve(LD, pivots, fg.ones((2, 1)))
    with pytest.raises(ValueError, match="ldl_solve.*'pivots'"):
        fg.linalg.ldl_solve(LD, fg.ones(3), fg.ones((3, 1)))
    with pytest.raises(ValueError, match="ldl_solve.*'pivots'"):
        fg.linalg.ldl_solve(LD, fg.tensor(np.array([1, 2, 7], dtype=np.int32)), fg.ones((3, 1)))
    with pytest.raises(ValueError, match="ldl_factor_ex.*square"):
        fg.linalg.ldl_factor_ex(fg.ones((2, 3)))


# ---- the other older names ------------------------------------------------------------------------

NORM_CASES = [
    ("frobenius_norm", lambda t, x: t.frobenius_norm(x, (1, 2)), [(2, 3, 4)]),
    ("frobenius_norm_keepdim", lambda t, x: t.frobenius_norm(x, (0,), True), [(3, 4)]),
    ("nuclear_norm", lambda t, x: t.nuclear_norm(x), [(3, 4)]),
    ("nuclear_norm_keepdim", lambda t, x: t.nuclear_norm(x, True), [(4, 3)]),
    ("nuclear_norm_dim", lambda t, x: t.nuclear_norm(x, (0, 2)), [(3, 2, 4)]),
    ("chain_matmul", lambda t, a, b, c: t.chain_matmul(a, b, c), [(2, 3), (3, 4), (4, 2)]),
]


@pytest.mark.parametrize("case", NORM_CASES, ids=[c[0] for c in NORM_CASES])
def test_older_norms_and_products_match_pytorch(case, rng):
    torch = pytest.importorskip("torch")
    _, f, shapes = case
    arrays = _arrays(shapes, rng)
    check_against_torch(torch, _bound(f, fg), _bound(f, torch), arrays, rng, TOL)
    assert fg.gradcheck(_bound(f, fg), [fg.tensor(a, requires_grad=True) for a in arrays])


def test_removed_methods_raise_as_in_pytorch():
    for name, hint in [("eig", "linalg.eig"), ("symeig", "linalg.eigh"), ("lstsq", "linalg.lstsq")]:
        with pytest.raises(RuntimeError, match=f"{name}.*removed.*{hint}"):
            getattr(fg.eye(2), name)(fg.eye(2)) if name == "lstsq" else getattr(fg.eye(2), name)()
    with pytest.raises(ValueError, match="nuclear_norm.*2-D"):
        fg.nuclear_norm(fg.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="frobenius_norm.*'dim'"):
        fg.frobenius_norm(fg.ones((2, 2, 2)), (0, 1, 2))


def test_cond_of_singular_and_empty_matrices_is_pytorchs():
    torch = pytest.importorskip("torch")
    singular = np.array([[[1.0, 2.0], [2.0, 4.0]], [[1.0, 0.0], [0.0, 2.0]]])
    for p in (None, 2, -2, "fro", "nuc", np.inf, -np.inf, 1, -1):
        for a in (singular, np.zeros((2, 2)), np.zeros((2, 0, 0)), np.zeros((0, 3, 3))):
            mine, theirs = fg.linalg.cond(fg.tensor(a), p).numpy(), torch.linalg.cond(torch.tensor(a), p).numpy()
            assert mine.shape == theirs.shape
            if p in (None, 2, -2) and a is singular:   # s_min is 0 or a rounding error: inf or ~1e16
                assert mine[0] >= 1e15 and theirs[0] >= 1e15 if p != -2 else mine[0] <= 1e-15 and theirs[0] <= 1e-15
                mine, theirs = mine[1:], theirs[1:]
            np.testing.assert_array_equal(np.isnan(mine), np.isnan(theirs))
            np.testing.assert_allclose(mine[~np.isnan(mine)], theirs[~np.isnan(theirs)], rtol=1e-6)


# ---- lobpcg (the converged result, from a dense eigendecomposition) ---------------------------------

def _spd_array(rng, shape, shift):
    m = rng.standard_normal(shape)
    return m @ m.swapaxes(-1, -2) + shift * np.eye(shape[-1])


@pytest.mark.parametrize("kwargs", [dict(k=2), dict(k=2, largest=False), dict(k=3), dict(), dict(n=2, k=1)],
                         ids=["k2", "smallest", "k3", "default", "n"])
def test_lobpcg_matches_pytorchs_converged_result(kwargs, rng):
    torch = pytest.importorskip("torch")
    a = _spd_array(rng, (2, 9, 9), 1.0)
    E, X = fg.lobpcg(fg.tensor(a), **kwargs)
    Et, Xt = torch.lobpcg(torch.tensor(a), **kwargs)
    np.testing.assert_allclose(E.numpy(), Et.numpy(), rtol=1e-9)
    # PyTorch iterates to about 1e-8; the eigenvectors' signs are arbitrary
    np.testing.assert_allclose(np.abs(X.numpy()), np.abs(Xt.numpy()), atol=1e-6)
    leaf, leaf_t = fg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    w = rng.standard_normal(E.shape)
    (fg.lobpcg(leaf, **kwargs)[0] * fg.tensor(w)).sum().backward()
    (torch.lobpcg(leaf_t, **kwargs)[0] * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(leaf.grad.numpy(), leaf_t.grad.numpy(), atol=1e-6)


def test_lobpcg_generalized_problem_and_gradients(rng):
    torch = pytest.importorskip("torch")
    a, b = _spd_array(rng, (9, 9), 1.0), _spd_array(rng, (9, 9), 9.0)
    E, X = fg.lobpcg(fg.tensor(a), k=2, B=fg.tensor(b), X=fg.zeros((9, 2)))
    Et, _ = torch.lobpcg(torch.tensor(a), k=2, B=torch.tensor(b))
    np.testing.assert_allclose(E.numpy(), Et.numpy(), rtol=1e-9)
    np.testing.assert_allclose(X.numpy().T @ b @ X.numpy(), np.eye(2), atol=1e-12)
    np.testing.assert_allclose(a @ X.numpy(), b @ X.numpy() * E.numpy(), atol=1e-10)

    # symmetric parametrizations, so that central differences move A and B within their domain
    def values(p, q):
        return fg.lobpcg(p + p.mT + fg.tensor(20 * np.eye(9)), k=2, B=q @ q.mT + fg.tensor(9 * np.eye(9)))[0]

    def vectors_squared(p):
        return fg.lobpcg(p + p.mT + fg.tensor(np.diag(np.arange(9.0)) * 5), k=2)[1] ** 2

    p, q = rng.standard_normal((9, 9)), rng.standard_normal((9, 9))
    assert fg.gradcheck(values, [fg.tensor(p, requires_grad=True), fg.tensor(q, requires_grad=True)])
    assert fg.gradcheck(vectors_squared, [fg.tensor(p, requires_grad=True)])


def test_lobpcg_refuses_what_pytorch_refuses():
    with pytest.raises(ValueError, match="lobpcg.*3 x"):
        fg.lobpcg(fg.eye(9), k=4)
    with pytest.raises(ValueError, match="lobpcg.*'A'"):
        fg.lobpcg(fg.ones((3, 4)))
    with pytest.raises(ValueError, match="lobpcg.*'k'"):
        fg.lobpcg(fg.eye(9), k=0)
