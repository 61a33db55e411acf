"""Learning-rate range test: raise the rate exponentially, record the loss, suggest a rate.

    >>> result = lr_range_test(model, optimizer, closure, start_lr=1e-6, end_lr=1, num_iter=100)
    >>> result.suggested_lr
    >>> optimizer.param_groups[0]["lr"] = result.suggested_lr

The model's parameters and the optimizer's state and rates are restored
afterwards, so the test leaves no trace on training.
"""
import copy
import math
from dataclasses import dataclass, field

import numpy as np

__all__ = ["LRFinder", "LRFinderResult", "lr_range_test"]


@dataclass
class LRFinderResult:
    lrs: list = field(default_factory=list)
    losses: list = field(default_factory=list)           # smoothed
    raw_losses: list = field(default_factory=list)
    suggested_lr: float = float("nan")

    def plot(self, ax=None):
        """Loss against rate on a log axis (needs matplotlib)."""
        try:
            import matplotlib.pyplot as plt
        except ImportError:
            raise ImportError("LRFinderResult.plot needs matplotlib: pip install matplotlib") from None
        ax = ax or plt.gca()
        ax.plot(self.lrs, self.losses)
        ax.set_xscale("log")
        ax.set_xlabel("learning rate")
        ax.set_ylabel("loss (smoothed)")
        if math.isfinite(self.suggested_lr):
            ax.axvline(self.suggested_lr, linestyle="--")
        return ax


def _suggest(lrs, losses, skip_start=10):
    """The rate where the smoothed loss falls fastest against log(lr), between the
    first `skip_start` points (where the average is still settling) and the minimum."""
    if len(losses) < 3:
        return lrs[int(np.argmin(losses))] if losses else float("nan")
    end = int(np.argmin(losses)) + 1
    start = min(skip_start, max(end - 2, 0))
    lrs, losses = np.asarray(lrs[start:end]), np.asarray(losses[start:end])
    if len(losses) < 2:
        return float(lrs[0])
    slope = np.gradient(losses, np.log10(lrs))
    return float(lrs[int(np.argmin(slope))])


def lr_range_test(model, optimizer, closure, start_lr=1e-7, end_lr=10.0, num_iter=100, smooth=0.98,
                  diverge_threshold=4.0):
    """Train for up to num_iter steps with lr = start_lr * (end_lr / start_lr) ** (i / (num_iter - 1)).

    closure(): computes the loss on the next batch, calls backward and returns
    the loss (as for `optimizer.step(closure)`).  The loss is smoothed
    exponentially (factor `smooth`) and the test stops early once it exceeds
    diverge_threshold times the best seen.  The model and optimizer are then
    restored.  Returns an LRFinderResult with the suggested rate (steepest
    descent of the smoothed loss).
    """
    if not 0 < start_lr < end_lr:
        raise ValueError(f"lr_range_test: need 0 < start_lr < end_lr, got {start_lr} and {end_lr}")
    if num_iter < 2:
        raise ValueError(f"lr_range_test: num_iter must be >= 2, got {num_iter}")
    model_state = {k: np.array(v._data, copy=True) for k, v in model.state_dict().items()}
    optim_state = copy.deepcopy(optimizer.state_dict())
    result = LRFinderResult()
    avg, best = 0.0, math.inf
    try:
        for i in range(num_iter):
            lr = start_lr * (end_lr / start_lr) ** (i / (num_iter - 1))
            for group in optimizer.param_groups:
                group["lr"] = lr
            optimizer.zero_grad()
            loss = float(optimizer.step(closure))
            avg = smooth * avg + (1 - smooth) * loss
            smoothed = avg / (1 - smooth ** (i + 1))
            result.lrs.append(lr)
            result.raw_losses.append(loss)
            result.losses.append(smoothed)
            if not math.isfinite(smoothed) or (i > 0 and smoothed > diverge_threshold * best):
                break
            best = min(best, smoothed)
    finally:
        model.load_state_dict(model_state)
        optimizer.load_state_dict(optim_state)
    finite = [(lr, v) for lr, v in zip(result.lrs, result.losses) if math.isfinite(v)]
    if finite:
        result.suggested_lr = _suggest([f[0] for f in finite], [f[1] for f in finite])
    return result


class LRFinder:
    """The range test driven by a data loader and a loss function.

    >>> finder = LRFinder(model, optimizer, nn.CrossEntropyLoss())
    >>> result = finder.range_test(loader, end_lr=1, num_iter=100)
    """

    def __init__(self, model, optimizer, criterion):
        self.model = model
        self.optimizer = optimizer
        self.criterion = criterion

    def range_test(self, train_loader, start_lr=1e-7, end_lr=10.0, num_iter=100, smooth=0.98,
                   diverge_threshold=4.0):
        batches = iter(train_loader)

        def closure():
            nonlocal batches
            try:
                xb, yb = next(batches)
            except StopIteration:
                batches = iter(train_loader)
                xb, yb = next(batches)
            loss = self.criterion(self.model(xb), yb)
            loss.backward()
            return loss.item()

        return lr_range_test(self.model, self.optimizer, closure, start_lr, end_lr, num_iter, smooth,
                             diverge_threshold)
