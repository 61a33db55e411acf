"""R1: one training step (forward, MSE, backward, Adam) of an LSTM layer.

nn.LSTM(input 64, hidden 128), sequence 32, batch 32, float32, the loss the mean square
of the output against a fixed target; the same weights (PyTorch's initialisation of a
seeded fastgrad layer) in both libraries and the same thread count.  fastgrad runs the layer
as one primitive: the input projection of all time steps as one GEMM, then, with MKL as its
BLAS, the time loop in C (csrc/recurrent.c: per step the recurrent GEMM and one fused gate
pass, forward and in reverse for the backward), and the weight gradients as one GEMM each over
all steps; without MKL the same loop runs in Python over the fused step kernels.  PyTorch runs
oneDNN's LSTM (mkldnn_rnn_layer).  The
floor is the step's GEMMs alone: the input projection and its two gradients, and per time
step the recurrent product and its two gradients, through fastgrad's GEMM entry point into
preallocated outputs.

Target: <= 1.3x PyTorch's step time.

Run:  pytest bench/bench_lstm.py --benchmark-only --benchmark-group-by=group \
          --benchmark-columns=median,iqr,rounds
"""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.backend.gemm import gemm
from peers import library, torch_or_skip
from training_step import adam_step, first_loss, seeded_weights

GROUP = "R1 training step: LSTM(64, 128), seq 32, batch 32, MSE, Adam, float32"
SEQ, BATCH, INPUT, HIDDEN = 32, 32, 64, 128


def lstm(nn):
    return nn.LSTM(INPUT, HIDDEN)


def output(result):
    return result[0]  # the outputs of every time step, without the final states


def problem():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((SEQ, BATCH, INPUT)).astype(np.float32)
    target = rng.standard_normal((SEQ, BATCH, HIDDEN)).astype(np.float32)
    return seeded_weights(lstm), "mse_loss", x, target


@pytest.mark.parametrize("peer", ["fastgrad", "torch"])
def test_step(benchmark, peer):
    lib = library(peer)
    benchmark.group, benchmark.name = GROUP, peer
    benchmark(adam_step(lib, lstm, *problem(), output))


def test_gemm_floor(benchmark):
    benchmark.group, benchmark.name = GROUP, "floor: the step's GEMMs"
    rng = np.random.default_rng(0)
    f32 = np.float32
    x = rng.standard_normal((SEQ * BATCH, INPUT)).astype(f32)
    w_ih = rng.standard_normal((4 * HIDDEN, INPUT)).astype(f32)
    w_hh = rng.standard_normal((4 * HIDDEN, HIDDEN)).astype(f32)
    g_all = rng.standard_normal((SEQ * BATCH, 4 * HIDDEN)).astype(f32)
    h = rng.standard_normal((BATCH, HIDDEN)).astype(f32)
    projected, gx = np.empty((SEQ * BATCH, 4 * HIDDEN), f32), np.empty((SEQ * BATCH, INPUT), f32)
    gw_ih, gw_hh = np.empty_like(w_ih), np.empty_like(w_hh)
    recurrent, gh = np.empty((BATCH, 4 * HIDDEN), f32), np.empty((BATCH, HIDDEN), f32)

    def gemms():
        gemm(x, w_ih, out=projected, trans_b=True)
        for _ in range(SEQ):
            gemm(h, w_hh, out=recurrent, trans_b=True)
        for t in range(SEQ):
            g = g_all[t * BATCH:(t + 1) * BATCH]
            gemm(g, w_hh, out=gh)
            gemm(g, h, out=gw_hh, trans_a=True, beta=1.0 if t else 0.0)
        gemm(g_all, w_ih, out=gx)
        gemm(g_all, x, out=gw_ih, trans_a=True)

    gemms()
    benchmark(gemms)


def test_the_two_steps_agree():
    """Same weights, same data: the first losses agree (what is timed is the same work)."""
    torch = torch_or_skip()
    got = first_loss(fg, lstm, *problem(), output)
    np.testing.assert_allclose(got, first_loss(torch, lstm, *problem(), output), rtol=1e-5)
