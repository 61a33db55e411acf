"""Workloads of HIPS autograd's examples, beside HIPS autograd itself.

hmm_em: value_and_grad of an HMM's log partition function (the forward algorithm, one
scipy.special.logsumexp per time step: many small ops), 20 states, 101 symbols, 6
sequences of 40 symbols; the E step of examples/hmm_em.py.  Each library runs the same
function written with its own NumPy namespace and logsumexp.

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

print_ratios = ratios.printed_after_module("HIPS examples ratios (medians of this run):", [
    (HMM_GROUP, "test_hmm_fastgrad", "test_hmm_hips_autograd", "fastgrad / HIPS autograd")])


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
