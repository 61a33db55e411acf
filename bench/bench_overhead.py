"""T1: per-op overhead on tiny tensors, forward + backward.

200 ops (`x = x * 1.01 + 0.1`, 100 times) on shape (16,), then backward
(fastgrad/demo/workloads.py).  Target: fastgrad <= 0.3x PyTorch's time.
NumPy runs the forward only: the floor.
"""
from fastgrad.demo import workloads
from peers import torch_or_skip

STEPS = 100  # two ops each
GROUP = "T1 per-op overhead: 200 ops on (16,), fwd+bwd"


def test_fastgrad(benchmark):
    benchmark.group = GROUP
    benchmark(workloads.overhead_fastgrad(STEPS))


def test_torch(benchmark):
    benchmark.group = GROUP
    benchmark(workloads.overhead_torch(torch_or_skip(), STEPS))


def test_numpy_forward_only(benchmark):
    benchmark.group = GROUP
    benchmark(workloads.overhead_numpy(STEPS))
