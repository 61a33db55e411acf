"""Rprop and ASGD against PyTorch beyond the parameters: the state (PyTorch's keys and values,
ASGD's average `ax` and its scalars eta and mu), parameters that are views, and parameters
that join a group later."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad import optim

SHAPES = [(3, 4), (), (6,)]
OPTIONS = [("Rprop", dict(lr=0.05, etas=(0.4, 1.3), step_sizes=(1e-4, 0.2))),
           ("ASGD", dict(lr=0.05, lambd=0.05, alpha=0.6, t0=5.0, weight_decay=0.01))]


def _grads(rng, dtype, steps):
    return [[rng.standard_normal(s).astype(dtype) for s in SHAPES] for _ in range(steps)]


def _run_both(torch, name, kw, dtype, steps=30):
    rng = np.random.default_rng(11)
    init = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    ours = [fg.tensor(a.copy(), requires_grad=True) for a in init]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in init]
    opt, topt = getattr(optim, name)(ours, **kw), getattr(torch.optim, name)(theirs, **kw)
    for grads in _grads(rng, dtype, steps):
        for p, q, g in zip(ours, theirs, grads):
            p.grad, q.grad = g.copy(), torch.tensor(g)
        opt.step()
        topt.step()
    return opt, topt


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,kw", OPTIONS, ids=[o[0] for o in OPTIONS])
def test_state_has_pytorchs_keys_and_values(name, kw, dtype):
    torch = pytest.importorskip("torch")
    opt, topt = _run_both(torch, name, kw, dtype)
    ours, theirs = opt.state_dict(), topt.state_dict()
    assert sorted(ours["state"]) == sorted(theirs["state"])
    tol = 1e-6 if dtype == np.float32 else 1e-13
    for index, state in theirs["state"].items():
        assert list(ours["state"][index]) == list(state)        # same keys, in PyTorch's order
        for key, value in state.items():
            np.testing.assert_allclose(np.asarray(ours["state"][index][key], np.float64),
                                       value.detach().numpy().astype(np.float64), rtol=tol, atol=tol,
                                       err_msg=key)
    group_keys = set(theirs["param_groups"][0]) - {"capturable", "differentiable"}
    assert group_keys | {"fused"} == set(ours["param_groups"][0])


def test_asgd_average_follows_pytorch_once_averaging_starts():
    """With t0 = 5 the average ax departs from the parameter from step 7 on; mu and eta are
    kept in float32 as PyTorch keeps them."""
    torch = pytest.importorskip("torch")
    opt, topt = _run_both(torch, "ASGD", dict(lr=0.05, lambd=0.05, t0=5.0), np.float64, steps=12)
    for p, tp in zip(opt.param_groups[0]["params"], topt.param_groups[0]["params"]):
        ax, tax = opt.state[p]["ax"], topt.state[tp]["ax"].numpy()
        assert not np.allclose(ax, p._data)
        np.testing.assert_allclose(ax, tax, rtol=1e-13, atol=1e-13)
        assert opt.state[p]["mu"] == topt.state[tp]["mu"].item() == np.float32(1 / 7)
        assert opt.state[p]["eta"] == topt.state[tp]["eta"].item()


@pytest.mark.parametrize("name,kw", OPTIONS, ids=[o[0] for o in OPTIONS])
def test_views_and_other_dtypes_take_the_twin_with_the_same_result(name, kw):
    """A parameter that is a transposed view, or float16, is stepped by the reference twin."""
    rng = np.random.default_rng(4)
    base = rng.standard_normal((5, 3))
    grads = [rng.standard_normal((3, 5)) for _ in range(8)]

    def run(make, dtype):
        w = make()
        opt = getattr(optim, name)([w], **kw)
        for g in grads:
            w.grad = np.ascontiguousarray(g.T).astype(dtype) if w.shape == (5, 3) else g.astype(dtype)
            opt.step()
        return np.asarray(w._data, np.float64)

    fused = run(lambda: fg.tensor(base.copy(), requires_grad=True), np.float64)
    view = run(lambda: fg.from_numpy(np.asfortranarray(base.copy())).requires_grad_(), np.float64)
    np.testing.assert_allclose(view, fused, rtol=1e-13, atol=1e-15)
    half = run(lambda: fg.tensor(base.astype(np.float16), requires_grad=True), np.float16)
    np.testing.assert_allclose(half, fused, rtol=2e-2, atol=2e-2)


@pytest.mark.parametrize("name,kw", OPTIONS, ids=[o[0] for o in OPTIONS])
def test_a_parameter_added_later_follows_pytorch(name, kw):
    """A group added after some steps starts its own step count (ASGD: its own eta and mu)."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    a0, b0 = rng.standard_normal(4), rng.standard_normal(3)
    a, b = fg.tensor(a0.copy(), requires_grad=True), fg.tensor(b0.copy(), requires_grad=True)
    ta, tb = torch.tensor(a0.copy(), requires_grad=True), torch.tensor(b0.copy(), requires_grad=True)
    opt, topt = getattr(optim, name)([a], **kw), getattr(torch.optim, name)([ta], **kw)
    for step in range(16):
        if step == 6:
            opt.add_param_group({"params": [b]})
            topt.add_param_group({"params": [tb]})
        ga, gb = rng.standard_normal(4), rng.standard_normal(3)
        a.grad, ta.grad = ga.copy(), torch.tensor(ga)
        if step >= 6:
            b.grad, tb.grad = gb.copy(), torch.tensor(gb)
        opt.step()
        topt.step()
    np.testing.assert_allclose(a._data, ta.detach().numpy(), rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(b._data, tb.detach().numpy(), rtol=1e-13, atol=1e-13)
    assert opt.state[b]["step"] == 10 and opt.state[a]["step"] == 16
