"""`fastgrad bench`: a short run of the benchmark groups, as one table of ratios.

Each row times fastgrad, plain NumPy and PyTorch (when installed) on identical
inputs with the same thread count, and the floor where one exists, round by
round in turn. Ratios are fastgrad's median time over the peer's: below 1
means fastgrad is faster.
The full suites, with pytest-benchmark's statistics, are in bench/.
"""
import json
import os
import platform
import sys

import numpy as np

CASE_KEYS = ("overhead", "sigmoid", "relu", "adam", "adam-many", "mlp-small", "mlp-medium")
GPU_CASE_KEYS = ("sigmoid", "relu", "adam", "mlp-medium", "mlp-large")


def case_keys(device):
    return CASE_KEYS if device == "cpu" else GPU_CASE_KEYS


def add_arguments(parser):
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    parser.add_argument("--quick", action="store_true", help="tiny sizes and short timings (a smoke test)")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for every library, >= 1 (default: fastgrad's current count)")
    parser.add_argument("--only", default=None, metavar="KEY,...",
                        help="run only these cases: " + ", ".join(CASE_KEYS))
    parser.add_argument("--device", default="cpu",
                        help="cpu (default), or cuda / cuda:N: fastgrad on CuPy beside PyTorch CUDA, "
                             "cases " + ", ".join(GPU_CASE_KEYS))
    parser.add_argument("--budget", type=float, default=None,
                        help="seconds of timing per measurement, > 0 (default 0.25, 0.02 with --quick)")


def measure(case, budget):
    """Median seconds for each peer of a case, timed round by round (None where a peer is absent)."""
    from .bench_timing import interleaved_medians

    fns = {peer: getattr(case, peer) for peer in ("fastgrad", "numpy", "torch", "floor")
           if getattr(case, peer) is not None}
    medians = interleaved_medians(fns, budget)
    row = {"case": case.name, "numpy_label": case.numpy_label, "floor_label": case.floor_label}
    for peer in ("fastgrad", "numpy", "torch", "floor"):
        row[peer] = medians.get(peer)
    for peer in ("numpy", "torch", "floor"):
        row[f"fastgrad/{peer}"] = row["fastgrad"] / row[peer] if row[peer] else None
    return row


def _time(seconds):
    if seconds is None:
        return "-"
    for scale, unit in ((1.0, "s"), (1e-3, "ms"), (1e-6, "us")):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-6:.3g} us"


def _ratio(value):
    return "-" if value is None else f"{value:.2f}x"


def format_table(rows):
    header = ["case", "fastgrad", "NumPy", "PyTorch", "floor", "vs NumPy", "vs PyTorch", "vs floor"]
    body = [[r["case"], _time(r["fastgrad"]), _time(r["numpy"]), _time(r["torch"]), _time(r["floor"]),
             _ratio(r["fastgrad/numpy"]), _ratio(r["fastgrad/torch"]), _ratio(r["fastgrad/floor"])]
            for r in rows]
    widths = [max(len(line[i]) for line in [header] + body) for i in range(len(header))]

    def fmt(cells):
        return "  ".join(f"{c:<{w}}" if i == 0 else f"{c:>{w}}" for i, (c, w) in enumerate(zip(cells, widths)))

    return "\n".join([fmt(header), "  ".join("-" * w for w in widths)] + [fmt(line) for line in body])


def footnotes(rows):
    notes = sorted({f"{r['case']}: NumPy column is {r['numpy_label']}" for r in rows
                    if r["numpy_label"] != "NumPy"})
    floors = sorted({r["floor_label"] for r in rows if r["floor_label"]})
    return notes + [f"floor: {label}" for label in floors]


def machine():
    import fastgrad

    torch = sys.modules.get("torch")
    return {
        "fastgrad": fastgrad.__version__,
        "numpy": np.__version__,
        "torch": getattr(torch, "__version__", None),
        "python": platform.python_version(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
    }


def check_arguments(args):
    """Raise ValueError naming the flag and what it allows."""
    keys = case_keys(args.device)
    unknown = set(key.strip() for key in args.only.split(",")) - set(keys) if args.only else set()
    if unknown:
        raise ValueError(f"--only: unknown case(s) {', '.join(sorted(unknown))}; choose from {', '.join(keys)}")
    if args.threads is not None and args.threads < 1:
        raise ValueError(f"--threads must be >= 1, got {args.threads}")
    if args.budget is not None and not 0 < args.budget < float("inf"):
        raise ValueError(f"--budget is seconds of timing per measurement and must be > 0, got {args.budget:g}")


def run(args):
    """Run the benchmark cases; returns the process exit code."""
    from .cli import check_device

    try:
        check_arguments(args)
        check_device(args.device)
    except ValueError as e:
        print(f"fastgrad bench: error: {e}", file=sys.stderr)
        return 2
    try:
        return measure_and_report(args)
    except KeyboardInterrupt:
        print("\nfastgrad bench: interrupted", file=sys.stderr)
        return 130


def measure_and_report(args):
    import fastgrad as fg

    from .bench_cases import all_cases
    from .bench_timing import set_threads
    threads = args.threads or fg.get_num_threads()
    threads_note = set_threads(threads)
    budget = args.budget or (0.02 if args.quick else 0.25)
    rows = []
    wanted = [key.strip() for key in args.only.split(",")] if args.only else None
    for key, build in all_cases(args.device, quick=args.quick):
        if wanted and key not in wanted:
            continue
        case = build()
        rows.append(measure(case, budget))
        if not args.json:
            print(f"  measured {case.name}", file=sys.stderr, flush=True)
    result = {"threads": threads, "threads_set": threads_note, "device": args.device, "machine": machine(),
              "rows": rows}
    if args.json:
        json.dump(result, sys.stdout, indent=1)
        print()
        return 0
    print(format_table(rows))
    print()
    for note in footnotes(rows):
        print(note)
    print(f"ratios are fastgrad / peer (medians of interleaved rounds; < 1 means fastgrad is faster); "
          f"threads: {threads_note}")
    if sys.modules.get("torch") is None:
        print("PyTorch is not installed: its column is empty")
    print("full suites: pytest bench --benchmark-only --benchmark-group-by=group")
    return 0
