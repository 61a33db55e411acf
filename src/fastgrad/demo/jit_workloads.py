"""The workloads of fastgrad.jit's benchmarks (bench/bench_jit.py), each beside its eager twin.

Like demo/workloads.py, every function returns a callable that runs one timed
unit of work on inputs built from fixed seeds.  A jitted callable has already
been called on two different inputs when it is returned, so that every timed
call is a replay (a recording is replayed once a second recording on other
inputs agreed with it).
"""
import numpy as np

import fastgrad as fg

from . import workloads


# ---- the MLP training step (T2's model): forward, cross-entropy, zero_grad, backward, Adam ----

def mlp_step_fastgrad(sizes, batch, jit, lower=True, device="cpu"):
    """On a GPU (device "cuda") the model and the batch are CuPy arrays, each call ends with a
    device synchronisation, and a jitted step replays step by step through the CuPy kernels."""
    from fastgrad.nn import functional as F

    xp, sync = workloads.on_device(device)
    x, y, weights = workloads.mlp_problem(sizes, batch)
    model = workloads.fastgrad_mlp(weights)
    if device != "cpu":
        model = model.to(device)
    opt = fg.optim.Adam(model.parameters(), lr=1e-3)

    def step(x, y):
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    xt, yt = fg.tensor(xp.asarray(x)), xp.asarray(y)
    if jit:
        step = fg.jit(step, lower=lower)
        step(fg.tensor(xp.asarray(x[::-1].copy())), xp.asarray(y[::-1].copy()))  # the first recording
        step(xt, yt)                                                             # the second, checking it
    return workloads._timed(lambda: step(xt, yt), sync)


# ---- the six-op regression gradient: d/dw of mean((tanh(x @ w) - y)**2) + 0.01 * sum(w**2) ----

def regression_problem(n, d):
    rng = np.random.default_rng(0)
    return (rng.standard_normal((d, 1)), rng.standard_normal((n, d)), rng.standard_normal((n, 1)))


def regression_loss(np_):
    """The loss written with a NumPy-like namespace `np_` (fastgrad.numpy, jax.numpy)."""
    def loss(w, x, y):
        return np_.mean((np_.tanh(x @ w) - y) ** 2) + 0.01 * np_.sum(w ** 2)

    return loss


def regression_grad_fastgrad(n, d, jit, lower=True):
    import fastgrad.numpy as fnp

    w, x, y = regression_problem(n, d)
    grad = fg.grad(regression_loss(fnp))
    if jit:
        grad = fg.jit(grad, lower=lower)
        grad(w + 1.0, x, y)
        grad(w, x, y)
    return lambda: grad(w, x, y)


def regression_grad_jax(jax, n, d, jit):
    """JAX in float64 (jax_enable_x64); each timed call waits for its result."""
    jax.config.update("jax_enable_x64", True)
    w, x, y = (jax.numpy.asarray(a) for a in regression_problem(n, d))
    grad = jax.grad(regression_loss(jax.numpy))
    if jit:
        grad = jax.jit(grad)
    grad(w, x, y).block_until_ready()
    return lambda: grad(w, x, y).block_until_ready()


def regression_grad_torch(torch, n, d):
    """torch.func.grad, eager, float64."""
    w, x, y = (torch.from_numpy(a) for a in regression_problem(n, d))
    grad = torch.func.grad(regression_loss(torch))
    return lambda: grad(w, x, y)


# ---- T1 per-op overhead (2 * steps ops on shape (16,), then backward), recorded once ----------

def overhead_fastgrad_jit(steps, lower=True):
    x0 = fg.tensor(np.ones(16, np.float32), requires_grad=True)

    @fg.jit(lower=lower)
    def run(x0):
        x = x0
        for _ in range(steps):
            x = x * 1.01 + 0.1
        x.sum().backward()
        x0.grad = None

    run(fg.tensor(np.zeros(16, np.float32), requires_grad=True))
    run(x0)
    return lambda: run(x0)
