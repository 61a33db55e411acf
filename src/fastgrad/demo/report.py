"""The demo's summary table and its JSON file."""
import json
import os
import platform

import numpy as np

TABLE_COLUMNS = ("optimizer", "lr", "steps to {target}", "final test acc", "wall time", "time/step")


def format_table(runs, target):
    """A plain-text table: one row per run, columns as in TABLE_COLUMNS."""
    header = [c.format(target=f"{target:.0%}") for c in TABLE_COLUMNS]
    rows = []
    for run in runs:
        reached = run.steps_to(target)
        rows.append([
            run.optimizer,
            f"{run.lr:g}",
            str(reached) if reached is not None else f"not in {run.steps}",
            f"{run.final_test_accuracy:.1%}",
            f"{run.wall_time_s:.2f} s",
            f"{run.time_per_step_s * 1e3:.3f} ms",
        ])
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    align = ["<"] + [">"] * (len(header) - 1)

    def fmt(cells):
        return "  ".join(f"{cell:{a}{w}}" for cell, a, w in zip(cells, align, widths))

    lines = [fmt(header), "  ".join("-" * w for w in widths)] + [fmt(r) for r in rows]
    return "\n".join(lines)


def environment():
    """Where the numbers were measured."""
    import fastgrad

    return {
        "fastgrad": fastgrad.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "processor": platform.processor() or "unknown",
        "cpu_count": os.cpu_count(),
        "fastgrad_threads": fastgrad.get_num_threads(),
    }


def build_report(config, runs, sweep, sweep_labels, target):
    """The JSON-ready dict behind the table and the plots."""
    return {
        "config": config,
        "target_accuracy": target,
        "runs": [run.to_dict(target) for run in runs],
        "lr_sensitivity": {
            "optimizer": sweep[0].optimizer if sweep else None,
            "labels": list(sweep_labels),
            "runs": [run.to_dict(target) for run in sweep],
        },
        "environment": environment(),
    }


def write_json(report, path):
    """Write the report as indented JSON (NaN and infinity are not allowed)."""
    with open(path, "w") as f:
        json.dump(report, f, indent=1, allow_nan=False)
        f.write("\n")
    return path
