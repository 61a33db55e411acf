"""Cross entropy in a plan (jit/lowerers.py CrossEntropy): loss and logits' gradient equal eager bit for bit
over reductions, dtypes, ignored targets (all of them: NaN), label smoothing and a scaled loss."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.nn import functional as F


def _loss_and_grad(reduction, ignore_index, smoothing, scale):
    def f(logits, target):
        loss = F.cross_entropy(logits, target, ignore_index=ignore_index, label_smoothing=smoothing,
                               reduction=reduction)
        (loss * scale if scale != 1 else loss).backward()
        return loss, logits.grad

    return f


def _inputs(rng, dtype, rows, classes, ignored):
    logits = fg.tensor(rng.standard_normal((rows, classes)).astype(dtype), requires_grad=True)
    target = rng.integers(0, classes, rows)
    target[:ignored] = -1
    return logits, fg.tensor(target)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("smoothing, scale", [(0.0, 1), (0.1, 1), (0.0, 2.5)])
def test_loss_and_gradient_equal_eager(rng, dtype, reduction, smoothing, scale):
    f = _loss_and_grad(reduction, -1, smoothing, scale)
    jitted = fg.jit(f)
    for ignored in [0, 3, 0, 5, 7]:  # 7 of 7: no target counts, the mean is NaN
        logits, target = _inputs(rng, dtype, 7, 4, ignored)
        twin = fg.tensor(logits.data.copy(), requires_grad=True)
        loss, grad = f(logits, target)
        jloss, jgrad = jitted(twin, target)
        assert jloss.data.dtype == loss.data.dtype and jgrad.data.dtype == grad.data.dtype
        assert np.array_equal(jloss.data, loss.data, equal_nan=True)
        assert np.array_equal(jgrad.data, grad.data)
    (plan,) = jitted.plans()
    assert plan.calls == 3 and plan.kept == []
    assert "CrossEntropy forward" in plan.lowered and "CrossEntropy backward" in plan.lowered
