"""The lowered tier: a verified recording replayed through its plan of array calls (jit/lowering.py).

Each test checks that the plan is the one replayed (its call count, which steps
it lowered) and that its results equal eager results bit for bit."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.numpy as fnp

from jit_models import (batches, demo_model_and_adam, demo_steps_jitted_and_eager, regression_data,
                        regression_loss, training_step)


def _only_plan(jitted):
    plans = jitted.plans()
    assert len(plans) == 1
    return plans[0]


def test_100_demo_steps_run_the_lowered_plan_and_equal_eager_bitwise(rng):
    (eager_model, eager_opt), (jit_model, jit_opt), jitted = demo_steps_jitted_and_eager(rng, 100)
    plan = _only_plan(jitted)
    assert plan.calls == 98  # two recordings, then every call ran the plan
    # the model's ReLU runs in the first Linear's bias pass (nn.Sequential fuses the pair)
    for op in ("Linear forward", "CrossEntropy forward", "CrossEntropy backward", "Linear backward"):
        assert op in plan.lowered
    assert not any(op.startswith("Relu") for op in plan.lowered + plan.kept)
    assert "Optimizer.step call" in plan.lowered
    assert plan.kept == []  # zero_grad and the accumulation into .grad are plan lines too (leaf_grads.py)
    assert {"Optimizer.zero_grad call", "gradient accumulation into .grad"} <= set(plan.lowered)
    assert plan.optimizer_steps[0].fast_calls == 98  # adam_step on the plan's lists at every replay
    for p, q in zip(eager_model.parameters(), jit_model.parameters()):
        assert np.array_equal(p.data, q.data) and np.array_equal(p.grad.data, q.grad.data)
        assert np.array_equal(eager_opt.state[p]["exp_avg_sq"], jit_opt.state[q]["exp_avg_sq"])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_regression_grad_is_lowered_whole(rng, dtype):
    eager = fg.grad(regression_loss)
    jitted = fg.jit(eager)
    results = []
    for step in range(8):
        w, x, y = regression_data(rng, 32, 3, dtype)
        expected = eager(w, x, y)
        got = jitted(w, x, y)
        assert np.array_equal(got, expected) and got.dtype == expected.dtype, step
        assert got.flags.writeable and got.base is None  # the result copy (outside an op) is a plan line
        results.append((got, got.copy()))
    for got, copy in results:  # no later call wrote into an earlier result
        assert np.array_equal(got, copy)
    plan = _only_plan(jitted)
    assert plan.calls == 6
    assert plan.kept == [] and "_as_owned_array outside an op" in plan.lowered
    assert {"Matmul forward", "Tanh forward", "Sum forward", "Pow backward", "Matmul backward"} <= set(plan.lowered)
    assert plan.buffers and "out=" in plan.source


def test_lowered_and_step_by_step_replays_agree(rng):
    lowered = fg.jit(fg.value_and_grad(regression_loss, argnums=(0, 1)))
    stepwise = fg.jit(fg.value_and_grad(regression_loss, argnums=(0, 1)), lower=False)
    for _ in range(5):
        w, x, y = regression_data(rng, 16, 4)
        value, (gw, gx) = lowered(w, x, y)
        svalue, (sgw, sgx) = stepwise(w, x, y)
        assert value == svalue and np.array_equal(gw, sgw) and np.array_equal(gx, sgx)
    assert stepwise.plans() == [] and _only_plan(lowered).calls == 3


def test_a_returned_array_is_not_overwritten_by_the_next_call(rng):
    """Results (and everything kept steps see) are new arrays at every call, never plan buffers."""
    def f(w, x):
        h = fg.tanh(x @ w)
        return h, (h * h).sum()

    jitted = fg.jit(f)
    inputs = [tuple(fg.tensor(a) for a in regression_data(rng, 8, 3)[:2]) for _ in range(5)]
    results = [jitted(w, x) for w, x in inputs]
    assert _only_plan(jitted).calls == 3
    for (w, x), (h, total) in zip(inputs, results):
        eh, etotal = f(w, x)
        assert np.array_equal(h.data, eh.data) and np.array_equal(total.data, etotal.data)
    arrays = [h._data for h, _ in results]
    assert not any(np.shares_memory(a, b) for i, a in enumerate(arrays) for b in arrays[i + 1:])


def test_inputs_are_read_at_every_call_also_when_changed_in_place(rng):
    grad = fg.jit(fg.grad(regression_loss))
    w, x, y = regression_data(rng, 16, 3)
    for _ in range(3):
        grad(w + rng.standard_normal(w.shape), x, y)
    for _ in range(3):
        x[...] = rng.standard_normal(x.shape)  # the same array, new values
        w[...] = rng.standard_normal(w.shape)
        assert np.array_equal(grad(w, x, y), fg.grad(regression_loss)(w, x, y))
    assert _only_plan(grad).calls >= 3


def test_buffers_are_reused_once_their_last_reader_ran(rng):
    """Without a graph every forward output dies at its reader: one buffer per shape serves the chain."""
    def f(x):
        a = fg.tanh(x * 2.0)
        b = fg.tanh(a * 3.0) + 1.0
        c = fg.tanh(b - 0.5) * b
        return (c / 7.0).sum()

    jitted = fg.jit(f)
    for _ in range(4):
        x = fg.tensor(rng.standard_normal((5, 6)))
        assert np.array_equal(jitted(x).data, f(x).data)
    plan = _only_plan(jitted)
    steps = len(plan.lowered)
    assert steps == 10 and plan.kept == []
    assert len([b for b in plan.buffers if b.shape == (5, 6)]) < steps - 1


def test_ops_without_a_lowering_stay_on_the_tape(rng):
    def loss(w, x):
        return fnp.sum(fnp.exp(x @ w) * 0.5)

    eager = fg.grad(loss)
    jitted = fg.jit(eager)
    for _ in range(4):
        w, x, _ = regression_data(rng, 8, 3)
        assert np.array_equal(jitted(w, x), eager(w, x))
    plan = _only_plan(jitted)
    assert "Exp forward" in plan.kept and "Exp backward" in plan.kept
    assert "Matmul forward" in plan.lowered and "Mul backward" in plan.lowered


def test_broadcasting_and_mixed_dtypes_follow_the_engine(rng):
    """Gradients summed over broadcast axes and cast to the input's dtype, as the engine does."""
    def loss(w, b, x, scale):
        return fnp.sum(fnp.tanh(x @ w + b) * scale)

    eager = fg.grad(loss, argnums=(0, 1))
    jitted = fg.jit(eager)
    for _ in range(4):
        w = rng.standard_normal((3, 2))
        b = rng.standard_normal(2).astype(np.float32)
        x = rng.standard_normal((6, 3))
        scale = rng.standard_normal((6, 1)).astype(np.float32)
        got, expected = jitted(w, b, x, scale), eager(w, b, x, scale)
        for g, e in zip(got, expected):
            assert g.dtype == e.dtype and np.array_equal(g, e)
    assert _only_plan(jitted).calls == 2


