"""PNG plots of the demo's runs (matplotlib, drawn off-screen without pyplot)."""
import os

import numpy as np

from .optional import require

PLOT_FILES = {
    "loss": "loss_curves.png",
    "accuracy": "test_accuracy.png",
    "lr_sensitivity": "lr_sensitivity.png",
}


def _figure(width=7.0, height=4.2):
    require("matplotlib", "plots")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=110)
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot(1, 1, 1)


def smooth(values, window):
    """Trailing mean over the last `window` finite values; NaN and inf stay visible as gaps."""
    values = np.asarray(values, dtype=np.float64)
    if window <= 1 or len(values) < 2:
        return values
    finite = np.isfinite(values)
    sums = np.concatenate([[0.0], np.cumsum(np.where(finite, values, 0.0))])
    counts = np.concatenate([[0], np.cumsum(finite)])
    hi = np.arange(1, len(values) + 1)
    lo = np.maximum(0, hi - window)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (sums[hi] - sums[lo]) / (counts[hi] - counts[lo])
    out[~finite] = np.nan
    return out


def _save(fig, out_dir, key):
    path = os.path.join(out_dir, PLOT_FILES[key])
    fig.tight_layout()
    fig.savefig(path)
    return path


def plot_losses(runs, out_dir):
    fig, ax = _figure()
    for run in runs:
        steps = np.arange(1, len(run.losses) + 1)
        window = max(1, len(run.losses) // 50)
        line, = ax.plot(steps, run.losses, alpha=0.25, linewidth=0.8)
        ax.plot(steps, smooth(run.losses, window), color=line.get_color(), linewidth=1.6,
                label=f"{run.optimizer} (lr {run.lr:g})")
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("training loss (cross-entropy)")
    ax.set_title("Training loss per optimizer")
    ax.legend()
    ax.grid(True, alpha=0.3)
    return _save(fig, out_dir, "loss")


def plot_accuracy(runs, out_dir, target):
    fig, ax = _figure()
    for run in runs:
        ax.plot(run.eval_steps, run.test_accuracy, marker=".", markersize=3,
                label=f"{run.optimizer} (final {run.final_test_accuracy:.1%})")
    ax.axhline(target, color="gray", linestyle="--", linewidth=1, label=f"{target:.0%}")
    ax.set_xlabel("step")
    ax.set_ylabel("test accuracy")
    ax.set_title("Test accuracy per optimizer")
    ax.legend(loc="lower right")
    ax.grid(True, alpha=0.3)
    return _save(fig, out_dir, "accuracy")


def plot_lr_sensitivity(sweep, labels, out_dir, window=10):
    """Loss over steps for each learning rate (trailing mean of `window` steps), on a log
    scale capped at 1000x the starting loss. A run that diverged (non-finite loss) ends
    with an x where it leaves the plot.
    """
    fig, ax = _figure()
    starts = [run.losses[0] for run in sweep if run.losses and np.isfinite(run.losses[0])]
    top = 1e3 * max(starts) if starts else None
    lowest = []
    for run, label in zip(sweep, labels):
        losses = np.asarray(run.losses, dtype=np.float64)
        finite = np.isfinite(losses)
        steps = np.arange(1, len(losses) + 1)
        curve = smooth(losses, window)
        if run.diverged:
            label = f"{label} (non-finite loss at step {run.steps})"
        line, = ax.plot(steps[finite], curve[finite], linewidth=1.4, label=f"lr {run.lr:g}: {label}")
        positive = curve[finite & (curve > 0)]
        if positive.size:
            lowest.append(positive.min())
        if run.diverged and finite.any():
            last = np.flatnonzero(finite)[-1]
            y = curve[last] if top is None else min(curve[last], top)
            ax.plot(steps[last], y, "x", color=line.get_color(), markersize=9, clip_on=False)
    ax.set_yscale("log")
    if top is not None and lowest:
        ax.set_ylim(bottom=0.5 * min(lowest), top=top)
    ax.set_xlabel("step")
    ax.set_ylabel(f"training loss (mean of {window} steps)")
    optimizer = sweep[0].optimizer if sweep else ""
    ax.set_title(f"Learning-rate sensitivity ({optimizer})")
    ax.legend()
    ax.grid(True, alpha=0.3)
    return _save(fig, out_dir, "lr_sensitivity")


def write_plots(runs, sweep, sweep_labels, out_dir, target):
    """Write every plot that has data; returns the paths written."""
    paths = []
    if runs:
        paths.append(plot_losses(runs, out_dir))
        paths.append(plot_accuracy(runs, out_dir, target))
    if sweep:
        paths.append(plot_lr_sensitivity(sweep, sweep_labels, out_dir))
    return paths
