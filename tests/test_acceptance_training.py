"""ACCEPTANCE.md examples 8-13: optimizers, schedules and training, as exact checks."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn, optim
from fastgrad.optim import lr_scheduler
from fastgrad.utils.data import DataLoader, TensorDataset


def test_8_gradient_descent_on_w_squared():
    w = fg.tensor(np.array(3.0), requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    seen = []
    for _ in range(3):
        opt.zero_grad()
        (w * w).backward()
        opt.step()
        seen.append(float(w.item()))
    np.testing.assert_allclose(seen, [2.4, 1.92, 1.536], rtol=1e-9)


def _two_steps(**kw):
    w = fg.tensor(np.array([1.0, 1.0]), requires_grad=True)
    opt = optim.SGD([w], lr=0.01, **kw)
    for _ in range(2):
        opt.zero_grad()
        (10 * w[0] ** 2 + 0.1 * w[1] ** 2).backward()
        opt.step()
    return w.data


def test_9_sgd_and_both_momentum_conventions():
    np.testing.assert_allclose(_two_steps(), [0.64, 0.996004], rtol=1e-12)
    np.testing.assert_allclose(_two_steps(momentum=0.9), [0.46, 0.994204], rtol=1e-12)
    # "v = beta v + (1 - beta) g" (v0 = 0): v1 = 0.1 g1, v2 = 0.09 g1 + 0.1 g2.
    g1 = np.array([20.0, 0.2])
    w1 = 1 - 0.01 * 0.1 * g1
    g2 = np.array([20 * w1[0], 0.2 * w1[1]])
    np.testing.assert_allclose(_two_steps(momentum=0.9, momentum_form="ema"), w1 - 0.01 * (0.09 * g1 + 0.1 * g2),
                               rtol=1e-12)


@pytest.mark.parametrize("cls", [optim.Adam, optim.AdamW])
def test_10_adam_first_step_is_lr_times_sign(cls):
    rng = np.random.default_rng(0)
    g = rng.standard_normal(50)
    w0 = rng.standard_normal(50)
    w = fg.tensor(w0.copy(), requires_grad=True)
    opt = cls([w], lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    w.grad = g.copy()
    opt.step()
    np.testing.assert_allclose(w.data - w0, -1e-3 * g / (np.abs(g) + 1e-8), rtol=1e-9)


@pytest.mark.parametrize("cls,wd", [(optim.Adam, 0.0), (optim.Adam, 0.1), (optim.AdamW, 0.1)])
def test_10_adam_fused_matches_reference_over_100_float32_steps(cls, wd):
    rng = np.random.default_rng(1)
    w0 = rng.standard_normal(1000).astype(np.float32)
    grads = [rng.standard_normal(1000).astype(np.float32) for _ in range(100)]

    def run(**implementation):
        w = fg.tensor(w0.copy(), requires_grad=True)
        opt = cls([w], lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=wd, **implementation)
        for g in grads:
            w.grad = g.copy()
            opt.step()
        return w.data

    fused = run()
    reference = run(fused=False)   # the reference twin
    np.testing.assert_allclose(fused, reference, rtol=1e-6)


def test_11_warmup_then_cosine():
    f = lambda t: lr_scheduler.warmup_cosine(t, 2000, 100000, 3e-4, 3e-5)  # noqa: E731
    assert f(0) == 0
    np.testing.assert_allclose([f(2000), f(100000), f(51000)], [3e-4, 3e-5, 1.65e-4], rtol=1e-9)


def _noisy_line(seed, n, slope, intercept, noise):
    """n points: x uniform in [-1, 1] (one column), y = slope x + intercept + Gaussian noise of std `noise`."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, 1))
    return x, slope * x + intercept + noise * rng.standard_normal((n, 1))


def _assert_fits_line(model, slope, intercept):
    assert abs(float(model.weight.data[0, 0]) - slope) < 0.05
    assert abs(float(model.bias.data[0]) - intercept) < 0.05


def test_12_linear_regression_full_batch():
    x, y = _noisy_line(0, 100, 3, 7, 0.1)
    model = nn.Linear(1, 1, dtype=np.float64)
    opt = optim.SGD(model.parameters(), lr=0.1)
    xt, yt = fg.tensor(x), fg.tensor(y)
    for _ in range(200):
        opt.zero_grad()
        nn.functional.mse_loss(model(xt), yt).backward() if hasattr(nn, "functional") else \
            nn.MSELoss()(model(xt), yt).backward()
        opt.step()
    _assert_fits_line(model, 3, 7)


def test_12_mini_batch_sgd_converges():
    x, y = _noisy_line(1, 512, 2, 1, 0.05)
    model = nn.Linear(1, 1, dtype=np.float64)
    opt = optim.SGD(model.parameters(), lr=0.01)
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True, seed=0)
    for _ in range(100):
        for xb, yb in loader:
            opt.zero_grad()
            nn.MSELoss()(model(xb), yb).backward()
            opt.step()
    _assert_fits_line(model, 2, 1)


@pytest.mark.parametrize("make_opt,clip", [
    (lambda p: optim.SGD(p, lr=0.01), False),
    (lambda p: optim.Adam(p, lr=0.01), False),
    (lambda p: optim.AdamW(p, lr=0.01, betas=(0.9, 0.95), weight_decay=0.1), True),
])
def test_13_pytorch_style_loop(make_opt, clip):
    fg.manual_seed(0)
    rng = np.random.default_rng(2)
    x_np = rng.standard_normal((64, 10)).astype(np.float32)
    x = fg.tensor(x_np)
    y = fg.tensor(x_np @ rng.standard_normal((10, 1)).astype(np.float32) + 0.5)
    model = nn.Linear(10, 1)
    optimizer = make_opt(model.parameters())
    mse = nn.functional.mse_loss if hasattr(nn, "functional") else nn.MSELoss()
    losses = []
    for _ in range(100):
        loss = mse(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        if clip:
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
