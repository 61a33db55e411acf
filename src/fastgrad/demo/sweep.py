"""Learning-rate sensitivity: the same run at a too-small, a good, a too-large and a diverging rate."""
from .train import train_run

# plain SGD on the standardised digits: (rate, what it shows)
SWEEP_RATES = (
    (0.001, "too small"),
    (0.1, "good"),
    (1.5, "too large"),
    (20.0, "diverging"),
)


def lr_sweep(split, steps, optimizer="sgd", rates=SWEEP_RATES, progress="auto", **train_kwargs):
    """One run per (rate, label), each at most `steps` steps; returns (runs, labels)."""
    runs, labels = [], []
    for lr, label in rates:
        # epochs=steps is always enough epochs (each has >= 1 step); max_steps stops the run
        run = train_run(split, optimizer, lr, max_steps=steps, epochs=steps,
                        progress=progress, desc=f"lr {lr:g}", **train_kwargs)
        runs.append(run)
        labels.append(label)
    return runs, labels
