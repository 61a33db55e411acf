"""fastgrad.jit on arrays of another library: array-api-strict here, CuPy on a GPU.

A recording of work on non-NumPy arrays replays its steps (each op's array
forward and backward through the backend of those arrays, in the recorded
order) without the lowered plan, whose lines call the C kernels.  The
signature holds the arrays' library and device; inputs are copied and
compared in their own library.  array-api-strict has nothing beyond the
array API standard (and refuses NumPy's conversions), so what works here
works for any conforming library; the CuPy backend's own kernels are checked
the same way in tests/gpu.
"""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.numpy as fnp
from fastgrad import optim

xp = pytest.importorskip("array_api_strict", reason="array-api-strict is in the 'test' extra")

OTHER_DEVICE = xp.Device("device1")


def regression_loss(w, x, y):
    return fnp.mean((fnp.tanh(fnp.matmul(x, w)) - y) ** 2) + 0.01 * fnp.sum(w ** 2)


def inputs(rng, n=32, d=3, device=None):
    def make(*shape):
        return xp.asarray(rng.standard_normal(shape), device=device)

    return make(d, 1), make(n, d), make(n, 1)


def equal(a, b):
    return type(a) is type(b) and a.shape == b.shape and a.device == b.device and bool(xp.all(a == b))


def test_grad_replays_on_array_api_arrays_and_equals_eager(rng):
    eager = fg.grad(regression_loss)
    jitted = fg.jit(eager)
    for _ in range(6):
        args = inputs(rng)
        got = jitted(*args)
        assert equal(got, eager(*args))
    assert jitted.recordings == 2 and jitted.cache_len() == 1
    assert jitted.plans() == [], "lowered plans call the C kernels: other libraries replay step by step"


def test_value_and_grad_on_array_api_arrays(rng):
    eager = fg.value_and_grad(regression_loss, argnums=(0, 1))
    jitted = fg.jit(eager)
    for _ in range(4):
        args = inputs(rng)
        (value, grads), (value_e, grads_e) = jitted(*args), eager(*args)
        assert equal(value._data if isinstance(value, fg.Tensor) else value,
                     value_e._data if isinstance(value_e, fg.Tensor) else value_e)
        assert all(equal(a, b) for a, b in zip(grads, grads_e))


def test_a_new_shape_or_device_records_anew(rng):
    jitted = fg.jit(fg.grad(regression_loss))
    for _ in range(3):
        jitted(*inputs(rng))
    assert jitted.recordings == 2
    for _ in range(3):
        args = inputs(rng, device=OTHER_DEVICE)
        got = jitted(*args)
        assert got.device == OTHER_DEVICE and equal(got, fg.grad(regression_loss)(*args))
    assert jitted.recordings == 4 and jitted.cache_len() == 2
    for _ in range(3):
        jitted(*inputs(rng, n=7))
    assert jitted.recordings == 6 and jitted.cache_len() == 3


def _training(params_from, steps, jit):
    params = [fg.tensor(xp.asarray(p), requires_grad=True) for p in params_from]
    opt = optim.SGD(params, lr=0.05, momentum=0.9)

    def step(x, y):
        w1, b1, w2 = params
        loss = fnp.mean((fnp.matmul(fnp.tanh(fnp.matmul(x, w1) + b1), w2) - y) ** 2)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    run = fg.jit(step) if jit else step
    rng = np.random.default_rng(3)
    losses = []
    for _ in range(steps):
        x = fg.tensor(xp.asarray(rng.standard_normal((16, 4))))
        y = fg.tensor(xp.asarray(rng.standard_normal((16, 1))))
        losses.append(run(x, y)._data)
    return losses, params, run


def test_training_step_replays_on_array_api_arrays_bit_for_bit(rng):
    init = [rng.standard_normal((4, 8)) * 0.5, np.zeros(8), rng.standard_normal((8, 1)) * 0.5]
    eager_losses, eager_params, _ = _training(init, 20, jit=False)
    jit_losses, jit_params, run = _training(init, 20, jit=True)
    assert run.recordings == 2 and run.cache_len() == 1
    assert all(equal(a, b) for a, b in zip(jit_losses, eager_losses))
    for p, q in zip(jit_params, eager_params):
        assert equal(p._data, q._data) and equal(p.grad._data, q.grad._data)


def test_a_host_read_while_recording_is_refused(rng):
    @fg.jit
    def f(w):
        if fnp.sum(w) > 0:
            return w * 2
        return w

    with pytest.raises(fg.jit.HostReadError, match="static_argnums"):
        f(fg.tensor(xp.asarray([1.0, 2.0])))


def test_a_value_computed_in_the_library_from_an_input_is_caught(rng):
    @fg.jit
    def f(x):
        return x * fg.tensor(xp.exp(x._data))  # outside fastgrad's ops: a replay would freeze it

    f(fg.tensor(xp.asarray(rng.standard_normal(3))))
    with pytest.raises(fg.jit.CaptureError, match="different work"):
        f(fg.tensor(xp.asarray(rng.standard_normal(3))))
