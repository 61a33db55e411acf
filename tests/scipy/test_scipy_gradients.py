"""fastgrad.scipy: SciPy's values, derivatives checked numerically to second order."""
import numpy as onp
import pytest

pytest.importorskip("scipy")
import scipy.integrate  # noqa: E402
import scipy.signal  # noqa: E402
import scipy.special  # noqa: E402
import scipy.stats  # noqa: E402

import fastgrad.numpy as np  # noqa: E402
import fastgrad.scipy.signal as signal  # noqa: E402
import fastgrad.scipy.special as special  # noqa: E402
import fastgrad.scipy.stats as stats  # noqa: E402
from fastgrad import grad  # noqa: E402
from fastgrad.test_util import check_grads  # noqa: E402

rng = onp.random.RandomState(0)
positive = rng.rand(4) * 2 + 0.5
unit = rng.rand(4) * 0.8 + 0.1


@pytest.mark.parametrize("name, x", [
    ("gamma", positive), ("gammaln", positive), ("digamma", positive), ("rgamma", positive),
    ("erf", unit), ("erfc", unit), ("erfinv", unit), ("erfcinv", unit), ("expit", unit), ("logit", unit),
    ("i0", positive), ("i1", positive), ("j0", positive), ("j1", positive), ("y0", positive), ("y1", positive),
])
def test_unary_special_functions(name, x):
    fun = getattr(special, name)
    onp.testing.assert_allclose(fun(x), getattr(scipy.special, name)(x))
    check_grads(fun, modes=["rev"])(x)


@pytest.mark.parametrize("fun, argnum, args", [
    (special.polygamma, 1, (1, positive)), (special.jn, 1, (2, positive)), (special.yn, 1, (2, positive)),
    (special.iv, 1, (1.5, positive)), (special.ive, 1, (1.5, positive)), (special.beta, (0, 1), (positive, unit + 1)),
    (special.betaln, (0, 1), (positive, unit + 1)), (special.betainc, 2, (positive, positive, unit)),
    (special.gammainc, 1, (2.0, positive)), (special.gammaincc, 1, (2.0, positive)),
    (special.multigammaln, 0, (positive + 3, 3)),
])
def test_special_functions_of_several_arguments(fun, argnum, args):
    check_grads(fun, argnum, modes=["rev"])(*args)


@pytest.mark.parametrize("options", [dict(), dict(axis=0), dict(axis=1, keepdims=True),
                                     dict(b=onp.exp(rng.randn(2, 3)), axis=1)])
def test_logsumexp(options):
    x = rng.randn(2, 3)
    onp.testing.assert_allclose(special.logsumexp(x, **options), scipy.special.logsumexp(x, **options))
    check_grads(lambda x: special.logsumexp(x, **options))(x)


@pytest.mark.parametrize("module, fun, args, argnum", [
    ("norm", "logpdf", (rng.randn(4), rng.randn(4), positive), (0, 1, 2)),
    ("norm", "cdf", (rng.randn(4), rng.randn(4), positive), (0, 1, 2)),
    ("norm", "logcdf", (rng.randn(4), rng.randn(4), positive), (0, 1, 2)),
    ("norm", "logsf", (rng.randn(4), rng.randn(4), positive), (0, 1, 2)),
    ("t", "logpdf", (rng.randn(4), positive + 2, rng.randn(4), positive), (0, 1, 2, 3)),
    ("t", "cdf", (rng.randn(4), positive + 2, rng.randn(4), positive), (0, 2)),
    ("beta", "logpdf", (unit, positive, positive + 1), (0, 1, 2)),
    ("beta", "cdf", (unit, positive, positive + 1), (0,)),
    ("gamma", "logpdf", (positive, positive + 1), (0, 1)),
    ("chi2", "logpdf", (positive, 3), (0,)),
    ("chi2", "cdf", (positive, 3), (0,)),
    ("poisson", "logpmf", (onp.array([0.0, 1.0, 3.0, 5.0]), positive), (1,)),
    ("poisson", "cdf", (onp.array([0.0, 1.0, 3.0, 5.0]), positive), (1,)),
])
def test_distributions_match_scipy_and_differentiate(module, fun, args, argnum):
    ours = getattr(getattr(stats, module), fun)
    theirs = getattr(getattr(scipy.stats, module), fun)
    onp.testing.assert_allclose(ours(*args), theirs(*args), rtol=1e-10)
    check_grads(ours, argnum, modes=["rev"])(*args)


