"""Train the demo's MLP with one optimizer and record what happened."""
import math
import time

import numpy as np

import fastgrad as fg
from fastgrad.nn import functional as F
from fastgrad.utils.data import DataLoader, TensorDataset

from .model import build_model
from .optimizers import make_optimizer
from .progress import progress_bar
from .results import RunResult


def make_loader(x, y, batch_size, seed, device="cpu"):
    """Shuffled mini-batches whose order depends only on `seed`, from data on `device`."""
    dataset = TensorDataset(fg.as_tensor(x, device=device), fg.as_tensor(y, device=device))
    return DataLoader(dataset, batch_size=batch_size, shuffle=True, seed=seed)


def host(array):
    """A NumPy copy of a NumPy or CuPy array (the demo's own bookkeeping reads results back)."""
    return array.get() if hasattr(array, "get") else np.asarray(array)


def accuracy(model, x, y, device="cpu", amp=None):
    """Fraction of rows of x whose largest logit is the label y (the model in eval mode meanwhile,
    so that batch normalization uses its running statistics; under autocast with `amp`)."""
    training = model.training
    model.eval()
    try:
        with fg.no_grad(), mixed_precision(amp):
            logits = model(fg.as_tensor(x, device=device))
    finally:
        model.train(training)
    return float(np.mean(np.argmax(host(logits._data), axis=1) == y))


def mixed_precision(amp):
    """autocast in `amp` ("bf16" or "fp16"), or off when amp is None."""
    return fg.autocast(dtype=amp or "bfloat16", enabled=amp is not None)


def training_step(model, opt, jit=False, amp=None):
    """step(xb, yb) -> (loss, logits): forward, cross-entropy, zero_grad, backward, optimizer step;
    recorded once per batch shape and replayed after with jit=True (fastgrad.jit: the same numbers).
    With amp ("bf16" or "fp16") the forward and the loss run under fastgrad.autocast (fp16 with a
    GradScaler): float32 weights and gradients, 16-bit matrix products."""
    scaler = fg.amp.GradScaler(enabled=amp == "fp16")

    def step(xb, yb):
        with mixed_precision(amp):
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
        opt.zero_grad()
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        return loss, logits

    return fg.jit(step) if jit else step


def train_run(split, optimizer, lr, *, epochs=20, batch_size=32, hidden=64, activation="relu",
              seed=0, eval_every=10, max_steps=None, progress="auto", desc=None, device="cpu", model="mlp",
              jit=False, amp=None):
    """Train a fresh `model` ("mlp" or "cnn"; same initial weights for a given seed) and return its RunResult.

    Each step: next mini-batch, logits = model(x), loss = cross_entropy(logits, y),
    zero_grad, backward, step (train_time_s adds up these steps alone; jit=True runs the step
    through fastgrad.jit). The
    test set is scored before training, every `eval_every` steps and after the
    last step. A non-finite loss stops the run (diverged=True).
    """
    model = build_model(model, split.num_features, hidden, split.num_classes, activation, seed).to(device)
    opt = make_optimizer(optimizer, model.parameters(), lr)
    loader = make_loader(split.x_train, split.y_train, batch_size, seed, device)
    step = training_step(model, opt, jit, amp)
    total = epochs * len(loader)
    if max_steps is not None:
        total = min(total, max_steps)
    result = RunResult(optimizer=optimizer, lr=lr)
    result.eval_steps.append(0)
    result.test_accuracy.append(accuracy(model, split.x_test, split.y_test, device, amp))
    start = time.perf_counter()
    # a diverging rate overflows on purpose (learning-rate sweep): no warnings for that
    with progress_bar(total, desc or optimizer, kind=progress) as bar, np.errstate(over="ignore", invalid="ignore"):
        while result.steps < total and not result.diverged:      # one epoch per pass
            seen = correct = 0
            t0 = time.perf_counter()
            for xb, yb in loader:
                loss, logits = step(xb, yb)
                value = loss.item()
                result.train_time_s += time.perf_counter() - t0     # batch fetch included
                result.steps += 1
                result.losses.append(value)
                labels = host(yb._data)
                seen += len(labels)
                correct += int(np.sum(np.argmax(host(logits._data), axis=1) == labels))
                result.diverged = not math.isfinite(value)
                if result.diverged or result.steps % eval_every == 0 or result.steps == total:
                    result.eval_steps.append(result.steps)
                    result.test_accuracy.append(accuracy(model, split.x_test, split.y_test, device, amp))
                bar.set_metrics(loss=value, acc=correct / seen, test=result.test_accuracy[-1])
                bar.update(1)
                if result.diverged or result.steps >= total:
                    break
                t0 = time.perf_counter()
    result.wall_time_s = time.perf_counter() - start
    return result
