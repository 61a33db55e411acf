"""nll_loss in a recording: one op whose targets are an argument, so a replay reads each call's
targets (it once indexed with arrays computed from the first call's targets, and the second
recording was refused as different work).  Loss and gradient equal eager bit for bit."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn
from fastgrad.nn import functional as F


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_loss_replays_with_new_targets(rng, dtype, reduction, weighted):
    weight = rng.random(4).astype(dtype) if weighted else None

    def f(x, target):
        loss = F.nll_loss(F.log_softmax(x, dim=1), target, weight=weight, ignore_index=-1, reduction=reduction)
        (loss.sum() if reduction == "none" else loss).backward()
        return loss, x.grad

    jitted = fg.jit(f)
    for ignored in [0, 2, 1, 3, 0, 6]:
        x = rng.standard_normal((6, 4)).astype(dtype)
        target = rng.integers(0, 4, 6)
        target[:ignored] = -1
        loss, grad = f(fg.tensor(x, requires_grad=True), fg.tensor(target))
        jloss, jgrad = jitted(fg.tensor(x, requires_grad=True), fg.tensor(target))
        assert np.array_equal(jloss.data, loss.data, equal_nan=True)
        assert np.array_equal(jgrad.data, grad.data, equal_nan=True)   # all 6 ignored: a NaN mean
    assert jitted.recordings == 2   # recorded, checked on other inputs, then replayed


def test_mnist_style_step_under_jit_equals_eager(rng):
    def model_and_optimizer():
        fg.manual_seed(0)
        model = nn.Sequential(nn.Linear(12, 16), nn.ReLU(), nn.Linear(16, 5))
        return model, fg.optim.Adadelta(model.parameters(), lr=1.0)

    batches = [(rng.standard_normal((8, 12)).astype(np.float32), rng.integers(0, 5, 8)) for _ in range(6)]
    losses = {}
    for jit in (False, True):
        model, optimizer = model_and_optimizer()

        def step(x, y):
            optimizer.zero_grad()
            loss = F.nll_loss(F.log_softmax(model(x), dim=1), y)
            loss.backward()
            optimizer.step()
            return loss

        run = fg.jit(step) if jit else step
        losses[jit] = [run(fg.tensor(x), fg.tensor(y)).item() for x, y in batches]
        losses[jit, "params"] = [p.detach().numpy().copy() for p in model.parameters()]
    assert losses[True] == losses[False]
    assert all(np.array_equal(a, b) for a, b in zip(losses[True, "params"], losses[False, "params"]))
