"""R1: one training step (forward, MSE, backward, Adam) of an LSTM layer.

nn.LSTM(input 64, hidden 128), sequence 32, batch 32, float32, the loss the mean square
of the output against a fixed target; the same weights (PyTorch's initialisation of a
seeded fastgrad layer) in both libraries and the same thread count.  fastgrad runs the layer
as one primitive: the input projection of all time steps as one GEMM, then, with MKL as its
BLAS, the time loop in C (csrc/recurrent.c: per step the recurrent GEMM and one fused gate
pass, forward and in reverse for the backward), and the weight gradients as one GEMM each over
all steps; with oneDNN installed (fastgrad[onednn]) every one of those products is oneDNN's
float32 matmul (fastgrad.backend.onednn_gemm), and the loop runs in C without MKL too; with
neither, the same loop runs in Python over the fused step kernels.  PyTorch runs oneDNN's
LSTM (mkldnn_rnn_layer).  The floor is the GEMMs of fastgrad's step alone: the input
projection, per time step the recurrent product forward and its input gradient backward,
and the two weight gradients over all steps, through the GEMM fastgrad's step uses (oneDNN's
matmul or fastgrad's GEMM entry point) into preallocated outputs.  After the group the ratios fastgrad / torch and fastgrad / floor
of the medians are printed.

Target: <= 1.3x PyTorch's step time.

Run:  pytest bench/bench_lstm.py --benchmark-only --benchmark-group-by=group \
          --benchmark-columns=median,iqr,rounds
"""
import numpy as np
import pytest

import fastgrad as fg
import ratios
from fastgrad import _C
from fastgrad.backend.gemm import gemm
from fastgrad.backend.onednn_gemm import get_recurrent_gemm, recurrent_gemm_description
from peers import library, torch_or_skip
from training_step import adam_step, first_loss, normal_target, training_problem

GROUP = "R1 training step: LSTM(64, 128), seq 32, batch 32, MSE, Adam, float32"
SEQ, BATCH, INPUT, HIDDEN = 32, 32, 64, 128


def lstm(nn):
    return nn.LSTM(INPUT, HIDDEN)


def output(result):
    return result[0]  # the outputs of every time step, without the final states


def problem():
    return training_problem(lstm, "mse_loss", (SEQ, BATCH, INPUT), normal_target((SEQ, BATCH, HIDDEN)))


@pytest.fixture(scope="module", autouse=True)
def print_ratios(request):
    """After the group: fastgrad's median over PyTorch's and over the floor (none in smoke mode)."""
    yield
    title = f"R1 ratios (medians of this run; fastgrad's recurrent products: {recurrent_gemm_description()}):"
    ratios.print_after(request, title, [
        (GROUP, "fastgrad", "torch", "target <= 1.3x"),
        (GROUP, "fastgrad", FLOOR, "")])


def timed(benchmark, name, fn):
    benchmark.group, benchmark.name = GROUP, name
    benchmark(fn)
    ratios.record(benchmark)


@pytest.mark.parametrize("peer", ["fastgrad", "torch"])
def test_step(benchmark, peer):
    timed(benchmark, peer, adam_step(library(peer), lstm, *problem(), output))


FLOOR = "floor: the step's GEMMs"


def test_gemm_floor(benchmark):
    """The GEMMs fastgrad's step runs (the input needs no gradient, in either library), through
    the GEMM it uses (oneDNN's matmul when chosen, else fastgrad's GEMM entry point) into
    preallocated outputs."""
    rng = np.random.default_rng(0)
    f32 = np.float32
    x = rng.standard_normal((SEQ * BATCH, INPUT)).astype(f32)
    w_ih = rng.standard_normal((4 * HIDDEN, INPUT)).astype(f32)
    w_hh = rng.standard_normal((4 * HIDDEN, HIDDEN)).astype(f32)
    g_all = rng.standard_normal((SEQ * BATCH, 4 * HIDDEN)).astype(f32)
    h_all = rng.standard_normal((SEQ * BATCH, HIDDEN)).astype(f32)
    projected = np.empty((SEQ * BATCH, 4 * HIDDEN), f32)
    gw_ih, gw_hh = np.empty_like(w_ih), np.empty_like(w_hh)
    recurrent, gh = np.empty((BATCH, 4 * HIDDEN), f32), np.empty((BATCH, HIDDEN), f32)
    if get_recurrent_gemm() == "onednn":
        def product(a, b, out, trans_a=False, trans_b=False):
            _C.onednn_gemm(a.T if trans_a else a, b.T if trans_b else b, out)
    else:
        product = gemm

    def gemms():
        product(x, w_ih, out=projected, trans_b=True)
        for t in range(SEQ):
            product(h_all[t * BATCH:(t + 1) * BATCH], w_hh, out=recurrent, trans_b=True)
        for t in range(SEQ):
            product(g_all[t * BATCH:(t + 1) * BATCH], w_hh, out=gh)
        product(g_all, h_all, out=gw_hh, trans_a=True)
        product(g_all, x, out=gw_ih, trans_a=True)

    gemms()
    timed(benchmark, FLOOR, gemms)


def test_the_two_steps_agree():
    """Same weights, same data: the first losses agree (what is timed is the same work)."""
    torch = torch_or_skip()
    got = first_loss(fg, lstm, *problem(), output)
    np.testing.assert_allclose(got, first_loss(torch, lstm, *problem(), output), rtol=1e-5)
