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


def plot_lr_sensitivity(sweep, labels, out_dir):
    """Loss over steps for each learning rate; a diverged run ends with an x at its last finite loss."""
    fig, ax = _figure()
    for run, label in zip(sweep, labels):
        losses = np.asarray(run.losses, dtype=np.float64)
        finite = np.isfinite(losses)
        steps = np.arange(1, len(losses) + 1)
        line, = ax.plot(steps[finite], losses[finite], linewidth=1.2,
                        label=f"lr {run.lr:g}: {label}")
        if run.diverged and finite.any():
            last = np.flatnonzero(finite)[-1]
            ax.plot(steps[last], losses[last], "x", color=line.get_color(), markersize=9)
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("training loss")
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
