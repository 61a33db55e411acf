"""fastgrad.linalg against torch.linalg: float64 values and input gradients over shapes (batches,
empty where PyTorch allows), central differences, and bad arguments."""
import numpy as np
import pytest

import fastgrad as fg
from torch_parity import check_against_torch

TOL = dict(rtol=1e-9, atol=1e-11)


def _spd(t, x):
    """A symmetric positive-definite matrix made from x (either library)."""
    n = x.shape[-1]
    return x @ x.mT + n * t.eye(n, dtype=x.dtype)


def _both(name, *args, prepare=None, pick=None, **kwargs):
    def make(t):
        def run(*xs):
            if prepare is not None:
                xs = (prepare(t, xs[0]),) + tuple(xs[1:])
            out = getattr(t.linalg, name)(*xs, *args, **kwargs)
            return out if pick is None else pick(out)

        return run

    return make


# (id, function maker, input shapes)
CASES = [
    ("vector_norm", _both("vector_norm"), [(3, 4)]),
    ("vector_norm_dim", _both("vector_norm", 1, 1), [(3, 4)]),
    ("vector_norm_inf", _both("vector_norm", float("inf"), (0, 2), True), [(3, 4, 2)]),
    ("vector_norm_-inf", _both("vector_norm", -float("inf"), -1), [(3, 4)]),
    ("vector_norm_3.5", _both("vector_norm", 3.5, (0, 1)), [(3, 4)]),
    ("vector_norm_0d", _both("vector_norm"), [()]),
    ("vector_norm_empty", _both("vector_norm", 2, 1), [(3, 0)]),
    ("matrix_norm_fro", _both("matrix_norm"), [(2, 3, 4)]),
    ("matrix_norm_nuc", _both("matrix_norm", "nuc"), [(3, 4)]),
    ("matrix_norm_1", _both("matrix_norm", 1, (0, 2)), [(3, 2, 4)]),
    ("matrix_norm_-inf", _both("matrix_norm", -float("inf"), keepdim=True), [(2, 3, 4)]),
    ("matrix_norm_2", _both("matrix_norm", 2), [(4, 3)]),
    ("matrix_norm_-2", _both("matrix_norm", -2), [(2, 3, 3)]),
    ("norm", _both("norm"), [(2, 3, 4)]),
    ("norm_vec_ord", _both("norm", 3), [(5,)]),
    ("norm_mat_ord", _both("norm", "nuc"), [(3, 4)]),
    ("norm_dim_int", _both("norm", None, 1, True), [(3, 4)]),
    ("norm_dim_pair", _both("norm", 1, (1, 0)), [(3, 4)]),
    ("inv", _both("inv"), [(3, 3)]),
    ("inv_batch", _both("inv"), [(2, 4, 4)]),
    ("inv_empty_batch", _both("inv"), [(0, 3, 3)]),
    ("det", _both("det"), [(2, 3, 3)]),
    ("slogdet", _both("slogdet", pick=lambda r: r.logabsdet), [(3, 3)]),
    ("matrix_power_3", _both("matrix_power", 3), [(3, 3)]),
    ("matrix_power_-2", _both("matrix_power", -2), [(2, 3, 3)]),
    ("solve_matrix", _both("solve"), [(3, 3), (3, 2)]),
    ("solve_vector", _both("solve"), [(3, 3), (3,)]),
    ("solve_batch_of_vectors", _both("solve"), [(2, 3, 3), (2, 3)]),
    ("solve_broadcast", _both("solve"), [(2, 3, 3), (3, 4)]),
    ("solve_right", _both("solve", left=False), [(3, 3), (2, 3)]),
    ("cholesky", _both("cholesky", prepare=_spd), [(3, 3)]),
    ("cholesky_upper", _both("cholesky", prepare=_spd, upper=True), [(2, 4, 4)]),
    ("eigh_values", _both("eigh", prepare=_spd, pick=lambda r: r.eigenvalues), [(4, 4)]),
    ("eigh_vectors_squared", _both("eigh", prepare=_spd, pick=lambda r: r.eigenvectors ** 2), [(2, 3, 3)]),
    ("eigh_upper", _both("eigh", "U", pick=lambda r: r.eigenvalues), [(3, 3)]),
    ("eigvalsh", _both("eigvalsh", prepare=_spd), [(3, 3)]),
    ("svd_values", _both("svd", False, pick=lambda r: r.S), [(4, 3)]),
    ("svd_square_uv", _both("svd", pick=lambda r: r.U @ r.Vh), [(3, 3)]),
    ("svd_reduced_abs_u", _both("svd", False, pick=lambda r: r.U.abs()), [(2, 5, 3)]),
    ("svdvals", _both("svdvals"), [(3, 5)]),
    ("qr_q", _both("qr", pick=lambda r: r.Q), [(5, 3)]),
    ("qr_r", _both("qr", pick=lambda r: r.R), [(2, 4, 4)]),
    ("qr_wide_q", _both("qr", pick=lambda r: r.Q), [(3, 5)]),
    ("qr_wide_r", _both("qr", pick=lambda r: r.R), [(2, 3, 5)]),
    ("qr_complete_wide", _both("qr", "complete", pick=lambda r: r.R), [(2, 4)]),
    ("pinv_tall", _both("pinv"), [(5, 3)]),
    ("pinv_wide_batch", _both("pinv"), [(2, 3, 4)]),
    ("pinv_atol", _both("pinv", atol=0.5), [(4, 4)]),
    ("lstsq_tall", _both("lstsq", pick=lambda r: r.solution), [(6, 3), (6, 2)]),
    ("lstsq_vector", _both("lstsq", pick=lambda r: r.solution), [(5, 3), (5,)]),
    ("matmul", _both("matmul"), [(2, 3, 4), (4, 5)]),
    ("multi_dot", lambda t: lambda a, b, c: t.linalg.multi_dot([a, b, c]), [(3, 4), (4, 2), (2,)]),
    ("cross", _both("cross"), [(4, 3), (1, 3)]),
    ("cross_dim", _both("cross", dim=0), [(3, 2), (3, 2)]),
    ("vecdot", _both("vecdot"), [(3, 4), (4,)]),
    ("vecdot_dim", _both("vecdot", dim=0), [(3, 4), (3, 4)]),
]


