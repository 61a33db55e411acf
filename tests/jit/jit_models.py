"""Workloads shared by the jit tests: the demo's MLP step and the six-op regression loss."""
import numpy as np

import fastgrad as fg
import fastgrad.numpy as fnp
from fastgrad.demo.model import build_mlp
from fastgrad.nn import functional as F


def regression_loss(w, x, y):
    """mean((tanh(x @ w) - y)**2) + 0.01 * sum(w**2)"""
    return fnp.mean((fnp.tanh(x @ w) - y) ** 2) + 0.01 * fnp.sum(w ** 2)


def regression_data(rng, n, d, dtype=np.float64):
    x = rng.standard_normal((n, d)).astype(dtype)
    y = rng.standard_normal((n, 1)).astype(dtype)
    w = rng.standard_normal((d, 1)).astype(dtype)
    return w, x, y


def demo_model_and_adam(features=64, hidden=32, classes=10, seed=0, lr=1e-3):
    """The demo's MLP (fresh, initial weights from `seed`) and an Adam optimizer over it."""
    model = build_mlp(features, hidden, classes, "relu", seed)
    return model, fg.optim.Adam(model.parameters(), lr=lr)


def training_step(model, optimizer):
    """The demo's step: logits, cross-entropy, zero_grad, backward, step."""
    def step(x, y):
        logits = model(x)
        loss = F.cross_entropy(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss, logits

    return step


def batches(rng, count, batch=32, features=64, classes=10):
    for _ in range(count):
        yield (fg.tensor(rng.standard_normal((batch, features)).astype(np.float32)),
               fg.tensor(rng.integers(0, classes, batch)))


def demo_steps_jitted_and_eager(rng, count, **jit_options):
    """`count` demo steps run eagerly and jitted on the same batches, each step's loss and logits
    checked equal bit for bit; returns ((eager model, optimizer), (jitted model, optimizer), jitted step)."""
    eager_model, eager_opt = demo_model_and_adam()
    jit_model, jit_opt = demo_model_and_adam()
    eager = training_step(eager_model, eager_opt)
    jitted = fg.jit(training_step(jit_model, jit_opt), **jit_options)
    for i, (x, y) in enumerate(batches(rng, count)):
        loss, logits = eager(x, y)
        jloss, jlogits = jitted(x, y)
        assert np.array_equal(jloss.data, loss.data), i
        assert np.array_equal(jlogits.data, logits.data), i
    return (eager_model, eager_opt), (jit_model, jit_opt), jitted
