"""fastgrad.special's Bessel, Airy, zeta, normal-tail functions and orthogonal polynomials against
torch.special: float64 and float32 values, gradients where PyTorch has them, central differences
(also for the Bessel derivatives PyTorch does not give), tails, edge values, batches, empty and
0-d input, and bad arguments."""
import numpy as np
import pytest

import fastgrad as fg
from torch_parity import check_against_torch

pytest.importorskip("scipy")
TOL = dict(rtol=1e-9, atol=1e-12)


def _uniform(low, high):
    return lambda rng, shape: rng.uniform(low, high, shape)


def _normal(rng, shape):
    return 3 * rng.standard_normal(shape)


# (name, input maker): PyTorch differentiates these
WITH_TORCH_GRADIENTS = [
    ("ndtri", _uniform(0.01, 0.99)),
    ("log_ndtr", _normal),
    ("erfcx", _normal),
    ("i0e", _normal),
    ("i1e", _normal),
]
# PyTorch gives these no gradient; fastgrad's is checked against central differences
WITHOUT_TORCH_GRADIENTS = [
    ("modified_bessel_i0", _normal),
    ("modified_bessel_i1", _normal),
    ("modified_bessel_k0", _uniform(0.1, 8)),
    ("modified_bessel_k1", _uniform(0.1, 8)),
    ("scaled_modified_bessel_k0", _uniform(0.1, 8)),
    ("scaled_modified_bessel_k1", _uniform(0.1, 8)),
    ("bessel_y0", _uniform(0.1, 8)),
    ("bessel_y1", _uniform(0.1, 8)),
    ("spherical_bessel_j0", _normal),
    ("airy_ai", _normal),
]
SHAPES = [(3, 4), (2, 1, 3), ()]
# PyTorch's Y0, Y1 and Ai are less accurate than SciPy's near their zeros (see
# test_values_are_accurate_where_pytorch_is_not), so they are compared more loosely.
LOOSE = {"bessel_y0", "bessel_y1", "airy_ai"}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name,make", WITH_TORCH_GRADIENTS, ids=[c[0] for c in WITH_TORCH_GRADIENTS])
def test_values_and_gradients_match_pytorch(name, make, shape, rng):
    torch = pytest.importorskip("torch")
    check_against_torch(torch, getattr(fg.special, name), getattr(torch.special, name), [make(rng, shape)], rng, TOL)


@pytest.mark.parametrize("name,make", WITH_TORCH_GRADIENTS + WITHOUT_TORCH_GRADIENTS,
                         ids=[c[0] for c in WITH_TORCH_GRADIENTS + WITHOUT_TORCH_GRADIENTS])
def test_gradients_match_central_differences(name, make, rng):
    x = (_uniform(-2, 5) if name == "erfcx" else make)(rng, (2, 3))   # erfcx(-x) grows as exp(x^2)
    if name in ("i0e", "i1e", "spherical_bessel_j0", "modified_bessel_i1"):
        x[0, 0] = 0.0   # the limits at 0 of their derivatives
    assert fg.gradcheck(getattr(fg.special, name), [fg.tensor(x, requires_grad=True)])


@pytest.mark.parametrize("name,make", WITHOUT_TORCH_GRADIENTS, ids=[c[0] for c in WITHOUT_TORCH_GRADIENTS])
def test_values_match_pytorch(name, make, rng):
    torch = pytest.importorskip("torch")
    x = make(rng, (4, 5))
    tol = dict(rtol=1e-4, atol=1e-6) if name in LOOSE else TOL
    np.testing.assert_allclose(getattr(fg.special, name)(fg.tensor(x)).numpy(),
                               getattr(torch.special, name)(torch.tensor(x)).numpy(), **tol)