def _arrays(shapes, rng):
    return [rng.standard_normal(s) for s in shapes]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_values_and_gradients_match_pytorch(case, rng):
    torch = pytest.importorskip("torch")
    _, make, shapes = case
    check_against_torch(torch, make(fg), make(torch), _arrays(shapes, rng), rng, TOL)


# eigh_upper reads one triangle of a non-symmetric input and gives PyTorch's symmetric gradient,
# which is not the derivative along non-symmetric directions that central differences take.
GRADCHECK = [c for c in CASES if all(np.prod(s) for s in c[2]) and c[0] != "eigh_upper"]


@pytest.mark.parametrize("case", GRADCHECK, ids=[c[0] for c in GRADCHECK])
def test_gradients_match_central_differences(case, rng):
    _, make, shapes = case
    assert fg.gradcheck(make(fg), [fg.tensor(a, requires_grad=True) for a in _arrays(shapes, rng)])


def test_qr_factors_and_second_derivative_match_pytorch(rng):
    torch = pytest.importorskip("torch")
    a = rng.standard_normal((5, 3))
    q, r = fg.linalg.qr(fg.tensor(a))
    qt, rt = torch.linalg.qr(torch.tensor(a))
    np.testing.assert_allclose(q.numpy(), qt.numpy(), **TOL)
    np.testing.assert_allclose(r.numpy(), rt.numpy(), **TOL)
    w = rng.standard_normal((5, 3))
    x = fg.tensor(a, requires_grad=True)
    (g,) = fg.autograd.grad((fg.linalg.qr(x).Q * fg.tensor(w)).sum(), [x], create_graph=True)
    (h,) = fg.autograd.grad((g * g).sum(), [x])
    xt = torch.tensor(a, requires_grad=True)
    (gt,) = torch.autograd.grad((torch.linalg.qr(xt).Q * torch.tensor(w)).sum(), [xt], create_graph=True)
    (ht,) = torch.autograd.grad((gt * gt).sum(), [xt])
    np.testing.assert_allclose(h.numpy(), ht.numpy(), rtol=1e-8, atol=1e-10)


