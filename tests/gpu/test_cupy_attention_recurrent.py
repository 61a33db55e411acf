"""The CuPy backend's attention and recurrent-gate functions end to end on the CPU, and the
recurrent CuPy kernels against the C kernels on a GPU when there is one.

The attention softmax has no hand-written CuPy kernel (its twin runs in the cupy
namespace); the recurrent gates have ElementwiseKernels.  On the CPU NumPy stands in for
cupy, the kernel emulator runs the kernel sources and a CupyBackend takes the NumPy
backend's place, so attention, MultiheadAttention, LSTM and GRU forward and backward go
through the functions the GPU path calls, and must agree with the C kernels' results.
"""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad import _C, nn
from fastgrad.backend.reference import recurrent as reference
from fastgrad.backend.cupy_kernels import attention, recurrent
from fastgrad.nn import functional as F
# the CuPy backend in the NumPy backend's place, its own kernels run by the CPU emulator
from test_cupy_backend_on_cpu import cupy_backend_in_numpys_place, emulator  # noqa: F401


@pytest.fixture
def twins_on_numpy(monkeypatch, cupy_backend_in_numpys_place):  # noqa: F811
    """The cupy namespace of the twin-run families is numpy; returns the kernel names called."""
    for module in (attention, recurrent):
        monkeypatch.setattr(module, "_cupy", lambda: np)
    return cupy_backend_in_numpys_place


def run_models():
    """Outputs and gradients of attention (mask, dropout), MultiheadAttention, LSTM and GRU."""
    rng = np.random.default_rng(0)
    results = []
    q, k, v = (fg.tensor(rng.standard_normal((2, 3, 4, 5)).astype(np.float32), requires_grad=True)
               for _ in range(3))
    fg.manual_seed(1)
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=rng.random((4, 4)) > 0.3, dropout_p=0.2)
    out.sum().backward()
    results += [out.data, q.grad.data, k.grad.data, v.grad.data]
    fg.manual_seed(2)
    x = fg.tensor(rng.standard_normal((2, 5, 8)).astype(np.float32), requires_grad=True)
    mha = nn.MultiheadAttention(8, 2, batch_first=True)
    y, w = mha(x, x, x)
    (y.sum() + w.sum()).backward()
    results += [y.data, w.data, x.grad.data, mha.in_proj_weight.grad.data]
    for layer in (nn.LSTM(3, 4), nn.GRU(3, 4)):
        seq = fg.tensor(rng.standard_normal((6, 2, 3)).astype(np.float32), requires_grad=True)
        out, _ = layer(seq)
        out.sum().backward()
        results += [out.data, seq.grad.data, layer.weight_hh_l0.grad.data]
    return results


def test_attention_and_recurrent_layers_through_the_cupy_functions_match_the_c_kernels(request):
    expected = run_models()
    called = request.getfixturevalue("twins_on_numpy")
    got = run_models()
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)
    assert {"attention_softmax_fwd", "attention_softmax_bwd", "lstm_cell_fwd", "lstm_cell_bwd", "gru_cell_fwd",
            "gru_cell_bwd"} <= set(called)


def test_recurrent_cupy_kernels_match_the_c_kernels_on_a_gpu(cp):
    rng = np.random.default_rng(3)
    for dtype, tol in ((np.float32, 1e-5), (np.float64, 1e-12)):
        gates, c_prev, grad = (rng.standard_normal(s).astype(dtype) for s in ((5, 12), (5, 3), (5, 6)))
        hc, act = _C.lstm_cell_fwd(gates, c_prev=c_prev)
        d_hc, d_act = recurrent.lstm_cell_fwd(cp.asarray(gates), cp.asarray(c_prev))
        expected = list(_C.lstm_cell_bwd(act, c_prev=c_prev, hc=hc, grad=grad))
        got = list(recurrent.lstm_cell_bwd(d_act, cp.asarray(c_prev), d_hc, cp.asarray(grad)))
        for g, e in zip([d_hc, d_act] + got, [hc, act] + expected):
            np.testing.assert_allclose(cp.asnumpy(g), e, rtol=tol, atol=tol)
        gi, gh, h_prev, gy = (rng.standard_normal(s).astype(dtype) for s in ((5, 9), (5, 9), (5, 3), (5, 3)))
        h, act = _C.gru_cell_fwd(gi, gh, h_prev=h_prev)
        d_h, d_act = recurrent.gru_cell_fwd(cp.asarray(gi), cp.asarray(gh), cp.asarray(h_prev))
        expected = list(_C.gru_cell_bwd(act, gh, h_prev=h_prev, grad=gy))
        got = list(recurrent.gru_cell_bwd(d_act, cp.asarray(gh), cp.asarray(h_prev), cp.asarray(gy)))
        for g, e in zip([d_h, d_act] + got, [h, act] + expected):
            np.testing.assert_allclose(cp.asnumpy(g), e, rtol=tol, atol=tol)



def test_sequence_functions_through_the_cupy_step_kernels_match_the_twins(twins_on_numpy):
    # The twins are checked against the C sequence kernels in tests/backend/test_kernels_recurrent_sequence.py.
    rng = np.random.default_rng(3)
    steps, rows, hidden = 4, 3, 5
    h0, c0 = rng.standard_normal((rows, hidden)), rng.standard_normal((rows, hidden))
    gates, w4, b4 = (rng.standard_normal(s) for s in ((steps, rows, 4 * hidden), (4 * hidden, hidden), 4 * hidden))
    gi, w3, b3 = (rng.standard_normal(s) for s in ((steps, rows, 3 * hidden), (3 * hidden, hidden), 3 * hidden))
    lstm = recurrent.lstm_seq_fwd(gates, w4, h0, c0, b4), reference.lstm_seq_fwd(np, gates, w4, h0, c0, b4)
    gru = recurrent.gru_seq_fwd(gi, w3, h0, b3), reference.gru_seq_fwd(np, gi, w3, h0, b3)
    hc, act = lstm[1]
    h, gh, gru_act = gru[1]
    grad_hc, grad_h = rng.standard_normal(hc.shape), rng.standard_normal(h.shape)
    pairs = [lstm, gru,
             (recurrent.lstm_seq_bwd(act, w4, hc, grad_hc), reference.lstm_seq_bwd(np, act, w4, hc, grad_hc)),
             (recurrent.gru_seq_bwd(gru_act, gh, w3, h, grad_h),
              reference.gru_seq_bwd(np, gru_act, gh, w3, h, grad_h))]
    g1, w1 = rng.standard_normal((steps, rows, hidden)), rng.standard_normal((hidden, hidden))
    for relu in (False, True):
        rnn = recurrent.rnn_seq_fwd(g1, w1, h0, relu), reference.rnn_seq_fwd(np, g1, w1, h0, relu)
        backward = (recurrent.rnn_seq_bwd(rnn[1], w1, grad_h, relu),
                    reference.rnn_seq_bwd(np, rnn[1], w1, grad_h, relu))
        pairs += [((rnn[0],), (rnn[1],)), backward]
    for got, expected in pairs:
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-12)
