"""T8: memory of a training step with Adam, and no growth over 1000 steps.

For the T3 MLP (784-512-256-10, batch 128, float32): bytes per parameter
held by parameters + gradients + Adam's two moments (target: 16) and the
peak of one step above that (the activations), with tracemalloc (which sees
NumPy's allocations); then the traced growth over 100 steps and the
resident set size after step 10 and after step 1000 (target: no growth).
Printed and stored in the benchmark's extra_info.  PyTorch is not traced by
tracemalloc, so it has no column here.

Run:  pytest bench/bench_memory.py --benchmark-only -s
"""
import tracemalloc

import numpy as np

import fastgrad as fg
from fastgrad import nn, optim
from fastgrad.nn import functional as F

SIZES, BATCH = (784, 512, 256, 10), 128


def _model():
    layers = []
    for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(SIZES) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def measure(steps=1000):
    rng = np.random.default_rng(0)
    x = fg.tensor(rng.standard_normal((BATCH, SIZES[0])).astype(np.float32))
    y = rng.integers(0, SIZES[-1], BATCH)
    fg.manual_seed(0)
    tracemalloc.start()
    model = _model()
    params = list(model.parameters())
    n = sum(p.size for p in params)
    opt = optim.Adam(params, lr=1e-3)

    def step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad(set_to_none=False)
        loss.backward()
        opt.step()

    step()
    persistent = sum(p.data.nbytes + p.grad.nbytes for p in params)
    state = sum(a.nbytes for s in opt.state.values() for a in s.values() if isinstance(a, np.ndarray))
    base, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    step()
    _, peak = tracemalloc.get_traced_memory()
    for _ in range(8):
        step()
    traced_10, _ = tracemalloc.get_traced_memory()
    for _ in range(100):
        step()
    traced_110, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_10 = _rss()
    for _ in range(steps - 110):
        step()
    rss_all = _rss()
    return {
        "parameters": n,
        "bytes_per_param_params_grads": persistent / n,
        "bytes_per_param_adam_state": state / n,
        "bytes_per_param_total": (persistent + state) / n,
        "activation_peak_bytes": peak - base,
        "traced_growth_bytes_steps_10_to_110": traced_10 and traced_110 - traced_10,
        "rss_after_110_steps": rss_10,
        f"rss_after_{steps}_steps": rss_all,
        "rss_growth_bytes": rss_all - rss_10,
    }


def _rss():
    """Resident set size in bytes (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            import os
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def test_memory_per_parameter_and_growth(benchmark):
    benchmark.group = "T8 memory: MLP 784-512-256-10, batch 128, Adam, float32"
    benchmark.name = "fastgrad, 1000 steps"
    steps = 120 if benchmark.disabled else 1000   # smoke runs (--benchmark-disable) stay short
    result = benchmark.pedantic(measure, args=(steps,), rounds=1, iterations=1)
    benchmark.extra_info.update(result)
    print()
    for k, v in result.items():
        print(f"  {k}: {v:,.2f}" if isinstance(v, float) else f"  {k}: {v:,}")
