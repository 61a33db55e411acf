"""T1: per-op overhead on tiny tensors, forward + backward.

200 ops (`x = x * 1.01 + 0.1`, 100 times) on shape (16,), then backward
(fastgrad/demo/workloads.py).  Target: fastgrad <= 0.3x PyTorch's time.
NumPy runs the forward only: the floor.
"""
import ratios
from fastgrad.demo import workloads
from peers import torch_or_skip

STEPS = 100  # two ops each
GROUP = "T1 per-op overhead: 200 ops on (16,), fwd+bwd"


print_ratios = ratios.printed_after_module("T1 ratios (medians of this run):", [
    (GROUP, "test_fastgrad", "test_torch", "target <= 0.3x"),
    (GROUP, "test_fastgrad", "test_numpy_forward_only", "NumPy: the forward alone")])


def timed(benchmark, fn):
    benchmark.group = GROUP
    benchmark(fn)
    ratios.record(benchmark)


def test_fastgrad(benchmark):
    timed(benchmark, workloads.overhead_fastgrad(STEPS))


def test_torch(benchmark):
    timed(benchmark, workloads.overhead_torch(torch_or_skip(), STEPS))


def test_numpy_forward_only(benchmark):
    timed(benchmark, workloads.overhead_numpy(STEPS))