def test_a_replay_from_inside_a_running_plan_goes_step_by_step(rng):
    """The plan's buffers serve one replay at a time: a nested call (here from a kept step) replays
    the recording step by step, with the same results."""
    grad = fg.jit(fg.grad(regression_loss))
    w, x, y = regression_data(rng, 8, 3)
    for i in range(3):
        grad(w + i, x, y)
    plan = _only_plan(grad)
    assert plan.lock.acquire(False)
    try:
        calls = plan.calls
        assert np.array_equal(grad(w, x, y), fg.grad(regression_loss)(w, x, y))
        assert plan.calls == calls
    finally:
        plan.lock.release()


def _optimizer_step_of(jitted):
    (step,) = _only_plan(jitted).optimizer_steps
    return step


@pytest.mark.parametrize("make", [lambda ps: fg.optim.SGD(ps, lr=0.05, momentum=0.9),
                                  lambda ps: fg.optim.AdamW(ps, lr=1e-2, weight_decay=0.1)],
                         ids=["SGD momentum", "AdamW"])
def test_optimizer_steps_on_the_plans_lists_equal_eager(rng, make):
    eager_model, _ = demo_model_and_adam()
    jit_model, _ = demo_model_and_adam()
    eager_opt, jit_opt = make(eager_model.parameters()), make(jit_model.parameters())
    eager = training_step(eager_model, eager_opt)
    jitted = fg.jit(training_step(jit_model, jit_opt))
    for i, (x, y) in enumerate(batches(rng, 12)):
        assert np.array_equal(jitted(x, y)[0].data, eager(x, y)[0].data), i
    for p, q in zip(eager_model.parameters(), jit_model.parameters()):
        assert np.array_equal(p.data, q.data)
    assert _optimizer_step_of(jitted).fast_calls == 10


