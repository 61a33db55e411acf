"""The CuPy backend's attention and recurrent-gate functions end to end on the CPU.

These families have no hand-written CuPy kernel: on CuPy arrays their twins run in the
cupy namespace.  Here NumPy stands in for cupy and a CupyBackend takes the NumPy backend's
place, so attention, MultiheadAttention, LSTM and GRU forward and backward go through the
functions the GPU path calls (their names, argument names and keywords), and must agree
with the C kernels' results.  The GPU itself is not exercised here.
"""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn
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
