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

from fastgrad.demo import workloads
from peers import torch_or_skip

T7_SIZE = 10_000_000
SWEEP = [100_000, 300_000, 1_000_000, 4_000_000]

FLOOR = "floor: one pass moving the same bytes"
PEERS = {
    "fastgrad": lambda op, n: workloads.activation_fastgrad(op, n),
    "torch": lambda op, n: workloads.activation_torch(torch_or_skip(), op, n),
    "numpy": lambda op, n: workloads.activation_numpy(op, n),
    FLOOR: lambda op, n: workloads.activation_floor(n),
}
_MEDIANS = {}  # (group, peer) -> median seconds of the benchmarks that ran


def timed(benchmark, group, peer, fn):
    benchmark.group = group
    benchmark.name = peer
    benchmark(fn)
    stats = getattr(benchmark, "stats", None)
    if stats is not None:
        _MEDIANS[(group, peer)] = stats.stats.median


@pytest.fixture(scope="module", autouse=True)
def print_ratios(request):
    """After the groups: fastgrad's median over the floor's and over PyTorch's (none in smoke mode)."""
    yield
    lines = []
    for group in dict.fromkeys(group for group, _ in _MEDIANS):
        if (group, "fastgrad") not in _MEDIANS:
            continue
        ratios = [f"{_MEDIANS[(group, 'fastgrad')] / _MEDIANS[(group, peer)]:.2f}x {label}"
                  for peer, label in ((FLOOR, "the floor"), ("torch", "PyTorch")) if (group, peer) in _MEDIANS]
        lines.append(f"  {group}: fastgrad {_MEDIANS[(group, 'fastgrad')] * 1e6:.0f} us, " + ", ".join(ratios))
    if lines:  # printed at the end of the run (bench/conftest.py)
        request.config.bench_summary_lines = getattr(request.config, "bench_summary_lines", []) + [
            "activation ratios (medians of this run; targets: sweep <= 1.25x the floor and <= 1.0x PyTorch,"
            " T7 <= 1.5x the floor and <= 0.5x PyTorch):"] + lines


@pytest.mark.parametrize("peer", list(PEERS))
@pytest.mark.parametrize("op", ["sigmoid", "relu"])
def test_activation(benchmark, op, peer):
    timed(benchmark, f"T7 {op} forward+backward, 10M float32", peer, PEERS[peer](op, T7_SIZE))


@pytest.mark.parametrize("peer", list(PEERS))
@pytest.mark.parametrize("n", SWEEP, ids=lambda n: f"{n // 1000}k")
@pytest.mark.parametrize("op", ["sigmoid", "relu"])
def test_activation_sweep(benchmark, op, n, peer):
    timed(benchmark, f"activation sweep: {op} forward+backward, {n:,} float32", peer, PEERS[peer](op, n))