def test_multivariate_normal_and_dirichlet():
    m = rng.randn(3, 3)
    cov = m @ m.T + onp.eye(3)
    x, mean = rng.randn(5, 3), rng.randn(3)
    mvn = stats.multivariate_normal
    onp.testing.assert_allclose(mvn.logpdf(x, mean, cov), scipy.stats.multivariate_normal.logpdf(x, mean, cov))
    onp.testing.assert_allclose(mvn.entropy(mean, cov), scipy.stats.multivariate_normal(mean, cov).entropy())
    check_grads(lambda x, mean, c: mvn.logpdf(x, mean, 0.5 * (c + c.T)), (0, 1, 2), modes=["rev"])(x, mean, cov)
    alpha, p = positive, unit / unit.sum()
    onp.testing.assert_allclose(stats.dirichlet.logpdf(p, alpha), scipy.stats.dirichlet.logpdf(p, alpha))
    check_grads(stats.dirichlet.logpdf, 1, modes=["rev"])(p, alpha)


@pytest.mark.parametrize("mode", ["full", "valid", "same"])
def test_convolve_matches_scipy_and_differentiates(mode):
    a, b = rng.randn(5, 4), rng.randn(3, 2)
    onp.testing.assert_allclose(signal.convolve(a, b, mode=mode), scipy.signal.convolve(a, b, mode=mode))
    check_grads(lambda a, b: signal.convolve(a, b, mode=mode), (0, 1), modes=["rev"])(a, b)
    out = signal.convolve(a, rng.randn(4, 6), axes=([1], [0]), mode=mode)
    assert out.shape[:2] == (5, 6)


def test_gradient_of_logsumexp_is_softmax():
    x = rng.randn(4)
    onp.testing.assert_allclose(grad(special.logsumexp)(x), onp.exp(x) / onp.sum(onp.exp(x)))


def test_logsumexp_of_an_all_minus_inf_slice_has_a_zero_gradient_not_nan():
    # A forward-algorithm step where state 1 cannot be reached: column 1 of the
    # log transition matrix is all -inf.  The -inf limit of the gradient is the
    # gradient with -inf replaced by a very negative number (its exp is 0).
    with onp.errstate(divide="ignore"):
        log_a = onp.log(onp.array([[0.5, 0.0, 0.2], [0.5, 0.0, 0.8], [0.0, 0.0, 0.0]]))
    very_negative = onp.where(onp.isneginf(log_a), -1e4, log_a)

    def loglike(x, log_a):
        return special.logsumexp(special.logsumexp(x[:, None] + log_a, axis=0) + x)

    x = rng.randn(3)
    with onp.errstate(divide="ignore"):
        assert loglike(x, log_a) == pytest.approx(loglike(x, very_negative))
        g = grad(loglike)(x, log_a)
        h = grad(lambda x: np.sum(grad(loglike)(x, log_a) * x))(x)
    onp.testing.assert_allclose(g, grad(loglike)(x, very_negative), rtol=1e-12, atol=1e-12)
    onp.testing.assert_allclose(h, grad(lambda x: np.sum(grad(loglike)(x, very_negative) * x))(x),
                                rtol=1e-12, atol=1e-12)
    assert special.logsumexp(np.array([-onp.inf, -onp.inf])) == -onp.inf


