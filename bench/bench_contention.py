"""Under contention: fastgrad beside PyTorch while other processes keep every core busy.

The module starts one spinning process per core (bench/busy.py) before its
first benchmark and stops them after its last, so each group measures both
libraries, at the same thread count, on a machine whose cores are all taken.
Groups: relu and sigmoid forward+backward at 1M float32, and the T2 and T3
MLP training steps.  Target: fastgrad no slower than PyTorch in each group.

Run:  pytest bench/bench_contention.py --benchmark-only --benchmark-group-by=group \
          --benchmark-columns=median,iqr,rounds
"""
import os

import pytest

from busy import BusyProcesses
from fastgrad.demo import workloads
from peers import torch_or_skip

BUSY = os.cpu_count() or 1
N = 1_000_000
MLPS = {tid: workloads.MLPS[tid] for tid in ("T2", "T3")}


@pytest.fixture(scope="module", autouse=True)
def busy_cores():
    with BusyProcesses(BUSY) as busy:
        yield busy


def _label(what):
    return f"contention ({BUSY} busy processes): {what}"


@pytest.mark.parametrize("peer", ["fastgrad", "torch"])
@pytest.mark.parametrize("op", ["relu", "sigmoid"])
def test_activation_under_contention(benchmark, op, peer):
    benchmark.group = _label(f"{op} forward+backward, 1M float32")
    benchmark.name = peer
    run = (workloads.activation_fastgrad(op, N) if peer == "fastgrad"
           else workloads.activation_torch(torch_or_skip(), op, N))
    benchmark(run)


@pytest.mark.parametrize("peer", ["fastgrad", "torch"])
@pytest.mark.parametrize("tid", list(MLPS))
def test_mlp_step_under_contention(benchmark, tid, peer):
    benchmark.group = _label(f"{tid} training step, {workloads.mlp_name(*MLPS[tid])}")
    benchmark.name = peer
    run = (workloads.mlp_fastgrad(*MLPS[tid]) if peer == "fastgrad"
           else workloads.mlp_torch(torch_or_skip(), *MLPS[tid]))
    benchmark(run)


def test_busy_processes_run_and_stop():
    # The fixture's processes are alive while the module runs; a fresh set stops on exit.
    with BusyProcesses(1) as busy:
        (p,) = busy.processes
        assert p.poll() is None
    assert p.poll() is not None
