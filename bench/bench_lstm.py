"""R1: one training step (forward, MSE, backward, Adam) of an LSTM layer.

nn.LSTM(input 64, hidden 128), sequence 32, batch 32, float32, the loss the mean square
of the output against a fixed target; the same weights (PyTorch's initialisation of a
seeded fastgrad layer) in both libraries and the same thread count.  fastgrad projects all
time steps' inputs with one GEMM, then per step a GEMM and one fused gate pass
(csrc/recurrent.c) forward and backward; PyTorch runs its own fused LSTM kernel.  The
floor is the step's GEMMs alone: the input projection and its two gradients, and per time
step the recurrent product and its two gradients, through fastgrad's GEMM entry point into
preallocated outputs.

Target: <= 1.3x PyTorch's step time.

Run:  pytest bench/bench_lstm.py --benchmark-only --benchmark-group-by=group \
          --benchmark-columns=median,iqr,rounds
"""
import numpy as np

import fastgrad as fg
from fastgrad import nn, optim
from fastgrad.backend.gemm import gemm
from fastgrad.nn import functional as F
from peers import torch_or_skip
from training_step import make_training_step

GROUP = "R1 training step: LSTM(64, 128), seq 32, batch 32, MSE, Adam, float32"
SEQ, BATCH, INPUT, HIDDEN = 32, 32, 64, 128


def problem():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((SEQ, BATCH, INPUT)).astype(np.float32)
    target = rng.standard_normal((SEQ, BATCH, HIDDEN)).astype(np.float32)
    fg.manual_seed(0)
    weights = {k: v.numpy().copy() for k, v in nn.LSTM(INPUT, HIDDEN).state_dict().items()}
    return x, target, weights


def test_fastgrad_step(benchmark):
    benchmark.group, benchmark.name = GROUP, "fastgrad"
    x, target, weights = problem()
    model = nn.LSTM(INPUT, HIDDEN)
    model.load_state_dict({k: fg.tensor(v) for k, v in weights.items()})
    step = make_training_step(F.mse_loss, model, optim.Adam(model.parameters(), lr=1e-3), fg.tensor(x),
                              fg.tensor(target), output=lambda out: out[0])
    step()
    benchmark(step)


def test_torch_step(benchmark):
    torch = torch_or_skip()
    benchmark.group, benchmark.name = GROUP, "torch"
    x, target, weights = problem()
    model = torch.nn.LSTM(INPUT, HIDDEN)
    model.load_state_dict({k: torch.tensor(v) for k, v in weights.items()})
    step = make_training_step(torch.nn.functional.mse_loss, model, torch.optim.Adam(model.parameters(), lr=1e-3),
                              torch.tensor(x), torch.tensor(target), output=lambda out: out[0])
    step()
    benchmark(step)


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
    x, target, weights = problem()
    mine, theirs = nn.LSTM(INPUT, HIDDEN), torch.nn.LSTM(INPUT, HIDDEN)
    mine.load_state_dict({k: fg.tensor(v) for k, v in weights.items()})
    theirs.load_state_dict({k: torch.tensor(v) for k, v in weights.items()})
    got = F.mse_loss(mine(fg.tensor(x))[0], fg.tensor(target)).item()
    expected = torch.nn.functional.mse_loss(theirs(torch.tensor(x))[0], torch.tensor(target)).item()
    np.testing.assert_allclose(got, expected, rtol=1e-5)
