"""A jitted PyTorch-style training step equals the eager one bit for bit."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.nn import functional as F

from jit_models import batches, demo_model_and_adam, demo_steps_jitted_and_eager, training_step


def _same_state(model_a, opt_a, model_b, opt_b):
    for p, q in zip(model_a.parameters(), model_b.parameters()):
        assert np.array_equal(p.data, q.data)
        assert np.array_equal(p.grad.data, q.grad.data)
        sa, sb = opt_a.state[p], opt_b.state[q]
        assert sa["step"] == sb["step"]
        assert np.array_equal(sa["exp_avg"], sb["exp_avg"]) and np.array_equal(sa["exp_avg_sq"], sb["exp_avg_sq"])


def _eager_and_jitted(make):
    """Two fresh (model, step) pairs from `make`; the second step runs under fg.jit."""
    eager_model, eager = make()
    jit_model, jitted = make()
    return eager_model, eager, jit_model, fg.jit(jitted)


def _same_parameters(model_a, model_b):
    for p, q in zip(model_a.parameters(), model_b.parameters()):
        assert np.array_equal(p.data, q.data)


def test_100_adam_steps_of_the_demo_mlp_equal_eager_bitwise(rng):
    """Replayed step by step (the lowered plan: test_jit_lowered.py)."""
    (eager_model, eager_opt), (jit_model, jit_opt), jitted = demo_steps_jitted_and_eager(rng, 100, lower=False)
    _same_state(eager_model, eager_opt, jit_model, jit_opt)
    assert jitted.recordings == 2 and jitted.cache_len() == 1


def test_last_smaller_batch_records_anew_and_stays_equal(rng):
    eager_model, eager_opt = demo_model_and_adam()
    jit_model, jit_opt = demo_model_and_adam()
    eager = training_step(eager_model, eager_opt)
    jitted = fg.jit(training_step(jit_model, jit_opt))
    sizes = [32, 32, 32, 7, 32, 7, 7, 32]
    for size in sizes:
        (x, y), = batches(rng, 1, batch=size)
        assert np.array_equal(jitted(x, y)[0].data, eager(x, y)[0].data)
    assert jitted.recordings == 4  # two signatures, each recorded twice
    _same_state(eager_model, eager_opt, jit_model, jit_opt)


def test_learning_rate_set_outside_is_used_by_the_replay(rng):
    """A scheduler (or a direct write of the rate) between calls reaches the replayed optimizer step."""
    eager_model, eager_opt = demo_model_and_adam(lr=1e-2)
    jit_model, jit_opt = demo_model_and_adam(lr=1e-2)
    eager_sched = fg.optim.lr_scheduler.StepLR(eager_opt, step_size=2, gamma=0.5)
    jit_sched = fg.optim.lr_scheduler.StepLR(jit_opt, step_size=2, gamma=0.5)
    eager = training_step(eager_model, eager_opt)
    jitted = fg.jit(training_step(jit_model, jit_opt))
    for i, (x, y) in enumerate(batches(rng, 12)):
        eager(x, y)
        jitted(x, y)
        eager_sched.step()
        jit_sched.step()
        if i == 8:
            eager_opt.param_groups[0]["lr"] = 0.3
            jit_opt.param_groups[0]["lr"] = 0.3
    _same_state(eager_model, eager_opt, jit_model, jit_opt)
    # and the rate did matter: a run that kept the first rate ends elsewhere
    frozen_model, frozen_opt = demo_model_and_adam(lr=1e-2)
    frozen = training_step(frozen_model, frozen_opt)
    for x, y in batches(np.random.default_rng(1234), 12):
        frozen(x, y)
    assert not np.array_equal(frozen_model[0].weight.data, jit_model[0].weight.data)


def test_scheduler_clipping_and_sgd_inside_the_step(rng):
    def make():
        model, _ = demo_model_and_adam()
        opt = fg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        sched = fg.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)

        def step(x, y):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            norm = fg.nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5)
            opt.step()
            sched.step()
            return loss, norm

        return model, step

    eager_model, eager, jit_model, jitted = _eager_and_jitted(make)
    for x, y in batches(rng, 8):
        loss, norm = eager(x, y)
        jloss, jnorm = jitted(x, y)
        assert np.array_equal(jloss.data, loss.data)
        assert np.array_equal(np.asarray(jnorm), np.asarray(norm))
    _same_parameters(eager_model, jit_model)


def test_gradients_accumulate_across_calls_without_zero_grad(rng):
    """Without zero_grad the replay adds to .grad as eager backward does."""
    def make():
        model, _ = demo_model_and_adam()

        def step(x, y):
            F.cross_entropy(model(x), y).backward()

        return model, step

    eager_model, eager, jit_model, jitted = _eager_and_jitted(make)
    for x, y in batches(rng, 5):
        eager(x, y)
        jitted(x, y)
    for p, q in zip(eager_model.parameters(), jit_model.parameters()):
        assert np.array_equal(p.grad.data, q.grad.data)


def test_manual_sgd_update_without_a_graph_is_replayed(rng):
    def make():
        model, _ = demo_model_and_adam()

        def step(x, y):
            loss = F.cross_entropy(model(x), y)
            model.zero_grad()
            loss.backward()
            with fg.no_grad():
                for p in model.parameters():
                    p -= 0.05 * p.grad
            return loss

        return model, step

    eager_model, eager, jit_model, jitted = _eager_and_jitted(make)
    for x, y in batches(rng, 6):
        assert np.array_equal(jitted(x, y).data, eager(x, y).data)
    _same_parameters(eager_model, jit_model)


@pytest.mark.parametrize("opt_name", ["AdamW", "RMSprop", "Adagrad", "Adadelta", "Rprop", "ASGD"])
def test_other_optimizers_replay_equal(rng, opt_name):
    def make():
        model, _ = demo_model_and_adam()
        opt = getattr(fg.optim, opt_name)(model.parameters(), lr=1e-2)
        return model, training_step(model, opt)

    eager_model, eager, jit_model, jitted = _eager_and_jitted(make)
    for x, y in batches(rng, 6):
        assert np.array_equal(jitted(x, y)[0].data, eager(x, y)[0].data)
    _same_parameters(eager_model, jit_model)


def test_grad_set_to_none_by_assignment_inside_is_replayed(rng):
    def make():
        model, opt = demo_model_and_adam()

        def step(x, y):
            loss = F.cross_entropy(model(x), y)
            for p in model.parameters():
                p.grad = None
            loss.backward()
            opt.step()
            return loss

        return model, step

    eager_model, eager, jit_model, jitted = _eager_and_jitted(make)
    for x, y in batches(rng, 6):
        assert np.array_equal(jitted(x, y).data, eager(x, y).data)
    for p, q in zip(eager_model.parameters(), jit_model.parameters()):
        assert np.array_equal(p.data, q.data) and np.array_equal(p.grad.data, q.grad.data)
