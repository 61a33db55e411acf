"""optim.swap_in_optimizer_params_and_state: steps inside the block change only the swap-in
parameters and state (the live ones are untouched and restored with their hyperparameters), the
same values as PyTorch's for the same swap-in, and its refusals."""
import copy

import numpy as np
import pytest

import fastgrad as fg
from fastgrad.optim import swap_in_optimizer_params_and_state


def _setup(lib, arrays, grads, make):
    params = [lib.nn.Parameter(lib.tensor(a)) for a in arrays]
    optimizer = make(lib, params)
    for p, g in zip(params, grads):
        p.grad = lib.tensor(g)
    optimizer.step()                      # initialized state
    return params, optimizer


MAKERS = {
    "Adam two groups": lambda lib, ps: lib.optim.Adam([{"params": ps[:1]}, {"params": ps[1:], "lr": 0.01}], lr=0.1),
    "SGD momentum": lambda lib, ps: lib.optim.SGD(ps, lr=0.05, momentum=0.9),
}


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_steps_change_only_the_swapped_in_copies_as_pytorch(name, rng):
    torch = pytest.importorskip("torch")
    arrays = [rng.standard_normal((3, 2)), rng.standard_normal(4)]
    grads = [rng.standard_normal((3, 2)), rng.standard_normal(4)]
    results = {}
    for lib in (fg, torch):
        params, optimizer = _setup(lib, arrays, grads, MAKERS[name])
        live_values = [p.detach().numpy().copy() for p in params]
        live_state = copy.deepcopy(optimizer.state_dict())
        swapin_state = copy.deepcopy(optimizer.state_dict())
        swapin_state["param_groups"][0]["lr"] = 0.3                  # hyperparameters come from it too
        trial = {f"p{i}": lib.tensor(p.detach().numpy().copy()) for i, p in enumerate(params)}
        for i, t in enumerate(trial.values()):
            t.grad = lib.tensor(grads[i] * 2)
        with lib.optim.swap_in_optimizer_params_and_state(optimizer, trial, swapin_state):
            assert optimizer.param_groups[0]["lr"] == 0.3
            optimizer.step()
            optimizer.step()
        assert optimizer.param_groups[0]["lr"] == live_state["param_groups"][0]["lr"]
        for p, before in zip(params, live_values):
            np.testing.assert_array_equal(p.detach().numpy(), before)
        for i, s in optimizer.state_dict()["state"].items():
            for key, value in s.items():
                np.testing.assert_array_equal(np.asarray(value), np.asarray(live_state["state"][i][key]))
        states = {i: {k: np.asarray(v) for k, v in s.items()} for i, s in swapin_state["state"].items()}
        results[lib.__name__] = ([t.detach().numpy() for t in trial.values()], states)
    (mine, mine_state), (theirs, their_state) = results["fastgrad"], results["torch"]
    for a, b in zip(mine, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    for i in their_state:
        for key, value in their_state[i].items():
            np.testing.assert_allclose(mine_state[i][key], value, rtol=1e-12, atol=1e-14)


def test_a_sequence_of_parameters_and_tensors_in_the_state(rng):
    p = fg.nn.Parameter(fg.tensor(rng.standard_normal(3)))
    optimizer = fg.optim.Adam([p], lr=0.1)
    p.grad = fg.ones(3, dtype=fg.float64)
    optimizer.step()
    saved = copy.deepcopy(optimizer.state_dict())
    saved["state"][0] = {k: fg.tensor(np.asarray(v)) for k, v in saved["state"][0].items()}
    trial = p.detach().clone()
    trial.grad = fg.ones(3, dtype=fg.float64)
    with swap_in_optimizer_params_and_state(optimizer, [trial], saved):
        optimizer.step()
    assert saved["state"][0]["step"].item() == 2                       # counted in the swap-in state
    assert not np.array_equal(trial.numpy(), p.detach().numpy())
    assert optimizer.state[p]["step"] == 1


def test_refusals(rng):
    p = fg.nn.Parameter(fg.zeros(2))
    optimizer = fg.optim.SGD([p], lr=0.1)
    with pytest.raises(RuntimeError, match="requires initialized optimizer state"):
        with swap_in_optimizer_params_and_state(optimizer, [p], optimizer.state_dict()):
            pass
    optimizer = fg.optim.Adam([p])
    p.grad = fg.ones(2)
    optimizer.step()
    saved = optimizer.state_dict()
    cases = [([p, p], saved, "got 2 parameters"), ([p], {"state": {}}, "shaped as optimizer.state_dict()"),
             ([fg.zeros(3)], saved, r"has shape \(3,\)"),
             ([p], {"state": {}, "param_groups": []}, "0 parameter groups")]
    for params, state, words in cases:
        with pytest.raises(RuntimeError, match=words):
            with swap_in_optimizer_params_and_state(optimizer, params, state):
                pass