def test_odeint_gradients_by_the_adjoint_method():
    from fastgrad.scipy.integrate import odeint
    from fastgrad.test_util import check_grads as check

    def func(y, t, a, b):
        return -np.sqrt(t) - y + a - np.mean((y + b) ** 2)

    t = onp.linspace(0.1, 0.2, 4)
    y0, a, b = rng.randn(3), rng.randn(3), rng.randn(3)
    onp.testing.assert_allclose(odeint(func, y0, t, (a, b)), scipy.integrate.odeint(func, y0, t, (a, b)))
    solve = lambda y0, t, args: odeint(func, y0, t, args, rtol=1e-10, atol=1e-10)
    # check_grads draws its directions from NumPy's global generator: seeded here, so that the
    # second-order central differences through the adaptive solver (accurate to about 1e-5 in the
    # time points) take the same directions whatever tests ran before
    onp.random.seed(1)
    check(solve, (0, 1, 2))(y0, t, (a, b))      # both modes, second order, also in the time points
    # Moving the last time point moves the end state along f: d y(t_3) / d t_3 = f(y(t_3), t_3).
    end = onp.array([0.0, 0.0, 0.0, 1.0])
    dt = grad(lambda t: np.sum(odeint(func, y0, t, (a, b), rtol=1e-10, atol=1e-10)[-1]))(t)
    y_end = scipy.integrate.odeint(func, y0, t, (a, b), rtol=1e-10, atol=1e-10)[-1]
    onp.testing.assert_allclose(dt, end * onp.sum(func(y_end, t[-1], a, b)) + [dt[0], 0, 0, 0], rtol=1e-7)
    assert dt[0] == pytest.approx(-onp.sum(grad(lambda y0: np.sum(solve(y0, t, (a, b))[-1]))(y0)
                                          * func(y0, t[0], a, b)), rel=1e-6)


def test_odeint_inside_a_transform_uses_plain_dynamics():
    # The dynamics may use fastgrad transforms themselves; inside the primitive they
    # run on plain arrays even when odeint is called within grad.
    from fastgrad import elementwise_grad
    from fastgrad.scipy.integrate import odeint

    def dynamics(y, t, k):
        return -elementwise_grad(lambda y: k * y ** 2 / 2)(y)     # dy/dt = -k y

    y0 = onp.array([1.0, 2.0])
    ts = onp.array([0.0, 0.5])
    value = grad(lambda k: np.sum(odeint(dynamics, y0, ts, (k,), rtol=1e-10, atol=1e-10)[-1]))(0.7)
    assert value == pytest.approx(-0.5 * 3.0 * onp.exp(-0.35), rel=1e-6)


@pytest.mark.parametrize("l_and_u, b_shape", [((1, 1), (5,)), ((2, 1), (5, 2)), ((0, 2), (5,))])
def test_solve_banded_matches_scipy_and_differentiates(l_and_u, b_shape):
    import scipy.linalg
    import fastgrad
    import fastgrad.scipy.linalg as linalg

    lower, upper = l_and_u
    ab = rng.randn(lower + upper + 1, 5)
    ab[upper] += 4.0          # a dominant diagonal: well conditioned
    b = rng.randn(*b_shape)
    expected = scipy.linalg.solve_banded(l_and_u, ab, b)
    onp.testing.assert_allclose(linalg.solve_banded(l_and_u, ab, b), expected)
    ours = linalg.solve_banded(l_and_u, fastgrad.tensor(ab, requires_grad=True), b)
    onp.testing.assert_allclose(ours.detach().data, expected, rtol=1e-12)
    check_grads(lambda ab, b: linalg.solve_banded(l_and_u, ab, b), argnum=(0, 1))(ab, b)
    # Entries of ab outside the matrix (the corners of the storage) get no gradient.
    g = grad(lambda ab: np.sum(linalg.solve_banded(l_and_u, ab, b)))(ab)
    for row in range(lower + upper + 1):
        outside = [j for j in range(5) if not 0 <= row - upper + j < 5]
        assert onp.all(g[row, outside] == 0)
    with pytest.raises(ValueError, match="needs"):
        linalg.solve_banded((1, 0), fastgrad.tensor(ab, requires_grad=True), b)
