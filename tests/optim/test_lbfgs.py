"""LBFGS: step for step against PyTorch (with and without the strong Wolfe line search), and its checks."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad import optim
from fastgrad.optim.line_search import cubic_minimizer

STEPS = 100


def _problem(dtype, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((40, 5)).astype(dtype)
    y = np.tanh(x @ rng.standard_normal((5, 3)) + 0.3).astype(dtype) * 0.9
    w0 = (rng.standard_normal((5, 3)) * 0.1).astype(dtype)
    b0 = np.zeros(3, dtype)
    return x, y, w0, b0


def _loss(lib, x, y, w, b):
    """A small non-quadratic regression: tanh units, squared error, L2 on the weights."""
    return ((lib.tanh(x @ w + b) - y) ** 2).mean() + 0.01 * (w * w).sum()


def _run(lib, dtype, kw):
    """STEPS LBFGS steps with fastgrad or torch (`lib`): the losses, the parameters after each, the optimizer."""
    x, y, w0, b0 = _problem(dtype)
    w, b = lib.tensor(w0.copy(), requires_grad=True), lib.tensor(b0.copy(), requires_grad=True)
    opt = lib.optim.LBFGS([w, b], **kw)
    tx, ty = lib.tensor(x), lib.tensor(y)

    def closure():
        opt.zero_grad()
        loss = _loss(lib, tx, ty, w, b)
        loss.backward()
        return loss

    losses, params = [], []
    for _ in range(STEPS):
        losses.append(float(opt.step(closure)))
        params.append(np.concatenate([np.asarray(w.detach()).ravel(), np.asarray(b.detach()).ravel()]))
    return np.array(losses), np.array(params), opt


OPTIONS = [
    dict(lr=0.5, max_iter=3),
    dict(lr=1, max_iter=4, history_size=5),
    dict(lr=1, max_iter=3, line_search_fn="strong_wolfe"),
    dict(lr=1, max_iter=5, history_size=3, line_search_fn="strong_wolfe"),
]


@pytest.mark.parametrize("kw", OPTIONS, ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()))
def test_matches_pytorch_step_for_step_float64(kw):
    ours, our_params, opt = _run(fg, np.float64, kw)
    theirs, their_params, topt = _run(pytest.importorskip("torch"), np.float64, kw)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(our_params, their_params, rtol=1e-7, atol=1e-9)
    state, tstate = next(iter(opt.state.values())), next(iter(topt.state.values()))
    assert (state["n_iter"], state["func_evals"]) == (tstate["n_iter"], tstate["func_evals"])
    assert ours[-1] < 0.5 * ours[0]       # it does optimize


@pytest.mark.parametrize("kw", OPTIONS[2:3], ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()))
def test_matches_pytorch_in_float32(kw):
    ours, our_params, _ = _run(fg, np.float32, kw)
    theirs, their_params, _ = _run(pytest.importorskip("torch"), np.float32, kw)
    assert our_params.dtype == np.float32
    np.testing.assert_allclose(ours, theirs, rtol=2e-4, atol=1e-5)
    np.testing.assert_allclose(our_params, their_params, rtol=2e-3, atol=2e-4)


def test_one_step_with_the_line_search_solves_a_quadratic():
    """f(w) = sum(k_i (w_i - c_i)^2) / 2: one step of up to 20 iterations reaches c."""
    c = np.array([3.0, -1.0, 2.0])
    k = fg.tensor(np.array([1.0, 4.0, 0.5]))
    w = fg.tensor(np.zeros(3), requires_grad=True)
    opt = optim.LBFGS([w], line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = (k * (w - fg.tensor(c)) ** 2).sum() * 0.5
        loss.backward()
        return loss

    assert float(opt.step(closure)) == pytest.approx(0.5 * (9 + 4 + 2))   # the loss before the step
    np.testing.assert_allclose(w.data, c, rtol=1e-5)   # it stops when the loss changes by < 1e-9


def test_cubic_minimizer():
    # f(t) = (t - 1)^2 has slope -2 at 0 and 2 at 2: the cubic through them is f itself.
    assert cubic_minimizer(0.0, 1.0, -2.0, 2.0, 1.0, 2.0) == pytest.approx(1.0)
    assert cubic_minimizer(2.0, 1.0, 2.0, 0.0, 1.0, -2.0) == pytest.approx(1.0)
    assert cubic_minimizer(0.0, 1.0, -2.0, 2.0, 1.0, 2.0, bounds=(1.5, 3.0)) == 1.5
    assert cubic_minimizer(0.0, 0.0, 1.0, 1.0, 2 / 3, 1.0) == 0.5      # no minimum: the midpoint


def test_checks():
    w = fg.tensor(np.ones(2), requires_grad=True)
    with pytest.raises(ValueError, match="LBFGS: line_search_fn must be None or 'strong_wolfe'"):
        optim.LBFGS([w], line_search_fn="backtracking")
    with pytest.raises(ValueError, match="LBFGS: invalid learning rate"):
        optim.LBFGS([w], lr=-1)
    v = fg.tensor(np.ones(2), requires_grad=True)
    with pytest.raises(ValueError, match="one parameter group"):
        optim.LBFGS([{"params": [w]}, {"params": [v]}])
    opt = optim.LBFGS([w])
    with pytest.raises(ValueError, match="one parameter group"):
        opt.add_param_group({"params": [v]})
    with pytest.raises(TypeError, match="LBFGS.step: a closure is required"):
        opt.step()
