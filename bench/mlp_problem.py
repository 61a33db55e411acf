"""The MLP training-step problems shared by the CPU and GPU step benchmarks."""
import numpy as np

from fastgrad import nn


def group_name(gid, sizes, batch):
    return f"{gid} training step: MLP {'-'.join(map(str, sizes))}, batch {batch}, Adam, float32"


def problem(sizes, batch):
    """Inputs, integer targets and PyTorch-style initial (weight, bias) pairs, seeded."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], batch)
    weights = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(fan_in)
        weights.append((rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32),
                        rng.uniform(-bound, bound, fan_out).astype(np.float32)))
    return x, y, weights


def fastgrad_model(weights):
    """Linear/ReLU layers holding the given weights."""
    layers = []
    for i, (w, b) in enumerate(weights):
        lin = nn.Linear(w.shape[1], w.shape[0])
        lin.weight.data[...] = w
        lin.bias.data[...] = b
        layers.append(lin)
        if i < len(weights) - 1:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)