@pytest.mark.parametrize("name", [c[0] for c in WITH_TORCH_GRADIENTS + WITHOUT_TORCH_GRADIENTS])
def test_float32_empty_and_edge_values_match_pytorch(name):
    torch = pytest.importorskip("torch")
    edges = np.array([0.0, -0.0, 1e-8, -1e-8, 0.5, 1.0, -1.0, 30.0, -30.0, 700.0, np.inf, -np.inf, np.nan])
    if name == "ndtri":
        edges = np.array([0.0, 1.0, 1e-300, 0.5, 1 - 1e-12, -0.5, 2.0, np.nan])
    mine = getattr(fg.special, name)(fg.tensor(edges)).numpy()
    theirs = getattr(torch.special, name)(torch.tensor(edges)).numpy()
    np.testing.assert_array_equal(np.isnan(mine), np.isnan(theirs))
    np.testing.assert_allclose(mine, theirs, rtol=1e-4 if name in LOOSE else 1e-12, atol=1e-300)
    single = edges[np.isfinite(edges)].astype(np.float32)
    mine32 = getattr(fg.special, name)(fg.tensor(single))
    assert mine32.dtype == np.float32
    np.testing.assert_allclose(mine32.numpy(), getattr(torch.special, name)(torch.tensor(single)).numpy(),
                               rtol=1e-4 if name in LOOSE else 2e-6, atol=1e-30)
    assert getattr(fg.special, name)(fg.zeros((0, 3))).shape == (0, 3)
    integers = getattr(fg.special, name)(fg.tensor([0, 1]))
    assert integers.dtype == np.float32 == getattr(torch.special, name)(torch.tensor([0, 1])).numpy().dtype


def test_tails_stay_accurate():
    torch = pytest.importorskip("torch")
    x = np.array([-1e4, -400.0, -40.0, -10.0, 5.0, 40.0])
    np.testing.assert_allclose(fg.special.log_ndtr(fg.tensor(x)).numpy(), torch.special.log_ndtr(torch.tensor(x)).numpy(),
                               rtol=1e-13)
    assert np.all(np.isfinite(fg.special.log_ndtr(fg.tensor(x)).numpy()))
    # log ndtr(x) ~ -x^2/2 - log(-x sqrt(2 pi)) far left
    far = fg.special.log_ndtr(fg.tensor([-1e4])).item()
    assert abs(far - (-1e8 / 2 - np.log(1e4 * np.sqrt(2 * np.pi)))) < 1e-6 * 1e8
    big = np.array([1e3, 1e6, 1e12])
    np.testing.assert_allclose(fg.special.erfcx(fg.tensor(big)).numpy(), 1 / (big * np.sqrt(np.pi)), rtol=1e-6)
    np.testing.assert_allclose(fg.special.erfcx(fg.tensor(big)).numpy(), torch.special.erfcx(torch.tensor(big)).numpy(),
                               rtol=1e-13)
    g = fg.tensor([-40.0, 20.0], dtype=fg.float64, requires_grad=True)
    fg.special.log_ndtr(g).sum().backward()
    gt = torch.tensor([-40.0, 20.0], dtype=torch.float64, requires_grad=True)
    torch.special.log_ndtr(gt).sum().backward()
    np.testing.assert_allclose(g.grad.numpy(), gt.grad.numpy(), rtol=1e-12)


def test_values_are_accurate_where_pytorch_is_not():
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 30
    for x in (-2.302132862361297, -1.2, 3.0):
        assert fg.special.airy_ai(fg.tensor([x], dtype=fg.float64)).item() == pytest.approx(float(mpmath.airyai(x)), rel=1e-13)
    for x in (7.1623259822143135, 0.5, 20.0):
        assert fg.special.bessel_y0(fg.tensor([x], dtype=fg.float64)).item() == pytest.approx(float(mpmath.bessely(0, x)), rel=1e-12)
        assert fg.special.bessel_y1(fg.tensor([x], dtype=fg.float64)).item() == pytest.approx(float(mpmath.bessely(1, x)), rel=1e-12)


