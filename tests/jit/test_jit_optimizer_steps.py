"""optimizer.step() in a plan (jit/optimizer_steps.py): the generated step equals Optimizer.step bit for bit,
and every change it cannot follow (groups, arrays, states, switches, step numbers) takes the eager way."""
import numpy as np
import pytest

import fastgrad as fg

from jit_models import batches, demo_model_and_adam, training_step


def _pair(make_opt):
    """Two equal (model, optimizer, step) triples; the second step is jitted."""
    out = []
    for jit in (False, True):
        model, _ = demo_model_and_adam()
        opt = make_opt(model)
        step = training_step(model, opt)
        out.append((model, opt, fg.jit(step) if jit else step))
    return out


def _optimizer_step(jitted):
    (plan,) = jitted.plans()
    (step,) = plan.optimizer_steps
    return step


def _assert_same(eager, jitted):
    (em, eo, _), (jm, jo, _) = eager, jitted
    for p, q in zip(em.parameters(), jm.parameters()):
        assert np.array_equal(p.data, q.data)
        assert eo.state[p]["step"] == jo.state[q]["step"]
        for key in ("exp_avg", "exp_avg_sq"):
            assert np.array_equal(eo.state[p][key], jo.state[q][key])


def _run(eager, jitted, data, between=None):
    for i, (x, y) in enumerate(data):
        if between is not None:
            between(i, eager[0], eager[1])
            between(i, jitted[0], jitted[1])
        loss, _ = eager[2](x, y)
        jloss, _ = jitted[2](x, y)
        assert np.array_equal(jloss.data, loss.data), i


def test_two_groups_with_their_own_rates_equal_eager(rng):
    def make(model):
        first, second = model[0], model[2]
        return fg.optim.Adam([{"params": first.parameters(), "lr": 1e-2},
                              {"params": second.parameters(), "lr": 3e-3, "weight_decay": 0.1}])

    eager, jitted = _pair(make)
    _run(eager, jitted, batches(rng, 8))
    _assert_same(eager, jitted)
    step = _optimizer_step(jitted[2])
    assert step.fast_calls == 6 and "g1" in step.source


def test_parameters_at_different_step_numbers_equal_eager(rng):
    """A state whose step number was changed from outside: one kernel call per step number, as eager."""
    def set_step(i, model, opt):
        if i == 4:
            opt.state[model[0].weight]["step"] = 1

    eager, jitted = _pair(lambda m: fg.optim.Adam(m.parameters(), lr=1e-2))
    _run(eager, jitted, batches(rng, 8), set_step)
    _assert_same(eager, jitted)
    assert _optimizer_step(jitted[2]).fast_calls == 6


@pytest.mark.parametrize("change", ["amsgrad", "new array", "state replaced", "group params replaced"])
def test_a_change_it_cannot_follow_takes_optimizer_step(rng, change):
    def make_change(i, model, opt):
        if i != 4:
            return
        group, p = opt.param_groups[0], model[0].weight
        if change == "amsgrad":
            group["amsgrad"] = True
        elif change == "new array":
            p.data = p.data.copy()
        elif change == "state replaced":
            opt.state[p] = {key: (value.copy() if hasattr(value, "copy") else value)
                            for key, value in opt.state[p].items()}
        else:
            group["params"] = list(group["params"])

    eager, jitted = _pair(lambda m: fg.optim.Adam(m.parameters(), lr=1e-2))
    _run(eager, jitted, batches(rng, 8), make_change)
    _assert_same(eager, jitted)
    calls = _optimizer_step(jitted[2]).fast_calls
    assert calls == 2, calls  # calls 3 and 4 (the first two record); from the change on, Optimizer.step


def test_a_parameter_turned_off_records_anew(rng):
    """requires_grad turned off on a parameter after the plan was made: the recording no longer holds
    (its backward would give the parameter a gradient), so the function is recorded again."""
    def turn_off(i, model, opt):
        if i == 4:
            model[2].bias.requires_grad_(False)

    eager, jitted = _pair(lambda m: fg.optim.Adam(m.parameters(), lr=1e-2))
    _run(eager, jitted, batches(rng, 8), turn_off)
    _assert_same(eager, jitted)
    assert jitted[0][2].bias.grad is None
    assert jitted[2].recordings == 4 and jitted[2].cache_len() == 1