def test_results_are_named_as_pytorchs(rng):
    a = fg.tensor(rng.standard_normal((3, 3)))
    assert fg.linalg.qr(a)._fields == ("Q", "R")
    assert fg.linalg.svd(a)._fields == ("U", "S", "Vh")
    assert fg.linalg.slogdet(a)._fields == ("sign", "logabsdet")
    assert fg.linalg.eigh(a)._fields == ("eigenvalues", "eigenvectors")
    assert fg.linalg.lstsq(a, a)._fields == ("solution", "residuals", "rank", "singular_values")
    import fastgrad.linalg as linalg_module
    from fastgrad.linalg import vector_norm

    assert linalg_module is fg.linalg and vector_norm is fg.linalg.vector_norm


def test_non_square_full_svd_and_complete_qr_without_gradient_match_pytorch(rng):
    torch = pytest.importorskip("torch")
    a = rng.standard_normal((5, 3))
    u, s, vh = fg.linalg.svd(fg.tensor(a))
    ut, st, vht = torch.linalg.svd(torch.tensor(a))
    assert u.shape == (5, 5) and vh.shape == (3, 3)
    np.testing.assert_allclose(np.abs(u.numpy()), np.abs(ut.numpy()), **TOL)
    np.testing.assert_allclose(s.numpy(), st.numpy(), **TOL)
    q, r = fg.linalg.qr(fg.tensor(a), mode="complete")
    qt, rt = torch.linalg.qr(torch.tensor(a), mode="complete")
    assert q.shape == (5, 5)
    np.testing.assert_allclose(np.abs(q.numpy()), np.abs(qt.numpy()), **TOL)
    np.testing.assert_allclose(r.numpy(), rt.numpy(), **TOL)
    q, r = fg.linalg.qr(fg.tensor(a), mode="r")
    assert q.shape == (0,)
    np.testing.assert_allclose(r.numpy(), torch.linalg.qr(torch.tensor(a), mode="r").R.numpy(), **TOL)
    x = fg.tensor(a, requires_grad=True)    # PyTorch refuses R's gradient in mode 'r'; it is the reduced one's
    (fg.linalg.qr(x, mode="r").R ** 2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * a, **TOL)   # |R|^2 = |A|^2


def test_eig_is_complex_and_its_gradient_matches_pytorch(rng):
    torch = pytest.importorskip("torch")
    a = rng.standard_normal((3, 3))
    x, xt = fg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    w, wt = fg.linalg.eigvals(x), torch.linalg.eigvals(xt)
    assert w.dtype == np.complex128
    order, order_t = np.argsort(w.numpy()), np.argsort(wt.detach().numpy())
    np.testing.assert_allclose(w.numpy()[order], wt.detach().numpy()[order_t], **TOL)
    fg.numpy.real(w * w.conj()).sum().backward()
    (wt * wt.conj()).real.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), **TOL)


@pytest.mark.parametrize("kwargs", [{}, dict(atol=1.0), dict(rtol=0.3), dict(atol=0.1, rtol=0.2), dict(hermitian=True)])
def test_matrix_rank_matches_pytorch(kwargs, rng):
    torch = pytest.importorskip("torch")
    low = rng.standard_normal((2, 5, 2)) @ rng.standard_normal((2, 2, 5)) + 0.01 * rng.standard_normal((2, 5, 5))
    low = low + np.swapaxes(low, -1, -2)
    mine = fg.linalg.matrix_rank(fg.tensor(low), **kwargs)
    theirs = torch.linalg.matrix_rank(torch.tensor(low), **kwargs)
    np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
    assert mine.dtype == np.int64


@pytest.mark.parametrize("driver", [None, "gelsy", "gelsd", "gelss", "gels"])
def test_lstsq_fields_match_pytorch(driver, rng):
    torch = pytest.importorskip("torch")
    a, b = rng.standard_normal((6, 3)), rng.standard_normal((6, 2))
    mine = fg.linalg.lstsq(fg.tensor(a), fg.tensor(b), driver=driver)
    theirs = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
    for name in ("solution", "residuals", "rank", "singular_values"):
        m, t = getattr(mine, name), getattr(theirs, name)
        assert m.shape == tuple(t.shape), name
        np.testing.assert_allclose(m.numpy(), t.numpy(), **TOL)