def test_zeta_matches_pytorch(rng):
    torch = pytest.importorskip("torch")
    x, q = rng.uniform(1.5, 5, (3, 4)), rng.uniform(0.2, 4, (4,))
    mine = fg.tensor(q, requires_grad=True)
    theirs = torch.tensor(q, requires_grad=True)
    got, expected = fg.special.zeta(fg.tensor(x), mine), torch.special.zeta(torch.tensor(x), theirs)
    np.testing.assert_allclose(got.numpy(), expected.detach().numpy(), **TOL)
    got.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(mine.grad.numpy(), theirs.grad.numpy(), **TOL)
    assert fg.gradcheck(lambda q: fg.special.zeta(fg.tensor(x), q), [fg.tensor(q, requires_grad=True)])
    edges_x, edges_q = np.array([2.0, 0.5, 1.0, -1.0, 2.0, 2.0, 2.0]), np.array([1.0, 1.0, 2.0, 2.0, -1.0, 0.0, -1.5])
    np.testing.assert_allclose(fg.special.zeta(fg.tensor(edges_x), fg.tensor(edges_q)).numpy(),
                               torch.special.zeta(torch.tensor(edges_x), torch.tensor(edges_q)).numpy(), rtol=1e-12)
    for a, b in [(2.0, fg.tensor([1.0, 3.0])), (fg.tensor([2.0, 3.0]), 2), (fg.tensor(np.float32(3.0)), 2.0)]:
        ta = torch.tensor(a.numpy()) if isinstance(a, fg.Tensor) else a
        tb = torch.tensor(b.numpy()) if isinstance(b, fg.Tensor) else b
        got, expected = fg.special.zeta(a, b), torch.special.zeta(ta, tb)
        assert got.dtype == expected.numpy().dtype
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-6)


def test_zeta_has_no_gradient_in_x_as_pytorch():
    x = fg.tensor([3.0], requires_grad=True)
    with pytest.raises(NotImplementedError, match="zeta"):
        fg.special.zeta(x, 2.0).sum().backward()


POLYNOMIALS = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w",
               "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
               "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
               "laguerre_polynomial_l", "legendre_polynomial_p"]


@pytest.mark.parametrize("name", POLYNOMIALS)
def test_polynomials_match_pytorch(name, rng):
    torch = pytest.importorskip("torch")
    x = np.concatenate([rng.uniform(-1.3, 1.3, 8), [-1.0, 0.0, 1.0, 0.5]])[:, None]
    n = np.arange(-2, 30)
    mine = getattr(fg.special, name)(fg.tensor(x), fg.tensor(n)).numpy()
    theirs = getattr(torch.special, name)(torch.tensor(x), torch.tensor(n)).numpy()
    assert mine.shape == theirs.shape == (12, 32)
    np.testing.assert_allclose(mine, theirs, rtol=1e-10, atol=1e-10 * np.abs(theirs).max())
    # numbers on either side, a fractional degree (truncated), and a high degree
    for a, b in [(fg.tensor(x[:, 0]), 3), (fg.tensor(x[:, 0]), 2.7), (0.3, fg.tensor([0, 5, 33]))]:
        ta = torch.tensor(a.numpy()) if isinstance(a, fg.Tensor) else a
        tb = torch.tensor(b.numpy()) if isinstance(b, fg.Tensor) else b
        got, expected = getattr(fg.special, name)(a, b), getattr(torch.special, name)(ta, tb)
        assert got.dtype == expected.numpy().dtype
        # float32 results: PyTorch computes in single precision, fastgrad rounds double values
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-4,
                                   atol=2e-5 * max(1.0, np.abs(expected.numpy()).max()))


@pytest.mark.parametrize("name", POLYNOMIALS)
def test_polynomials_float32_empty_0d_and_no_gradient(name, rng):
    torch = pytest.importorskip("torch")
    f = getattr(fg.special, name)
    x32 = rng.uniform(-1, 1, (3, 4)).astype(np.float32)
    got = f(fg.tensor(x32), 4)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got.numpy(), getattr(torch.special, name)(torch.tensor(x32), 4).numpy(), rtol=1e-5,
                               atol=1e-5)
    assert f(fg.zeros((0, 2)), 3).shape == (0, 2)
    assert f(fg.tensor(0.25), 2).shape == ()
    leaf = fg.tensor(x32, requires_grad=True)
    assert not f(leaf, 3).requires_grad     # PyTorch's result carries no gradient either
    assert not getattr(torch.special, name)(torch.tensor(x32, requires_grad=True), 3).requires_grad
    noncontiguous = fg.tensor(rng.uniform(-1, 1, (4, 3))).mT
    np.testing.assert_allclose(f(noncontiguous, 5).numpy(), f(fg.tensor(noncontiguous.numpy().copy()), 5).numpy())


