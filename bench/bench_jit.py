"""fastgrad.jit (capture and replay) beside eager fastgrad and its peers.

Groups (each jitted callable is recorded and checked before timing, so every
timed call is a replay; workloads in fastgrad/demo/jit_workloads.py):

- "jit: MLP step 64-32-10": forward, cross-entropy, zero_grad, backward and
  Adam on batch 32, float32: fastgrad jitted, fastgrad eager, PyTorch eager.
- "jit: regression grad x NxD": d/dw of mean((tanh(x @ w) - y)**2) +
  0.01 * sum(w**2), float64, x 32x3 and 256x64: fastgrad jitted and eager,
  torch.func.grad, JAX eager and jax.jit (JAX only when installed).
- "jit: T1 per-op overhead": T1's 200 ops on (16,) with backward, jitted
  beside eager fastgrad and PyTorch.

"fastgrad jit" replays the lowered plan (fastgrad/jit/lowering.py), "fastgrad
jit step by step" the recording's steps (jit(..., lower=False)).  After the
groups, the ratios the targets are stated in are printed (medians): the MLP
step against PyTorch eager (target <= 0.15x), the regression gradient against
jax.jit (target <= 2x), T1 jitted against eager.

Run:  pytest bench/bench_jit.py --benchmark-only --benchmark-group-by=group \\
          --benchmark-columns=median,iqr,rounds
"""
import pytest

import ratios
from fastgrad.demo import jit_workloads, workloads
from peers import torch_or_skip

MLP = ((64, 32, 10), 32)
MLP_GROUP = "jit: MLP step 64-32-10, batch 32, Adam, float32"
REGRESSIONS = [(32, 3), (256, 64)]
T1_STEPS = 100
T1_GROUP = "jit: T1 per-op overhead, 200 ops on (16,), fwd+bwd"


JIT_MODES = {"jit": dict(jit=True), "jit step by step": dict(jit=True, lower=False), "eager": dict(jit=False)}
# (group, numerator, denominator, what the issue asks) of each ratio printed after the groups
RATIOS = [(MLP_GROUP, "fastgrad jit", "torch eager", "target <= 0.15x"),
          (MLP_GROUP, "fastgrad jit step by step", "torch eager", ""),
          (MLP_GROUP, "fastgrad eager", "torch eager", "")]


def regression_group(n, d):
    return f"jit: regression grad, x {n}x{d}, float64"


for _n, _d in REGRESSIONS:
    RATIOS += [(regression_group(_n, _d), "fastgrad jit", "jax.jit", "target <= 2x"),
               (regression_group(_n, _d), "fastgrad jit step by step", "jax.jit", "")]
RATIOS += [(T1_GROUP, "fastgrad jit", "fastgrad eager", "T1 under jit beside eager"),
           (T1_GROUP, "fastgrad jit", "torch eager", "")]

def timed(benchmark, group, name, fn):
    benchmark.group = group
    benchmark.name = name
    benchmark(fn)
    ratios.record(benchmark)


print_ratios = ratios.printed_after_module("jit ratios (medians of this run):", RATIOS)


@pytest.mark.parametrize("mode", list(JIT_MODES))
def test_mlp_step_fastgrad(benchmark, mode):
    timed(benchmark, MLP_GROUP, f"fastgrad {mode}", jit_workloads.mlp_step_fastgrad(*MLP, **JIT_MODES[mode]))


def test_mlp_step_torch(benchmark):
    torch = torch_or_skip()
    timed(benchmark, MLP_GROUP, "torch eager", workloads.mlp_torch(torch, *MLP))


@pytest.mark.parametrize("n, d", REGRESSIONS)
@pytest.mark.parametrize("mode", list(JIT_MODES))
def test_regression_grad_fastgrad(benchmark, n, d, mode):
    timed(benchmark, regression_group(n, d), f"fastgrad {mode}",
          jit_workloads.regression_grad_fastgrad(n, d, **JIT_MODES[mode]))


@pytest.mark.parametrize("n, d", REGRESSIONS)
@pytest.mark.parametrize("jit", [True, False], ids=["jit", "eager"])
def test_regression_grad_jax(benchmark, n, d, jit):
    jax = pytest.importorskip("jax", reason="JAX not installed: its columns are skipped")
    timed(benchmark, regression_group(n, d), "jax.jit" if jit else "jax eager",
          jit_workloads.regression_grad_jax(jax, n, d, jit))


@pytest.mark.parametrize("n, d", REGRESSIONS)
def test_regression_grad_torch_func(benchmark, n, d):
    torch = torch_or_skip()
    timed(benchmark, regression_group(n, d), "torch.func.grad", jit_workloads.regression_grad_torch(torch, n, d))


@pytest.mark.parametrize("lower", [True, False], ids=["lowered", "step by step"])
def test_overhead_fastgrad_jit(benchmark, lower):
    timed(benchmark, T1_GROUP, "fastgrad jit" if lower else "fastgrad jit step by step",
          jit_workloads.overhead_fastgrad_jit(T1_STEPS, lower))


def test_overhead_fastgrad_eager(benchmark):
    timed(benchmark, T1_GROUP, "fastgrad eager", workloads.overhead_fastgrad(T1_STEPS))


def test_overhead_torch(benchmark):
    timed(benchmark, T1_GROUP, "torch eager", workloads.overhead_torch(torch_or_skip(), T1_STEPS))
