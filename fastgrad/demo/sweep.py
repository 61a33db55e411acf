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
        run = train_run(split, optimizer, lr, max_steps=steps, epochs=max(1, steps),
                        progress=progress, desc=f"lr {lr:g}", **train_kwargs)
        runs.append(run)
        labels.append(label)
    return runs, labels
