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

Run:  pytest bench/bench_jit.py --benchmark-only --benchmark-group-by=group \\
          --benchmark-columns=median,iqr,rounds
"""
import pytest

from fastgrad.demo import jit_workloads, workloads
from peers import torch_or_skip

MLP = ((64, 32, 10), 32)
MLP_GROUP = "jit: MLP step 64-32-10, batch 32, Adam, float32"
REGRESSIONS = [(32, 3), (256, 64)]
T1_STEPS = 100
T1_GROUP = "jit: T1 per-op overhead, 200 ops on (16,), fwd+bwd"


def regression_group(n, d):
    return f"jit: regression grad, x {n}x{d}, float64"


@pytest.mark.parametrize("jit", [True, False], ids=["jit", "eager"])
def test_mlp_step_fastgrad(benchmark, jit):
    benchmark.group = MLP_GROUP
    benchmark.name = "fastgrad jit" if jit else "fastgrad eager"
    benchmark(jit_workloads.mlp_step_fastgrad(*MLP, jit=jit))


def test_mlp_step_torch(benchmark):
    torch = torch_or_skip()
    benchmark.group = MLP_GROUP
    benchmark.name = "torch eager"
    benchmark(workloads.mlp_torch(torch, *MLP))


@pytest.mark.parametrize("n, d", REGRESSIONS)
@pytest.mark.parametrize("jit", [True, False], ids=["jit", "eager"])
def test_regression_grad_fastgrad(benchmark, n, d, jit):
    benchmark.group = regression_group(n, d)
    benchmark.name = "fastgrad jit" if jit else "fastgrad eager"
    benchmark(jit_workloads.regression_grad_fastgrad(n, d, jit))


@pytest.mark.parametrize("n, d", REGRESSIONS)
@pytest.mark.parametrize("jit", [True, False], ids=["jit", "eager"])
def test_regression_grad_jax(benchmark, n, d, jit):
    jax = pytest.importorskip("jax", reason="JAX not installed: its columns are skipped")
    benchmark.group = regression_group(n, d)
    benchmark.name = "jax.jit" if jit else "jax eager"
    benchmark(jit_workloads.regression_grad_jax(jax, n, d, jit))


@pytest.mark.parametrize("n, d", REGRESSIONS)
def test_regression_grad_torch_func(benchmark, n, d):
    torch = torch_or_skip()
    benchmark.group = regression_group(n, d)
    benchmark.name = "torch.func.grad"
    benchmark(jit_workloads.regression_grad_torch(torch, n, d))


def test_overhead_fastgrad_jit(benchmark):
    benchmark.group = T1_GROUP
    benchmark.name = "fastgrad jit"
    benchmark(jit_workloads.overhead_fastgrad_jit(T1_STEPS))


def test_overhead_fastgrad_eager(benchmark):
    benchmark.group = T1_GROUP
    benchmark.name = "fastgrad eager"
    benchmark(workloads.overhead_fastgrad(T1_STEPS))


def test_overhead_torch(benchmark):
    benchmark.group = T1_GROUP
    benchmark.name = "torch eager"
    benchmark(workloads.overhead_torch(torch_or_skip(), T1_STEPS))
