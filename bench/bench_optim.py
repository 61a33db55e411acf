"""T5 and T6: one Adam step, fastgrad's fused list kernel beside PyTorch and the bandwidth floor.

T5: one float32 tensor of 10M parameters.  Targets: <= 1.05x PyTorch's
fused Adam, and >= 85% of copy bandwidth.  The floor member moves the same
28 bytes per parameter as Adam (read p, g, m, v; write p, m, v) as an
in-place multi-threaded scaling pass over 3.5 x 10M floats (read 4 + write 4
bytes each) with the same thread count: fastgrad's time / floor's time is
the inverse of the fraction of bandwidth reached.
T6: 100 tensors of 10k float32.  Target: <= 0.6x PyTorch's fused Adam.
Small tensors: 200 tensors of 100 float32, where the per-parameter Python
work of a step shows (no target; fastgrad beside PyTorch).

The workloads are defined in fastgrad/demo/workloads.py (shared with `fastgrad bench`).

Run:  pytest bench/bench_optim.py --benchmark-only --benchmark-group-by=group \
          --benchmark-columns=median,iqr,rounds
"""

import pytest

from fastgrad.demo import workloads
from peers import torch_or_skip

T5 = "T5 Adam step, 1 x 10M float32"
T6 = "T6 Adam step, 100 x 10k float32"
SMALL = "Adam step, 200 x 100 float32"
CASES = {T5: [10_000_000], T6: [10_000] * 100, SMALL: [100] * 200}


@pytest.mark.parametrize("group", list(CASES))
def test_fastgrad_adam(benchmark, group):
    benchmark.group = group
    benchmark.name = "fastgrad Adam (fused C, one call)"
    benchmark(workloads.adam_fastgrad(CASES[group]))


@pytest.mark.parametrize("group", list(CASES))
@pytest.mark.parametrize("mode", ["fused", "foreach", "single-tensor"])
def test_torch_adam(benchmark, group, mode):
    torch = torch_or_skip()
    benchmark.group = group
    benchmark.name = f"torch Adam ({mode})"
    benchmark(workloads.adam_torch(torch, CASES[group], mode))


@pytest.mark.parametrize("group", list(CASES))
def test_bandwidth_floor(benchmark, group):
    """28 bytes per parameter moved by an in-place pass: the time no Adam step can beat."""
    benchmark.group = group
    benchmark.name = "floor: 28 B/param in-place pass"
    benchmark(workloads.adam_floor(CASES[group]))


@pytest.mark.parametrize("group", [T5])
def test_numpy_textbook_adam(benchmark, group):
    benchmark.group = group
    benchmark.name = "NumPy textbook Adam"
    benchmark(workloads.adam_numpy(CASES[group]))
