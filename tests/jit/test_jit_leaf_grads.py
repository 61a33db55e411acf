"""zero_grad() and the accumulation into `.grad` as plan lines (jit/leaf_grads.py): the same `.grad`
Tensors, values and ownership as eager, and the kept step whenever a hook or another mode needs it."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.nn import functional as F

from jit_models import batches, demo_model_and_adam, training_step


def _only_plan(jitted):
    plans = jitted.plans()
    assert len(plans) == 1
    return plans[0]


def _assert_same_grads(eager_params, jit_params):
    for p, q in zip(eager_params, jit_params):
        assert type(q.grad) is type(p.grad) is fg.Tensor
        assert q.grad.data.dtype == p.grad.data.dtype and q.grad.data.shape == p.grad.data.shape
        assert np.array_equal(q.grad.data, p.grad.data)
        qa = np.asarray(q.grad)
        assert qa.flags.writeable and qa.flags.c_contiguous and qa.base is None  # owned, as eager's


def test_replayed_grads_are_new_owned_tensors_equal_to_eager(rng):
    eager_model, eager_opt = demo_model_and_adam()
    jit_model, jit_opt = demo_model_and_adam()
    eager = training_step(eager_model, eager_opt)
    jitted = fg.jit(training_step(jit_model, jit_opt))
    previous = None
    for x, y in batches(rng, 6):
        eager(x, y)
        jitted(x, y)
        _assert_same_grads(list(eager_model.parameters()), list(jit_model.parameters()))
        grads = [p.grad for p in jit_model.parameters()]
        arrays = {id(np.asarray(g)) for g in grads}
        assert len(arrays) == len(grads)  # no two parameters share a gradient array
        if previous is not None:  # zero_grad set them to None: every step makes new Tensors
            assert all(g is not h and np.asarray(g) is not np.asarray(h) for g, h in zip(grads, previous))
        previous = grads
    plan = _only_plan(jitted)
    assert plan.calls == 4 and plan.kept == []
    assert {"Optimizer.zero_grad call", "gradient accumulation into .grad"} <= set(plan.lowered)


def test_grads_add_up_over_calls_without_zero_grad(rng):
    eager_model, _ = demo_model_and_adam()
    jit_model, _ = demo_model_and_adam()

    def step_of(model):
        def step(x, y):
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            return loss
        return step

    eager, jitted = step_of(eager_model), fg.jit(step_of(jit_model))
    for x, y in batches(rng, 6):
        assert np.array_equal(jitted(x, y).data, eager(x, y).data)
        _assert_same_grads(list(eager_model.parameters()), list(jit_model.parameters()))
    plan = _only_plan(jitted)
    assert plan.calls == 4 and "gradient accumulation into .grad" in plan.lowered


def test_an_input_leaf_gets_its_grad(rng):
    def f(w, x):
        loss = ((x @ w) ** 2).sum()
        loss.backward()
        return loss

    jitted = fg.jit(f)
    for _ in range(5):
        w0, x = rng.standard_normal((3, 2)), fg.tensor(rng.standard_normal((4, 3)))
        we, wj = fg.tensor(w0, requires_grad=True), fg.tensor(w0.copy(), requires_grad=True)
        assert np.array_equal(jitted(wj, x).data, f(we, x).data)
        _assert_same_grads([we], [wj])
    assert "gradient accumulation into .grad" in _only_plan(jitted).lowered


@pytest.mark.parametrize("kind", ["tensor hook", "post-accumulate hook"])
def test_a_hook_added_after_the_plan_runs_the_engine_way(rng, kind):
    eager_model, eager_opt = demo_model_and_adam()
    jit_model, jit_opt = demo_model_and_adam()
    eager = training_step(eager_model, eager_opt)
    jitted = fg.jit(training_step(jit_model, jit_opt))
    data = list(batches(rng, 5))
    for x, y in data[:3]:
        eager(x, y)
        jitted(x, y)
    seen = {"eager": [], "jit": []}
    handles = []
    for name, model in (("eager", eager_model), ("jit", jit_model)):
        p = next(iter(model.parameters()))
        if kind == "tensor hook":
            handles.append(p.register_hook(lambda g, name=name: seen[name].append(1) or g * 0.5))
        else:
            handles.append(p.register_post_accumulate_grad_hook(lambda t, name=name: seen[name].append(1)))
    try:
        for x, y in data[3:]:
            eager(x, y)
            jitted(x, y)
            _assert_same_grads(list(eager_model.parameters()), list(jit_model.parameters()))
    finally:
        for h in handles:
            h.remove()
    assert seen["jit"] == seen["eager"] == [1, 1]
    for p, q in zip(eager_model.parameters(), jit_model.parameters()):
        assert np.array_equal(p.data, q.data)


def test_zero_grad_to_zeros_stays_a_kept_call(rng):
    eager_model, eager_opt = demo_model_and_adam()
    jit_model, jit_opt = demo_model_and_adam()

    def step_of(model, opt):
        def step(x, y):
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad(set_to_none=False)
            loss.backward()
            opt.step()
            return loss
        return step

    eager, jitted = step_of(eager_model, eager_opt), fg.jit(step_of(jit_model, jit_opt))
    for x, y in batches(rng, 5):
        assert np.array_equal(jitted(x, y).data, eager(x, y).data)
        _assert_same_grads(list(eager_model.parameters()), list(jit_model.parameters()))
    assert "Optimizer.zero_grad call" in _only_plan(jitted).kept


def _grads_of_eager_and_jitted(f, make_leaves, rng, calls=4):
    jitted = fg.jit(f)
    for _ in range(calls):
        seed = int(rng.integers(1 << 30))
        eager_leaves, jit_leaves = make_leaves(np.random.default_rng(seed)), make_leaves(np.random.default_rng(seed))
        assert np.array_equal(jitted(*jit_leaves).data, f(*eager_leaves).data)
        _assert_same_grads([t for t in eager_leaves if t.requires_grad], [t for t in jit_leaves if t.requires_grad])
    return jitted, jit_leaves


def test_one_gradient_passed_to_two_leaves_is_copied_for_the_second(rng):
    """x @ (w1 + w2): the matmul's new gradient array goes through + to both leaves; the engine gives it
    to w1 and a copy to w2, and so does the plan."""
    def f(w1, w2, x):
        loss = (x @ (w1 + w2)).sum()
        loss.backward()
        return loss

    def make(r):
        return (fg.tensor(r.standard_normal((3, 2)), requires_grad=True),
                fg.tensor(r.standard_normal((3, 2)), requires_grad=True), fg.tensor(r.standard_normal((4, 3))))

    jitted, (w1, w2, _) = _grads_of_eager_and_jitted(f, make, rng)
    assert np.asarray(w1.grad) is not np.asarray(w2.grad)
    assert jitted.plans()[0].calls == 2


def test_a_reshaped_linear_gradient_is_copied_into_an_owned_array(rng):
    """linear on (2, 4, 3): the input's gradient is a reshaped view of the gemm's result; the engine copies
    it into an array of its own, and so does the plan."""
    def f(x, w, b):
        loss = fg.nn.functional.linear(x, w, b).sum()
        loss.backward()
        return loss

    def make(r):
        return (fg.tensor(r.standard_normal((2, 4, 3)), requires_grad=True),
                fg.tensor(r.standard_normal((5, 3)), requires_grad=True),
                fg.tensor(r.standard_normal(5), requires_grad=True))

    jitted, _ = _grads_of_eager_and_jitted(f, make, rng)
    (plan,) = jitted.plans()
    assert plan.calls == 2 and "Linear forward" in plan.lowered