def test_polynomial_and_zeta_arguments_are_checked():
    with pytest.raises(TypeError, match="chebyshev_polynomial_t.*'n'"):
        fg.special.chebyshev_polynomial_t(fg.ones(2), "3")
    with pytest.raises(TypeError, match="legendre_polynomial_p.*'input'"):
        fg.special.legendre_polynomial_p(fg.tensor([1 + 2j]), 2)
    with pytest.raises(TypeError, match="ndtri.*'input'"):
        fg.special.ndtri(fg.tensor([1 + 2j]))
    with pytest.raises(TypeError, match="zeta.*'other'"):
        fg.special.zeta(fg.ones(2), fg.tensor([1j, 2j]))


def test_second_derivative_of_log_ndtr_matches_pytorch(rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal(5) * 4
    mine = fg.tensor(x, requires_grad=True)
    (g,) = fg.autograd.grad(fg.special.log_ndtr(mine).sum(), [mine], create_graph=True)
    g.sum().backward()
    theirs = torch.tensor(x, requires_grad=True)
    (gt,) = torch.autograd.grad(torch.special.log_ndtr(theirs).sum(), [theirs], create_graph=True)
    gt.sum().backward()
    np.testing.assert_allclose(mine.grad.numpy(), theirs.grad.numpy(), rtol=1e-10)


def test_top_level_special_aliases_match_pytorch(rng):
    torch = pytest.importorskip("torch")
    a, x = rng.uniform(0.5, 3, (3, 4)), rng.uniform(0.1, 4, (3, 4))
    for name in ("igamma", "igammac"):
        mine, theirs = fg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        got, expected = getattr(fg, name)(fg.tensor(a), mine), getattr(torch, name)(torch.tensor(a), theirs)
        np.testing.assert_allclose(got.numpy(), expected.detach().numpy(), **TOL)
        got.sum().backward()
        expected.sum().backward()
        np.testing.assert_allclose(mine.grad.numpy(), theirs.grad.numpy(), rtol=1e-8, atol=1e-12)
        np.testing.assert_allclose(getattr(fg.tensor(a), name)(fg.tensor(x)).numpy(), expected.detach().numpy(), **TOL)
    y = rng.uniform(1.5, 4, (5,))
    np.testing.assert_allclose(fg.mvlgamma(fg.tensor(y), 3).numpy(), torch.mvlgamma(torch.tensor(y), 3).numpy(), **TOL)
    np.testing.assert_allclose(fg.tensor(y).mvlgamma(p=2).numpy(), torch.tensor(y).mvlgamma(p=2).numpy(), **TOL)
    # float32 stays float32 (SciPy computes these two in double)
    y32 = y.astype(np.float32)
    assert fg.mvlgamma(fg.tensor(y32), 2).dtype == np.float32
    assert fg.special.polygamma(2, fg.tensor(y32)).dtype == np.float32
    # in-place forms
    for name, args in [("igamma_", (fg.tensor(x[0]),)), ("igammac_", (fg.tensor(x[0]),)), ("mvlgamma_", (2,)),
                       ("polygamma_", (1,))]:
        mine, theirs = fg.tensor(y[:4].copy()), torch.tensor(y[:4].copy())
        targs = tuple(torch.tensor(v.numpy()) if isinstance(v, fg.Tensor) else v for v in args)
        assert getattr(mine, name)(*args) is mine
        getattr(theirs, name)(*targs)
        np.testing.assert_allclose(mine.numpy(), theirs.numpy(), **TOL)
