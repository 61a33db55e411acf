"""T9: gradient checkpointing on a 24-layer MLP: activation memory and step time.

A 24-layer MLP (width 512, batch 256, Linear + ReLU, float32), one training
step (forward, cross-entropy, backward, Adam): plain, and with
checkpoint_sequential in 6 segments (only each segment's input is kept; the
segment is recomputed in the backward).  Targets: activation memory down
>= 3x, step time <= 1.4x.  The timing is a pytest-benchmark group; the
activation memory (what the forward leaves allocated for the backward:
tracemalloc's count after the forward minus before it) and the peak of the
whole step above the memory held between steps (which also counts the
gradients being formed, the same in both runs) are printed and stored in
extra_info.

Run:  pytest bench/bench_checkpoint.py --benchmark-only --benchmark-group-by=group \
          --benchmark-columns=median,iqr,rounds -s
"""
import tracemalloc

import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn, optim
from fastgrad.nn import functional as F
from fastgrad.utils.checkpoint import checkpoint_sequential

DEPTH, WIDTH, BATCH, CLASSES, SEGMENTS = 24, 256, 256, 10, 6
GROUP = f"T9 checkpointing: {DEPTH}-layer MLP width {WIDTH}, batch {BATCH}, one Adam step"


def _setup():
    fg.manual_seed(0)
    layers = []
    for _ in range(DEPTH - 1):
        layers += [nn.Linear(WIDTH, WIDTH), nn.ReLU()]
    body = nn.Sequential(*layers)
    head = nn.Linear(WIDTH, CLASSES)
    opt = optim.Adam(list(body.parameters()) + list(head.parameters()), lr=1e-4)
    rng = np.random.default_rng(0)
    x = fg.tensor(rng.standard_normal((BATCH, WIDTH)).astype(np.float32))
    y = rng.integers(0, CLASSES, BATCH)
    return body, head, opt, x, y


def _stepper(use_checkpoint):
    body, head, opt, x, y = _setup()

    def forward():
        h = checkpoint_sequential(body, SEGMENTS, x) if use_checkpoint else body(x)
        return F.cross_entropy(head(h), y)

    def step(loss=None):
        loss = forward() if loss is None else loss
        opt.zero_grad(set_to_none=False)
        loss.backward()
        opt.step()
        return loss

    return forward, step


def memory(use_checkpoint):
    """(bytes the forward keeps for the backward, peak of a whole step above the steady state)."""
    forward, step = _stepper(use_checkpoint)
    step()
    tracemalloc.start()
    step()   # steady state: grads and optimizer state exist
    base, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    loss = forward()
    kept, _ = tracemalloc.get_traced_memory()
    step(loss)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return kept - base, peak - base


@pytest.mark.parametrize("use_checkpoint", [False, True], ids=["plain", "checkpointed"])
def test_step(benchmark, use_checkpoint):
    benchmark.group = GROUP
    benchmark.name = f"fastgrad {'checkpoint_sequential(6 segments)' if use_checkpoint else 'plain'}"
    _, step = _stepper(use_checkpoint)
    step()
    benchmark(step)
    kept, peak = memory(use_checkpoint)
    benchmark.extra_info.update(activation_bytes=kept, step_peak_bytes=peak)
    if use_checkpoint:
        plain_kept, plain_peak = memory(False)
        benchmark.extra_info["activation_ratio_plain_over_checkpointed"] = plain_kept / kept
        print(f"\n  activations kept by the forward: plain {plain_kept:,} B, checkpointed {kept:,} B, "
              f"ratio {plain_kept / kept:.2f}x; step peak: plain {plain_peak:,} B, checkpointed {peak:,} B")
