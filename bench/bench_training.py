"""T2, T3, T4: one full training step (forward, cross-entropy, backward, Adam) of an MLP.

Each group times, on identical data and weights with the same thread count:
fastgrad (nn.Sequential of Linear/ReLU, F.cross_entropy, optim.Adam),
PyTorch (the same model, default and fused Adam), and the floor: the bare
GEMMs of the step (three per layer: y = x W^T, gx = gy W, gW = gy^T x)
through fastgrad's GEMM entry point (the BLAS fastgrad uses) into
preallocated outputs.

Targets: T2 (64-32-10, batch 32) <= 0.5x PyTorch; T3 (784-512-256-10,
batch 128) <= 1.0x PyTorch with MKL GEMMs and <= 1.15x its GEMMs; T4
(784-1024-1024-10, batch 1024) <= 1.02x PyTorch with MKL, <= 1.05x its GEMMs.

Run:  pytest bench/bench_training.py --benchmark-only --benchmark-group-by=group \
          --benchmark-columns=median,iqr,rounds
"""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad import optim
from fastgrad.backend.gemm import gemm
from fastgrad.nn import functional as F
import mlp_problem
from peers import torch_or_skip

MLPS = {
    "T2": ((64, 32, 10), 32),
    "T3": ((784, 512, 256, 10), 128),
    "T4": ((784, 1024, 1024, 10), 1024),
}


def group_name(tid):
    return mlp_problem.group_name(tid, *MLPS[tid])


def problem(tid):
    return mlp_problem.problem(*MLPS[tid])



@pytest.mark.parametrize("tid", list(MLPS))
def test_fastgrad_step(benchmark, tid):
    benchmark.group = group_name(tid)
    benchmark.name = "fastgrad"
    x, y, weights = problem(tid)
    model = mlp_problem.fastgrad_model(weights)
    opt = optim.Adam(model.parameters(), lr=1e-3)
    xt = fg.tensor(x)

    def step():
        loss = F.cross_entropy(model(xt), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    step()
    benchmark(step)


@pytest.mark.parametrize("tid", list(MLPS))
@pytest.mark.parametrize("adam", ["default", "fused"])
def test_torch_step(benchmark, tid, adam):
    torch = torch_or_skip()
    benchmark.group = group_name(tid)
    benchmark.name = f"torch (Adam {adam})"
    x, y, weights = problem(tid)
    layers = []
    for i, (w, b) in enumerate(weights):
        lin = torch.nn.Linear(w.shape[1], w.shape[0])
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(w))
            lin.bias.copy_(torch.tensor(b))
        layers.append(lin)
        if i < len(weights) - 1:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, **({"fused": True} if adam == "fused" else {}))
    xt, yt = torch.tensor(x), torch.tensor(y)

    def step():
        loss = torch.nn.functional.cross_entropy(model(xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    step()
    benchmark(step)


@pytest.mark.parametrize("tid", list(MLPS))
def test_gemm_floor(benchmark, tid):
    benchmark.group = group_name(tid)
    benchmark.name = "floor: the step's GEMMs alone (fastgrad gemm)"
    sizes, batch = MLPS[tid]
    rng = np.random.default_rng(1)
    work = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        f32 = np.float32
        work.append((rng.standard_normal((batch, fan_in)).astype(f32),
                     rng.standard_normal((fan_out, fan_in)).astype(f32),
                     rng.standard_normal((batch, fan_out)).astype(f32),
                     np.empty((batch, fan_out), f32), np.empty((batch, fan_in), f32), np.empty((fan_out, fan_in), f32)))

    def gemms():
        for i, (x, w, gy, out, gx, gw) in enumerate(work):
            gemm(x, w, out=out, trans_b=True)
            if i > 0:                      # the first layer's input needs no gradient
                gemm(gy, w, out=gx)
            gemm(gy, x, out=gw, trans_a=True)

    benchmark(gemms)
