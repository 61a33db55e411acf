"""Workloads of HIPS autograd's examples, beside HIPS autograd itself.

hmm_em: value_and_grad of an HMM's log partition function (the forward algorithm, one
scipy.special.logsumexp per time step: many small ops), 20 states, 101 symbols, 6
sequences of 40 symbols; the E step of examples/hmm_em.py.

ode_net: the gradient of examples/ode_net.py's training loss, a 2-150-2 ReLU network as the
dynamics of an odeint over 30 time points (rtol 0.01), differentiated by the adjoint method:
each step of the backward odeint is a vector-Jacobian product of the network on a 2-vector
(small matrix-vector products and flatten/unflatten of the parameters).

Each library runs the same functions written with its own NumPy namespace.

Run:  pytest bench/bench_hips_examples.py --benchmark-only --benchmark-group-by=group \\
          --benchmark-columns=median,iqr,rounds
"""
import numpy as np
import pytest
import scipy.special

import fastgrad
import fastgrad.numpy as fnp
import fastgrad.scipy.special
import ratios

HMM_GROUP = "hmm_em E step: value_and_grad of the forward algorithm, 20 states, 6 x 40 symbols"
STATES, SYMBOLS, SEQUENCES, LENGTH = 20, 101, 6, 40

ODE_GROUP = "ode_net: grad of the training loss through odeint, 2-150-2 ReLU dynamics, 30 time points"

print_ratios = ratios.printed_after_module("HIPS examples ratios (medians of this run):", [
    (HMM_GROUP, "test_hmm_fastgrad", "test_hmm_hips_autograd", "fastgrad / HIPS autograd"),
    (ODE_GROUP, "test_ode_net_fastgrad", "test_ode_net_hips_autograd", "fastgrad / HIPS autograd")])


def hmm_problem():
    rng = np.random.default_rng(0)
    params = [rng.random(STATES), rng.random((STATES, STATES)), rng.random((STATES, SYMBOLS))]
    natural = [np.log(p / p.sum(-1, keepdims=True)) for p in params]
    data = [rng.integers(0, SYMBOLS, LENGTH) for _ in range(SEQUENCES)]
    return natural, data


def hmm_log_partition(np, logsumexp):
    def log_partition(natural_params, data):
        log_pi, log_a, log_b = natural_params
        total = 0.0
        for sequence in data:
            log_alpha = log_pi
            for y in sequence:
                log_alpha = logsumexp(log_alpha[:, None] + log_a, axis=0) + log_b[:, y]
            total = total + logsumexp(log_alpha)
        return total

    return log_partition


def _check_hmm(result, natural, data):
    value, (g_pi, _, g_b) = result
    expected = hmm_log_partition(np, scipy.special.logsumexp)(natural, data)
    np.testing.assert_allclose(value, expected, rtol=1e-12)
    # The gradients are posterior expectations: each sequence's initial-state posterior sums
    # to 1, and the emission posteriors to one per symbol.
    np.testing.assert_allclose(np.sum(g_pi), SEQUENCES, rtol=1e-12)
    np.testing.assert_allclose(np.sum(g_b), SEQUENCES * LENGTH, rtol=1e-12)


def test_hmm_fastgrad(benchmark):
    benchmark.group = HMM_GROUP
    natural, data = hmm_problem()
    step = fastgrad.value_and_grad(hmm_log_partition(fnp, fastgrad.scipy.special.logsumexp))
    _check_hmm(benchmark(step, natural, data), natural, data)
    ratios.record(benchmark)


def test_hmm_hips_autograd(benchmark):
    autograd = pytest.importorskip("autograd", reason="HIPS autograd not installed: its column is skipped")
    import autograd.numpy as anp
    import autograd.scipy.special

    benchmark.group = HMM_GROUP
    natural, data = hmm_problem()
    step = autograd.value_and_grad(hmm_log_partition(anp, autograd.scipy.special.logsumexp))
    _check_hmm(benchmark(step, natural, data), natural, data)
    ratios.record(benchmark)


def ode_net_loss(np, odeint, as_tuple):
    y0 = np.array([2.0, 0.0])
    t = np.linspace(0.0, 1.5, 30)
    true_a = np.array([[-0.1, 2.0], [-2.0, -0.1]])
    target = odeint(lambda y, t0, a: np.dot(y ** 3, a), y0, t, args=(true_a,))

    def nn_predict(inputs, t, params):
        for w, b in params:
            outputs = np.dot(inputs, w) + b
            inputs = np.maximum(0, outputs)
        return outputs

    def loss(params):
        prediction = odeint(nn_predict, y0, t, as_tuple((params,)), rtol=0.01)
        return np.mean(np.abs(prediction - target))

    return loss


def ode_net_params():
    rs = np.random.RandomState(0)
    return [(rs.randn(n_in, n_out) * 0.1, rs.randn(n_out) * 0.1) for n_in, n_out in ((2, 150), (150, 2))]


def _check_ode_net(gradient, params):
    import scipy.integrate

    plain = ode_net_loss(np, scipy.integrate.odeint, tuple)(params)
    assert np.isfinite(plain)
    assert len(gradient) == len(params)
    for (gw, gb), (w, b) in zip(gradient, params):
        assert gw.shape == w.shape and gb.shape == b.shape
        assert np.all(np.isfinite(gw)) and np.all(np.isfinite(gb)) and np.any(gw != 0)


def test_ode_net_fastgrad(benchmark):
    import fastgrad.builtins
    import fastgrad.scipy.integrate

    benchmark.group = ODE_GROUP
    params = ode_net_params()
    step = fastgrad.grad(ode_net_loss(fnp, fastgrad.scipy.integrate.odeint, fastgrad.builtins.tuple))
    _check_ode_net(benchmark(step, params), params)
    ratios.record(benchmark)


def test_ode_net_hips_autograd(benchmark):
    autograd = pytest.importorskip("autograd", reason="HIPS autograd not installed: its column is skipped")
    import autograd.builtins
    import autograd.numpy as anp
    import autograd.scipy.integrate

    benchmark.group = ODE_GROUP
    params = ode_net_params()
    step = autograd.grad(ode_net_loss(anp, autograd.scipy.integrate.odeint, autograd.builtins.tuple))
    _check_ode_net(benchmark(step, params), params)
    ratios.record(benchmark)
