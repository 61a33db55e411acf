"""T1: per-op overhead on tiny tensors, forward + backward.

200 ops (`x = x * 1.01 + 0.1`, 100 times) on shape (16,), then backward.
Target: fastgrad <= 0.5x PyTorch's time.  NumPy runs the forward only: the floor.
"""
import numpy as np

import fastgrad as fg
from peers import torch_or_skip

STEPS = 100  # two ops each


def test_fastgrad(benchmark):
    benchmark.group = "T1 per-op overhead: 200 ops on (16,), fwd+bwd"
    x0 = fg.tensor(np.ones(16, np.float32), requires_grad=True)

    def run():
        x = x0
        for _ in range(STEPS):
            x = x * 1.01 + 0.1
        x.sum().backward()
        x0.grad = None

    benchmark(run)


def test_torch(benchmark):
    torch = torch_or_skip()
    benchmark.group = "T1 per-op overhead: 200 ops on (16,), fwd+bwd"
    x0 = torch.ones(16, requires_grad=True)

    def run():
        x = x0
        for _ in range(STEPS):
            x = x * 1.01 + 0.1
        x.sum().backward()
        x0.grad = None

    benchmark(run)


def test_numpy_forward_only(benchmark):
    benchmark.group = "T1 per-op overhead: 200 ops on (16,), fwd+bwd"
    x0 = np.ones(16, np.float32)

    def run():
        x = x0
        for _ in range(STEPS):
            x = x * np.float32(1.01) + np.float32(0.1)
        return x.sum()

    benchmark(run)