def test_lstsq_rank_deficient_gives_the_minimum_norm_solution(rng):
    a = rng.standard_normal((5, 2)) @ rng.standard_normal((2, 4))
    b = rng.standard_normal((5, 1))
    got = fg.linalg.lstsq(fg.tensor(a), fg.tensor(b), driver="gelsd")
    np.testing.assert_allclose(got.solution.numpy(), np.linalg.lstsq(a, b, rcond=None)[0], **TOL)
    assert int(got.rank) == 2


def test_vector_norm_gradient_at_zero_is_zero_as_pytorchs():
    x = fg.zeros(3, dtype=fg.float64, requires_grad=True)
    fg.linalg.vector_norm(x).backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros(3))


@pytest.mark.parametrize("call, error, words", [
    (lambda: fg.linalg.inv(fg.zeros(3)), ValueError, "linalg.inv: argument 'A' must be a matrix"),
    (lambda: fg.linalg.det(fg.zeros(2, 3)), ValueError, "linalg.det: argument 'A' must be square"),
    (lambda: fg.linalg.inv(fg.tensor([[1, 2], [3, 4]])), TypeError, "linalg.inv: argument 'A' must be a floating"),
    (lambda: fg.linalg.solve(fg.eye(3), fg.zeros(2)), ValueError, "linalg.solve: A of shape (3, 3) and B"),
    (lambda: fg.linalg.vector_norm(fg.zeros(3), "fro"), ValueError, "linalg.vector_norm: argument 'ord'"),
    (lambda: fg.linalg.vector_norm(fg.zeros(0), -1), ValueError, "linalg.vector_norm: a norm of order -1"),
    (lambda: fg.linalg.matrix_norm(fg.zeros(3, 3), 3), ValueError, "linalg.matrix_norm: argument 'ord'"),
    (lambda: fg.linalg.matrix_norm(fg.zeros(3, 3), dim=(0,)), ValueError, "linalg.matrix_norm: argument 'dim'"),
    (lambda: fg.linalg.matrix_norm(fg.zeros(3, 3), dim=(1, -1)), ValueError, "linalg.matrix_norm: the two dims"),
    (lambda: fg.linalg.norm(fg.zeros(2, 2, 2), 2), ValueError, "linalg.norm: with ord=2 and no dim"),
    (lambda: fg.linalg.eigh(fg.eye(2), "X"), ValueError, "linalg.eigh: argument 'UPLO'"),
    (lambda: fg.linalg.matrix_power(fg.eye(2), 1.5), TypeError, "linalg.matrix_power: argument 'n'"),
    (lambda: fg.linalg.svd(fg.zeros(3, 2, requires_grad=True)), ValueError, "linalg.svd: full_matrices=True"),
    (lambda: fg.linalg.svd(fg.eye(2), driver="gesvd"), ValueError, "linalg.svd: argument 'driver'"),
    (lambda: fg.linalg.qr(fg.eye(2), "full"), ValueError, "linalg.qr: argument 'mode'"),
    (lambda: fg.linalg.qr(fg.zeros(3, 2, requires_grad=True), "complete"), ValueError,
     "linalg.qr: mode='complete'"),
    (lambda: fg.linalg.pinv(fg.eye(2), atol="1"), TypeError, "linalg.pinv: argument 'atol'"),
    (lambda: fg.linalg.lstsq(fg.eye(3), fg.zeros(2, 1)), ValueError, "linalg.lstsq: A of shape (3, 3)"),
    (lambda: fg.linalg.lstsq(fg.eye(3), fg.zeros(3, 1), driver="x"), ValueError, "linalg.lstsq: argument 'driver'"),
    (lambda: fg.linalg.multi_dot([fg.eye(2)]), ValueError, "linalg.multi_dot: argument 'tensors'"),
])
def test_bad_arguments_are_refused_by_name(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


def test_numpy_pinv_takes_one_rcond_per_matrix_as_numpys(rng):
    a = rng.standard_normal((3, 4, 4))
    rcond = np.array([1e-15, 0.3, 0.9])
    got = fg.numpy.linalg.pinv(fg.tensor(a, requires_grad=True), rcond=rcond)
    np.testing.assert_allclose(got.numpy(), np.linalg.pinv(a, rcond=rcond), rtol=1e-10, atol=1e-12)
