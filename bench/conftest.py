"""Benchmarks: pytest-benchmark groups, fastgrad beside its peers on identical inputs.

Run:   pytest bench --benchmark-only --benchmark-group-by=group --benchmark-columns=median,iqr,rounds
Smoke: pytest bench --benchmark-disable   (what CI runs, so the suites cannot rot)
"""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))  # for `peers`

THREADS = int(os.environ.get("FASTGRAD_BENCH_THREADS", "2"))


@pytest.fixture(scope="session", autouse=True)
def same_threads_everywhere():
    """One thread count for fastgrad's OpenMP, BLAS and PyTorch."""
    import fastgrad as fg

    fg.set_num_threads(THREADS)
    try:
        import threadpoolctl

        limiter = threadpoolctl.threadpool_limits(THREADS)
    except ImportError:
        limiter = None
    try:
        import torch

        torch.set_num_threads(THREADS)
    except ImportError:
        pass
    yield
    if limiter is not None:
        limiter.restore_original_limits()


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter, config):
    """Lines a bench module left in `config.bench_summary_lines` (bench_jit.py's ratios), printed last,
    then how often fastgrad's kernels found their thread team late and ran on one thread for a while
    (csrc/fg_parallel.h's contention back-off): on a quiet machine, never."""
    lines = getattr(config, "bench_summary_lines", None)
    if lines:
        terminalreporter.write_line("")
        for line in lines:
            terminalreporter.write_line(line)
    from fastgrad import _C

    terminalreporter.write_line(f"fastgrad contention back-offs during this run: {_C.contention_backoffs()}")
