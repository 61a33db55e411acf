"""Timing for `fastgrad bench`: medians of calibrated rounds, equal threads, copy bandwidth."""
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .optional import optional_import


def median_time(fn, budget_s=0.25, min_rounds=5, max_rounds=200, round_s=0.002):
    """Median seconds per call of fn().

    One warm-up call, then rounds of `number` calls each (number chosen so a
    round lasts about `round_s`), as many rounds as fit in `budget_s`, within
    [min_rounds, max_rounds].
    """
    fn()
    t0 = time.perf_counter()
    fn()
    once = max(time.perf_counter() - t0, 1e-7)
    number = max(1, int(round_s / once))
    rounds = int(min(max_rounds, max(min_rounds, budget_s / (once * number))))
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - t0) / number)
    return float(np.median(samples))


def set_threads(n):
    """Use n threads in fastgrad's kernels, NumPy's BLAS (threadpoolctl) and PyTorch.

    Returns a note for the report saying what could be set.
    """
    import fastgrad as fg

    fg.set_num_threads(n)
    notes = [f"fastgrad {n}"]
    threadpoolctl = optional_import("threadpoolctl")
    if threadpoolctl is not None:
        threadpoolctl.threadpool_limits(n)
        notes.append(f"BLAS {n}")
    else:
        notes.append("BLAS default (threadpoolctl not installed)")
    torch = optional_import("torch")
    if torch is not None:
        torch.set_num_threads(n)
        notes.append(f"PyTorch {n}")
    return ", ".join(notes)


def copy_bandwidth(n_bytes, threads, budget_s=0.25):
    """Bytes per second of a plain float32 copy into an existing array (read + write counted).

    The best of one thread and `threads` threads copying a slice each.
    """
    n = max(1, n_bytes // 4)
    src = np.ones(n, np.float32)
    dst = np.empty_like(src)
    best = median_time(lambda: np.copyto(dst, src), budget_s)
    if threads > 1 and n >= threads * 1024:
        bounds = np.linspace(0, n, threads + 1).astype(int)
        chunks = [(dst[a:b], src[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
        with ThreadPoolExecutor(threads) as pool:
            def parallel_copy():
                list(pool.map(lambda pair: np.copyto(*pair), chunks))

            best = min(best, median_time(parallel_copy, budget_s))
    return 2 * 4 * n / best
