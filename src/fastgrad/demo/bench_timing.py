"""Timing for `fastgrad bench`: peers timed round by round, equal threads, a parallel copy."""
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .optional import optional_import


def _calls_per_round(fn, round_s):
    """Warm fn up, then how many calls make a round of about round_s, and one call's time."""
    fn()
    t0 = time.perf_counter()
    fn()
    once = max(time.perf_counter() - t0, 1e-7)
    return max(1, int(round_s / once)), once


def interleaved_medians(fns, budget_s=0.25, min_rounds=5, max_rounds=200, round_s=0.002):
    """Median seconds per call of each callable in the dict `fns`.

    Each round times every callable once (`number` calls each, number chosen
    so a round of one callable lasts about `round_s`), in an order that rotates
    from round to round, so that a change in the machine's load during the
    measurement touches every peer alike. As many rounds as fit in
    `budget_s` per callable, within [min_rounds, max_rounds].
    """
    names = list(fns)
    plan = {name: _calls_per_round(fns[name], round_s) for name in names}
    per_round = sum(number * once for number, once in plan.values())
    rounds = int(min(max_rounds, max(min_rounds, budget_s * len(names) / per_round)))
    samples = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            fn, number = fns[name], plan[name][0]
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            samples[name].append((time.perf_counter() - t0) / number)
    return {name: float(np.median(times)) for name, times in samples.items()}


def median_time(fn, budget_s=0.25, **kwargs):
    """Median seconds per call of fn() (see interleaved_medians)."""
    return interleaved_medians({"fn": fn}, budget_s, **kwargs)["fn"]


def parallel_copy(dst, src, threads):
    """A callable copying src into dst, split into `threads` slices copied concurrently
    (NumPy releases the GIL while copying); one plain np.copyto for one thread or small arrays."""
    if threads <= 1 or src.size < threads * 65536:
        return lambda: np.copyto(dst, src)
    bounds = np.linspace(0, src.size, threads + 1).astype(int)
    chunks = [(dst[a:b], src[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
    pool = ThreadPoolExecutor(threads)

    def run():
        for future in [pool.submit(np.copyto, d, s) for d, s in chunks]:
            future.result()

    return run


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