def test_an_optimizer_whose_state_was_replaced_steps_through_optimizer_step(rng):
    """load_state_dict gives the optimizer new state: the plan's lists are stale, so the replay
    calls Optimizer.step itself, which gathers the new lists; results stay equal to eager."""
    eager_model, eager_opt = demo_model_and_adam(lr=1e-2)
    jit_model, jit_opt = demo_model_and_adam(lr=1e-2)
    eager = training_step(eager_model, eager_opt)
    jitted = fg.jit(training_step(jit_model, jit_opt))
    for i, (x, y) in enumerate(batches(rng, 10)):
        if i == 5:
            eager_opt.load_state_dict(eager_opt.state_dict())
            jit_opt.load_state_dict(jit_opt.state_dict())
        assert np.array_equal(jitted(x, y)[0].data, eager(x, y)[0].data), i
    assert _optimizer_step_of(jitted).fast_calls == 3  # calls 3, 4 and 5, before the reload
    for p, q in zip(eager_model.parameters(), jit_model.parameters()):
        assert np.array_equal(p.data, q.data)
        assert eager_opt.state[p]["step"] == jit_opt.state[q]["step"] == 10


@pytest.mark.parametrize("shape", [(6, 3), (2, 4, 3)], ids=["rows", "leading axes"])
@pytest.mark.parametrize("activation", [None, "relu", "tanh", "sigmoid"])
def test_linear_with_an_activation_equals_eager(rng, shape, activation):
    def loss(x, w, b):
        return fg.linear(x, w, b, activation=activation).sum()

    eager = fg.grad(loss, argnums=(0, 1, 2))
    jitted = fg.jit(eager)
    for _ in range(4):
        x = rng.standard_normal(shape).astype(np.float32)
        w = rng.standard_normal((5, 3)).astype(np.float32)
        b = rng.standard_normal(5).astype(np.float32)
        for got, expected in zip(jitted(x, w, b), eager(x, w, b)):
            assert got.shape == expected.shape and np.array_equal(got, expected)
    plan = _only_plan(jitted)
    assert "Linear forward" in plan.lowered and "Linear backward" in plan.lowered and plan.calls == 2


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_every_arithmetic_rule_and_its_gradients_equal_eager(rng, dtype):
    """+, -, *, / with a tensor or a number on either side, unary -, ** by a number; both inputs
    need gradients, one of them broadcast."""
    def loss(a, b):
        c = -(a / b) - (2.0 - a) * b + 3.0 / b + a ** 3 - b ** 0.5 + a ** 0
        return (c * c - 0.5).sum()

    eager = fg.grad(loss, argnums=(0, 1))
    jitted = fg.jit(eager)
    for _ in range(4):
        a = rng.standard_normal((4, 3)).astype(dtype)
        b = (rng.random(3) + 0.5).astype(dtype)
        for got, expected in zip(jitted(a, b), eager(a, b)):
            assert got.dtype == expected.dtype and np.array_equal(got, expected)
    plan = _only_plan(jitted)
    assert plan.calls == 2 and all(name.endswith(" outside an op") for name in plan.kept)  # no op kept
    assert {"Neg backward", "Div backward", "Sub backward", "Pow backward"} <= set(plan.lowered)


def test_a_plan_builds_every_kind_of_result_as_eager(rng):
    scale = fg.tensor(rng.standard_normal(3))

    def f(w, x, offset):
        w_t = fg.tensor(w) if not isinstance(w, fg.Tensor) else w
        y = fnp.tanh(x @ w_t) + offset
        return {"y": y, "input": w_t, "outside": scale, "pair": (y * 2, 7, "text", None)}

    jitted = fg.jit(f)
    for _ in range(5):
        w, x, offset = fg.tensor(rng.standard_normal((3, 2))), rng.standard_normal((4, 3)), rng.standard_normal(2)
        got, want = jitted(w, x, offset), f(w, x, offset)
        assert set(got) == set(want)
        assert np.array_equal(got["y"].data, want["y"].data) and type(got["y"]) is type(want["y"])
        assert got["input"] is w and got["outside"] is scale
        assert np.array_equal(got["pair"][0].data, want["pair"][0].data) and got["pair"][1:] == (7, "text", None)
    assert _only_plan(jitted).calls == 3
