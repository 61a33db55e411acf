"""Gradient checkpointing: keep fewer activations, recompute them during backward.

A 24-layer MLP (width 128, batch 256) runs one forward + backward twice:
normally, and with `checkpoint_sequential(model, segments, x)`, which keeps
only each segment's input and recomputes the segment during backward. Printed
side by side (NumPy allocations traced by tracemalloc): the activation memory
the graph holds after the forward, the peak memory of the whole step, and the
step time (median of 3). The gradients are the same.

Run:  python examples/gradient_checkpointing.py
"""
import time
import tracemalloc

import numpy as np

import fastgrad as fg
from fastgrad import nn
from fastgrad.utils.checkpoint import checkpoint_sequential


def build(depth=24, width=128, seed=0):
    fg.manual_seed(seed)
    layers = []
    for _ in range(depth):
        layers += [nn.Linear(width, width), nn.Tanh()]
    return nn.Sequential(*layers)


def step(model, x, segments):
    """One forward + backward: (bytes held after forward, peak bytes, seconds, gradients)."""
    model.zero_grad()
    tracemalloc.start()
    start = tracemalloc.get_traced_memory()[0]
    t0 = time.perf_counter()
    out = checkpoint_sequential(model, segments, x) if segments else model(x)
    held = tracemalloc.get_traced_memory()[0] - start
    (out * out).mean().backward()
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] - start
    tracemalloc.stop()
    grads = [p.grad.copy() for p in model.parameters()]
    return held, peak, seconds, grads


def measure(model, x, segments, repeats=3):
    runs = [step(model, x, segments) for _ in range(repeats)]
    held, peak, _, grads = runs[-1]
    return held, peak, float(np.median([r[2] for r in runs])), grads


def main(depth=24, width=128, batch=256, segments=6):
    model = build(depth, width)
    x = fg.tensor(np.random.default_rng(1).standard_normal((batch, width)).astype(np.float32))
    step(model, x, 0)                  # warm up
    plain = measure(model, x, 0)
    ckpt = measure(model, x, segments)
    same = all(np.allclose(a, b, rtol=1e-5, atol=1e-6) for a, b in zip(plain[3], ckpt[3]))
    mib = 1 / 2**20
    print(f"{depth}-layer MLP, width {width}, batch {batch}, float32: one forward + backward")
    print(f"{'':<26} {'activations':>12} {'peak':>10} {'time':>9}")
    for name, (held, peak, seconds, _) in (("plain", plain), (f"checkpointed, {segments} segments", ckpt)):
        print(f"{name:<26} {held * mib:8.1f} MiB {peak * mib:6.1f} MiB {seconds * 1e3:6.1f} ms")
    print(f"activations {plain[0] / ckpt[0]:.1f}x smaller, peak {plain[1] / ckpt[1]:.1f}x smaller, "
          f"time {ckpt[2] / plain[2]:.2f}x; gradients equal: {same}")
    return {"plain_activations": plain[0], "checkpoint_activations": ckpt[0], "plain_peak": plain[1],
            "checkpoint_peak": ckpt[1], "plain_time": plain[2], "checkpoint_time": ckpt[2],
            "gradients_equal": same}


if __name__ == "__main__":
    main()
