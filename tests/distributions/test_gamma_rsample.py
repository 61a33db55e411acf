"""Reparameterized draws of Gamma, Beta and Dirichlet: the implicit gradient dz/dalpha of a
Gamma(alpha, 1) draw against a 40-digit reference (mpmath) and against central differences of
the quantile function at a fixed quantile (SciPy's gammaincinv); the gradients of rsample; and
the gradient of the sample mean against that of the exact mean, within bounds from the sample size."""
import numpy as np
import pytest

import fastgrad as fg
from distribution_parity import Z
from fastgrad import distributions as D
from fastgrad.distributions.gamma_rsample import standard_gamma_grad

special = pytest.importorskip("scipy.special")

ALPHAS = [0.05, 0.5, 1.0, 3.0, 20.0, 200.0]
QUANTILES = np.array([1e-6, 1e-3, 0.1, 0.5, 0.9, 0.999])


def quantile_derivative(alpha, u, step=1e-5):
    """d/dalpha of Gamma(alpha, 1)'s quantile function at u, by central differences."""
    h = step * alpha
    return (special.gammaincinv(alpha + h, u) - special.gammaincinv(alpha - h, u)) / (2 * h)


@pytest.mark.parametrize("alpha", ALPHAS)
def test_implicit_gradient_matches_a_40_digit_reference(alpha):
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 40
    z = special.gammaincinv(alpha, QUANTILES)
    got = standard_gamma_grad(np.full_like(z, alpha), z)
    for zi, gi in zip(z, got):
        a, x = mpmath.mpf(alpha), mpmath.mpf(float(zi))
        slope = mpmath.diff(lambda s: mpmath.gammainc(s, 0, x, regularized=True), a)
        density = x ** (a - 1) * mpmath.exp(-x) / mpmath.gamma(a)
        assert gi == pytest.approx(float(-slope / density), rel=1e-11)


@pytest.mark.parametrize("alpha", ALPHAS)
def test_implicit_gradient_matches_quantile_differences(alpha):
    z = special.gammaincinv(alpha, QUANTILES)
    np.testing.assert_allclose(standard_gamma_grad(np.full_like(z, alpha), z), quantile_derivative(alpha, QUANTILES),
                               rtol=2e-6)


def test_gamma_rsample_gradients_in_concentration_and_rate():
    c = fg.tensor(np.array([0.3, 2.0, 9.0]), requires_grad=True)
    r = fg.tensor(np.array([1.5, 0.5, 2.0]), requires_grad=True)
    fg.manual_seed(0)
    z = D.Gamma(c, r).rsample()
    assert z.requires_grad
    z.sum().backward()
    c_, r_, z_ = c.detach().numpy(), r.detach().numpy(), z.detach().numpy()
    u = special.gammainc(c_, z_ * r_)                           # the draw's quantile, held fixed
    np.testing.assert_allclose(c.grad.numpy(), quantile_derivative(c_, u) / r_, rtol=2e-6)
    np.testing.assert_allclose(r.grad.numpy(), -z_ / r_, rtol=1e-12)
    assert not D.Gamma(c, r).sample((3,)).requires_grad


def _per_draw_gradients(make, params, n, pick=lambda x: x):
    """Gradients of pick(draw) in each parameter, one draw per row: the parameters are repeated n
    times as leaves so that every draw has its own gradient."""
    leaves = [fg.tensor(np.repeat(np.asarray(p, dtype=np.float64)[None], n, 0), requires_grad=True) for p in params]
    fg.manual_seed(1)
    pick(make(*leaves).rsample()).sum().backward()
    return [leaf.grad.numpy() for leaf in leaves]


def _assert_mean_within_error(per_draw, exact):
    n = per_draw.shape[0]
    error = per_draw.std(0) / np.sqrt(n)
    assert np.all(np.abs(per_draw.mean(0) - exact) <= Z * error), (per_draw.mean(0), exact)


def test_beta_rsample_gradient_of_the_mean():
    a, b = 0.7, 2.5
    ga, gb = _per_draw_gradients(D.Beta, [a, b], 20000)
    _assert_mean_within_error(ga, b / (a + b) ** 2)            # d/da a / (a + b)
    _assert_mean_within_error(gb, -a / (a + b) ** 2)


def test_dirichlet_rsample_gradient_of_the_mean():
    a = np.array([0.5, 2.0, 4.0])
    (g,) = _per_draw_gradients(D.Dirichlet, [a], 20000, pick=lambda x: x[..., 0])
    total = a.sum()
    _assert_mean_within_error(g, (np.eye(3)[0] * total - a[0]) / total ** 2)    # d/da_j a_0 / sum(a)


def test_gamma_rsample_gradient_of_the_mean():
    c, r = 0.4, 2.0
    gc, gr = _per_draw_gradients(D.Gamma, [c, r], 20000)
    _assert_mean_within_error(gc, 1 / r)
    _assert_mean_within_error(gr, -c / r ** 2)


def test_second_derivatives_are_refused_by_name():
    c = fg.tensor(2.0, requires_grad=True)
    z = D.Gamma(c, 1.0).rsample()
    with pytest.raises(NotImplementedError, match="Gamma.rsample: second derivatives"):
        fg.autograd.grad(z, [c], create_graph=True)


def test_a_variational_gamma_fits_its_target_through_rsample():
    target = D.Gamma(fg.tensor(np.array([3.0, 0.8])), fg.tensor(np.array([2.0, 1.5])))
    log_c = fg.tensor(np.zeros(2), requires_grad=True)
    log_r = fg.tensor(np.zeros(2), requires_grad=True)
    start = D.kl_divergence(D.Gamma(log_c.exp(), log_r.exp()), target).sum().item()
    opt = fg.optim.Adam([log_c, log_r], lr=0.05)
    fg.manual_seed(0)
    for _ in range(300):
        q = D.Gamma(log_c.exp(), log_r.exp())
        z = q.rsample((32,))
        loss = (q.log_prob(z) - target.log_prob(z)).mean(0).sum()     # a one-sample-batch estimate of KL(q || p)
        opt.zero_grad()
        loss.backward()
        opt.step()
    end = D.kl_divergence(D.Gamma(log_c.exp(), log_r.exp()), target).sum().item()
    assert end < start / 20       # from about 1 to about 0.01, where Adam's noisy steps leave it
