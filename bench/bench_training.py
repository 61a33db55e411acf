"""T2, T3, T4: one full training step (forward, cross-entropy, backward, Adam) of an MLP.

Each group times, on identical data and weights with the same thread count:
fastgrad (nn.Sequential of Linear/ReLU, F.cross_entropy, optim.Adam),
PyTorch (the same model, default and fused Adam), and the floor: the bare
GEMMs of the step (three per layer: y = x W^T, gx = gy W, gW = gy^T x)
through fastgrad's GEMM entry point (the BLAS fastgrad uses) into
preallocated outputs.

Targets: T2 (64-32-10, batch 32) <= 0.4x PyTorch with fused Adam; T3 (784-512-256-10,
batch 128) <= 1.0x PyTorch with MKL GEMMs and <= 1.15x its GEMMs; T4
(784-1024-1024-10, batch 1024) <= 1.02x PyTorch with MKL, <= 1.05x its GEMMs.

The workloads are defined in fastgrad/demo/workloads.py (shared with `fastgrad bench`
and bench/bench_gpu.py).

Run:  pytest bench/bench_training.py --benchmark-only --benchmark-group-by=group \
          --benchmark-columns=median,iqr,rounds
"""

import pytest

import ratios
from fastgrad.demo import workloads
from peers import torch_or_skip

MLPS = workloads.MLPS


def group_name(tid):
    return f"{tid} training step: {workloads.mlp_name(*MLPS[tid])}"


FLOOR = "floor: the step's GEMMs alone (fastgrad gemm)"
# benchmark name: the timed step of an MLP (sizes, batch)
STEPS = {
    "fastgrad": lambda mlp: workloads.mlp_fastgrad(*mlp),
    "torch (Adam default)": lambda mlp: workloads.mlp_torch(torch_or_skip(), *mlp, adam="default"),
    "torch (Adam fused)": lambda mlp: workloads.mlp_torch(torch_or_skip(), *mlp, adam="fused"),
    FLOOR: lambda mlp: workloads.mlp_gemm_floor(*mlp),
}


# The ratios the targets are stated in, printed after the groups.
RATIOS = [(group_name("T2"), "fastgrad", "torch (Adam fused)", "target <= 0.4x"),
          (group_name("T3"), "fastgrad", FLOOR, "target <= 1.15x"),
          (group_name("T3"), "fastgrad", "torch (Adam default)", "target <= 1.0x"),
          (group_name("T4"), "fastgrad", FLOOR, "target <= 1.05x"),
          (group_name("T4"), "fastgrad", "torch (Adam default)", "target <= 1.02x")]


print_ratios = ratios.printed_after_module("T2-T4 ratios (medians of this run):", RATIOS)


@pytest.mark.parametrize("tid", list(MLPS))
@pytest.mark.parametrize("name", list(STEPS), ids=["fastgrad", "torch-adam-default", "torch-adam-fused", "gemm-floor"])
def test_step(benchmark, tid, name):
    benchmark.group = group_name(tid)
    benchmark.name = name
    benchmark(STEPS[name](MLPS[tid]))
    ratios.record(benchmark)
