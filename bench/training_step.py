"""One training step of either library, shared by the model benchmarks.

`lib` is the fastgrad or the torch module: both spell lib.nn, lib.nn.functional,
lib.optim.Adam and lib.tensor alike, so one definition serves both peers.
"""
import numpy as np

import fastgrad as fg


def make_training_step(loss_fn, model, opt, x, target, output=lambda out: out):
    """step(): forward, loss_fn(output(model(x)), target), zero_grad, backward, optimizer step."""
    def step():
        loss = loss_fn(output(model(x)), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return step


def seeded_weights(build):
    """The initial weights of build(fastgrad.nn) after fastgrad.manual_seed(0), as NumPy arrays:
    both peers start from them."""
    fg.manual_seed(0)
    return {k: v.numpy().copy() for k, v in build(fg.nn).state_dict().items()}


def training_problem(build, loss, x_shape, target):
    """(weights, loss, x, target) for adam_step and first_loss: the seeded initial weights of
    build, the name of the loss, x standard normal (float32, generator seed 0) and target(rng)
    drawn after x from the same generator."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape).astype(np.float32)
    return seeded_weights(build), loss, x, target(rng)


def normal_target(shape):
    """A target for training_problem: standard normal float32 values of `shape`."""
    return lambda rng: rng.standard_normal(shape).astype(np.float32)


def model_with_weights(lib, build, weights):
    model = build(lib.nn)
    model.load_state_dict({k: lib.tensor(v) for k, v in weights.items()})
    return model


def adam_step(lib, build, weights, loss, x, target, output=lambda out: out):
    """A training step (Adam, lr 1e-3) of build(lib.nn) loaded with `weights` on x and target,
    run once, so that the optimizer state exists before timing; `loss` names the function
    in lib.nn.functional."""
    model = model_with_weights(lib, build, weights)
    step = make_training_step(getattr(lib.nn.functional, loss), model, lib.optim.Adam(model.parameters(), lr=1e-3),
                              lib.tensor(x), lib.tensor(target), output)
    step()
    return step


def first_loss(lib, build, weights, loss, x, target, output=lambda out: out):
    """The loss of build(lib.nn) loaded with `weights` on x and target, as a float."""
    model = model_with_weights(lib, build, weights)
    return getattr(lib.nn.functional, loss)(output(model(lib.tensor(x))), lib.tensor(target)).item()
