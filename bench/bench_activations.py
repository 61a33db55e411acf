"""T7: sigmoid and relu forward + backward on 10M float32.

Each group times, on the same arrays and thread count:
- fastgrad: y = fg.sigmoid(x); y.backward(g) (x requires grad, so x.grad is the
  backward's fresh output), the way a training step runs it;
- PyTorch: the same through torch.sigmoid and autograd;
- NumPy: the same arithmetic written with NumPy ufuncs (fresh outputs);
- the bandwidth floor: a plain copy x -> y and a plain add (y, g) -> gx into
  preallocated arrays, split over the same number of threads: the arrays a
  forward and a backward must read and write, with no arithmetic and no page
  faults.

The workloads are defined in fastgrad/demo/workloads.py (shared with `fastgrad bench`).

Targets: fastgrad <= 0.5x PyTorch and within 1.5x of the floor.

Run:  pytest bench/bench_activations.py --benchmark-only --benchmark-group-by=group \
          --benchmark-columns=median,iqr,rounds
"""
import pytest

from fastgrad.demo import workloads
from peers import torch_or_skip

N = 10_000_000


def group(op):
    return f"T7 {op} forward+backward, 10M float32"


PEERS = {
    "fastgrad": lambda op: workloads.activation_fastgrad(op, N),
    "torch": lambda op: workloads.activation_torch(torch_or_skip(), op, N),
    "numpy": lambda op: workloads.activation_numpy(op, N),
    "floor: copy + add": lambda op: workloads.activation_floor(N),
}


@pytest.mark.parametrize("peer", list(PEERS))
@pytest.mark.parametrize("op", ["sigmoid", "relu"])
def test_activation(benchmark, op, peer):
    benchmark.group = group(op)
    benchmark.name = peer
    benchmark(PEERS[peer](op))
