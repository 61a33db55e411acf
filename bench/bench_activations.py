"""Activations forward + backward: T7 (10M float32) and the mid-size sweep (100k to 4M).

Each group times, on the same arrays and thread count:
- fastgrad: y = fg.sigmoid(x); y.backward(g) (x requires grad, so x.grad is the
  backward's fresh output), the way a training step runs it;
- PyTorch: the same through torch.sigmoid and autograd;
- NumPy: the same arithmetic written with NumPy ufuncs (fresh outputs);
- the floor: one in-place pass through fastgrad's threads moving the 20 bytes per
  element a forward and a backward must move (workloads.activation_floor), timed in
  the same run: a lower bound measured, not assumed.

The workloads are defined in fastgrad/demo/workloads.py (shared with `fastgrad bench`).

Targets: T7 (10M) fastgrad <= 0.5x PyTorch and within 1.5x of the floor; the
sweep (100k, 300k, 1M, 4M) fastgrad <= 1.0x PyTorch and <= 1.25x the floor.

At the end of a timed run each group's ratios are printed: fastgrad's median over
the floor's and over PyTorch's.

Run:  pytest bench/bench_activations.py --benchmark-only --benchmark-group-by=group \
          --benchmark-columns=median,iqr,rounds
"""
import pytest

import ratios
from fastgrad.demo import workloads
from peers import torch_or_skip

T7_SIZE = 10_000_000
SWEEP = [100_000, 300_000, 1_000_000, 4_000_000]
OPS = ["sigmoid", "relu"]

FLOOR = "floor: one pass moving the same bytes"
PEERS = {
    "fastgrad": lambda op, n: workloads.activation_fastgrad(op, n),
    "torch": lambda op, n: workloads.activation_torch(torch_or_skip(), op, n),
    "numpy": lambda op, n: workloads.activation_numpy(op, n),
    FLOOR: lambda op, n: workloads.activation_floor(n),
}


def t7_group(op):
    return f"T7 {op} forward+backward, 10M float32"


def sweep_group(op, n):
    return f"activation sweep: {op} forward+backward, {n:,} float32"


def targets(group, floor_target, torch_target):
    return [(group, "fastgrad", FLOOR, f"target <= {floor_target}"),
            (group, "fastgrad", "torch", f"target <= {torch_target}")]


@pytest.fixture(scope="module", autouse=True)
def print_ratios(request):
    yield
    wanted = [line for op in OPS for line in targets(t7_group(op), 1.5, 0.5)]
    wanted += [line for op in OPS for n in SWEEP for line in targets(sweep_group(op, n), 1.25, 1.0)]
    ratios.print_after(request, "activation ratios (medians of this run):", wanted)


def timed(benchmark, group, peer, fn):
    benchmark.group = group
    benchmark.name = peer
    benchmark(fn)
    ratios.record(benchmark)


@pytest.mark.parametrize("peer", list(PEERS))
@pytest.mark.parametrize("op", OPS)
def test_activation(benchmark, op, peer):
    timed(benchmark, t7_group(op), peer, PEERS[peer](op, T7_SIZE))


@pytest.mark.parametrize("peer", list(PEERS))
@pytest.mark.parametrize("n", SWEEP, ids=lambda n: f"{n // 1000}k")
@pytest.mark.parametrize("op", OPS)
def test_activation_sweep(benchmark, op, n, peer):
    timed(benchmark, sweep_group(op, n), peer, PEERS[peer](op, n))
