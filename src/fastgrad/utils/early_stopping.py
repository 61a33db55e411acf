"""Early stopping: stop when a validation metric has not improved for `patience` checks."""
import copy
import math

import numpy as np

__all__ = ["EarlyStopping"]


def _snapshot(model):
    return {k: np.array(v._data if hasattr(v, "_data") else v, copy=True) for k, v in model.state_dict().items()}


class EarlyStopping:
    """Track a metric; `step(metric, model)` returns True when training should stop.

    An improvement is metric < best - min_delta (mode="min") or
    metric > best + min_delta (mode="max").  After `patience` checks without
    one, `should_stop` becomes True and, with restore_best_weights, the
    model's parameters are set back to those of the best check.

    >>> stopper = EarlyStopping(patience=5, min_delta=1e-4)
    >>> for epoch in range(100):
    ...     val_loss = evaluate(model)
    ...     if stopper.step(val_loss, model):
    ...         break
    """

    def __init__(self, patience=5, min_delta=0.0, mode="min", restore_best_weights=True):
        if patience < 0:
            raise ValueError(f"EarlyStopping: patience must be >= 0, got {patience}")
        if min_delta < 0:
            raise ValueError(f"EarlyStopping: min_delta must be >= 0, got {min_delta}")
        if mode not in ("min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'min' or 'max', got {mode!r}")
        self.patience = patience
        self.min_delta = min_delta
        self.mode = mode
        self.restore_best_weights = restore_best_weights
        self.best = math.inf if mode == "min" else -math.inf
        self.best_step = None
        self.best_state = None
        self.num_bad_steps = 0
        self.steps = 0
        self.should_stop = False

    def is_improvement(self, metric):
        if self.mode == "min":
            return metric < self.best - self.min_delta
        return metric > self.best + self.min_delta

    def step(self, metric, model=None):
        """Record one check of the metric; True when the patience has run out."""
        metric = float(metric)
        self.steps += 1
        if self.is_improvement(metric):
            self.best = metric
            self.best_step = self.steps
            self.num_bad_steps = 0
            if model is not None and self.restore_best_weights:
                self.best_state = _snapshot(model)
        else:
            self.num_bad_steps += 1
            if self.num_bad_steps > self.patience:
                self.should_stop = True
                if model is not None:
                    self.restore(model)
        return self.should_stop

    __call__ = step

    def restore(self, model):
        """Load the best parameters seen into `model` (no-op without a saved best state)."""
        if self.restore_best_weights and self.best_state is not None:
            model.load_state_dict(copy.deepcopy(self.best_state))

    def state_dict(self):
        return {k: v for k, v in self.__dict__.items()}

    def load_state_dict(self, state):
        self.__dict__.update(state)
