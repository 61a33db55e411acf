"""EarlyStopping (patience, min_delta, best weights restored) and the learning-rate range test."""
import math

import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn, optim
from fastgrad.utils.data import DataLoader
from fastgrad.utils.early_stopping import EarlyStopping
from fastgrad.utils.lr_finder import LRFinder, lr_range_test


def test_early_stopping_patience_and_min_delta():
    stopper = EarlyStopping(patience=2, min_delta=0.1)
    results = [stopper.step(v) for v in [1.0, 0.8, 0.75, 0.72, 0.71]]
    # 0.75, 0.72 and 0.71 are not better than 0.8 by more than 0.1: the third stops.
    assert results == [False, False, False, False, True]
    assert stopper.best == 0.8 and stopper.best_step == 2 and stopper.should_stop
    high = EarlyStopping(patience=0, mode="max")
    assert [high.step(v) for v in [0.5, 0.6, 0.6]] == [False, False, True]
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(mode="up")


def test_early_stopping_restores_best_weights():
    model = nn.Linear(2, 1)
    stopper = EarlyStopping(patience=1)
    best = None
    for i, metric in enumerate([3.0, 1.0, 2.0, 2.5]):
        model.weight.data[...] = i
        if metric == 1.0:
            best = model.weight.data.copy()
        if stopper.step(metric, model):
            break
    assert stopper.should_stop
    np.testing.assert_array_equal(model.weight.data, best)


def _regression():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 4)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5], [3.0]], np.float32)).astype(np.float32)
    return x, y


def test_lr_range_test_restores_and_suggests():
    fg.manual_seed(0)
    x, y = _regression()
    model = nn.Linear(4, 1)
    opt = optim.SGD(model.parameters(), lr=0.123, momentum=0.9)
    before = {k: v.data.copy() for k, v in model.state_dict().items()}
    loader = iter(DataLoader((x, y), batch_size=32, shuffle=True, seed=0))

    def closure():
        nonlocal loader
        try:
            xb, yb = next(loader)
        except StopIteration:
            loader = iter(DataLoader((x, y), batch_size=32, shuffle=True, seed=0))
            xb, yb = next(loader)
        loss = nn.MSELoss()(model(xb), yb)
        loss.backward()
        return loss.item()

    result = lr_range_test(model, opt, closure, start_lr=1e-5, end_lr=10.0, num_iter=80)
    assert result.lrs[0] == pytest.approx(1e-5)
    assert all(b > a for a, b in zip(result.lrs, result.lrs[1:]))
    assert len(result.lrs) < 80                         # stopped once the loss blew up
    assert 1e-3 <= result.suggested_lr <= 1.0
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v.data, before[k])
    assert opt.param_groups[0]["lr"] == 0.123 and not opt.state


def test_lr_finder_with_loader():
    fg.manual_seed(1)
    x, y = _regression()
    model = nn.Linear(4, 1)
    opt = optim.Adam(model.parameters(), lr=1e-3)
    result = LRFinder(model, opt, nn.MSELoss()).range_test(DataLoader((x, y), batch_size=64), start_lr=1e-4,
                                                            end_lr=1.0, num_iter=30)
    assert len(result.lrs) == len(result.losses) and math.isfinite(result.suggested_lr)
    assert result.losses[-1] < result.losses[0]
    with pytest.raises(ValueError, match="start_lr"):
        lr_range_test(model, opt, lambda: 0.0, start_lr=1.0, end_lr=0.1)
