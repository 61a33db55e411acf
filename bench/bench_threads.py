"""Threads per kernel: one thread against fastgrad's count, by size, for the
activation kernels.  The threshold below which a kernel runs on one thread
(csrc/fg_parallel.h: work is threaded from two 64k-element chunks up) is read
from these groups, not guessed: where the threaded time is not below the
one-thread time, the kernel should not be threaded.

Run:  pytest bench/bench_threads.py --benchmark-only --benchmark-group-by=group \
          --benchmark-columns=min,median,iqr,rounds
"""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad import _C

SIZES = [16_384, 65_536, 131_072, 262_144, 1_048_576]
KERNELS = {
    "relu_fwd": lambda x, g, out: _C.relu_fwd(x, out=out),
    "sigmoid_fwd": lambda x, g, out: _C.sigmoid_fwd(x, out=out),
    "sigmoid_bwd": lambda x, g, out: _C.sigmoid_bwd(x, g, out=out),
}


@pytest.fixture
def restore_threads():
    before = fg.get_num_threads()
    yield before
    fg.set_num_threads(before)


@pytest.mark.parametrize("threads", ["1 thread", "bench threads"])
@pytest.mark.parametrize("n", SIZES, ids=lambda n: f"{n // 1024}k")
@pytest.mark.parametrize("kernel", list(KERNELS))
def test_kernel_threads(benchmark, restore_threads, kernel, n, threads):
    rng = np.random.default_rng(0)
    x = rng.uniform(0.0, 1.0, n).astype(np.float32)
    g = rng.standard_normal(n, dtype=np.float32)
    out = np.empty_like(x)
    count = 1 if threads == "1 thread" else restore_threads
    fg.set_num_threads(count)
    benchmark.group = f"threads: {kernel}, {n:,} float32 (into a preallocated output)"
    benchmark.name = f"{count} thread{'s' if count > 1 else ''}"
    call = KERNELS[kernel]
    benchmark(call, x, g, out)
