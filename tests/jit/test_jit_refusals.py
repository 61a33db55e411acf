"""What a recording refuses, with the way out named, instead of replaying a stale value."""
import threading

import numpy as np
import pytest

import fastgrad as fg
import fastgrad.numpy as fnp
from fastgrad.nn import functional as F

HOST_READS = {
    "float": lambda t: float(t.sum()),
    "int": lambda t: int(t.sum()),
    "item": lambda t: t.sum().item(),
    "bool": lambda t: bool(t.sum() > 0),
    "if": lambda t: 1 if t.sum() > 0 else 0,
    "tolist": lambda t: t.tolist(),
    "numpy": lambda t: t.numpy(),
    "asarray": lambda t: np.asarray(t),
    "index": lambda t: [0, 1, 2][fg.tensor(1)],
}


@pytest.mark.parametrize("read", sorted(HOST_READS))
def test_host_read_while_recording_raises_naming_static_argnums_and_eager(read):
    @fg.jit
    def f(x):
        HOST_READS[read](x)
        return x * 2

    x = fg.tensor(np.arange(3.0))
    with pytest.raises(fg.jit.HostReadError, match=r"static_argnums.*without fastgrad\.jit \(eager mode\)"):
        f(x)
    # nothing is left behind: the same reads work outside a recording, and f was not cached
    HOST_READS[read](x)
    assert f.cache_len() == 0


def test_host_read_error_is_a_capture_error_and_names_the_function():
    @fg.jit
    def my_step(x):
        return float(x.sum())

    with pytest.raises(fg.jit.CaptureError, match="float\\(t\\).*'my_step'"):
        my_step(fg.tensor(np.ones(2)))


def test_host_read_in_another_thread_is_not_refused():
    started, release = threading.Event(), threading.Event()
    seen = []

    def reader():
        started.wait(5)
        seen.append(float(fg.tensor(2.0)))
        release.set()

    @fg.jit
    def f(x):
        started.set()
        release.wait(5)
        return x + 1

    t = threading.Thread(target=reader)
    t.start()
    f(fg.tensor(np.ones(2)))
    t.join(5)
    assert seen == [2.0]


def test_random_draws_inside_are_refused():
    @fg.jit
    def f(x):
        return F.dropout(x, 0.5).sum()

    with pytest.raises(fg.jit.CaptureError, match="random draw"):
        f(fg.tensor(np.ones(4)))
    assert fg.rand(2).shape == (2,)  # the generator is back


def test_create_graph_is_refused():
    jitted = fg.jit(fg.hessian(lambda x: fnp.sum(x ** 3)))
    with pytest.raises(fg.jit.CaptureError, match="create_graph"):
        jitted(np.ones(3))


def test_value_computed_from_data_outside_ops_is_refused_on_the_second_call(rng):
    w = fg.tensor(np.ones(3))

    @fg.jit
    def f(x):
        shift = fg.tensor(np.exp(x.data))      # NumPy on a tensor's array: outside the recorded ops
        return (w * (x + shift)).sum()

    f(fg.tensor(rng.standard_normal(3)))
    with pytest.raises(fg.jit.CaptureError, match="different work on two calls.*static_argnums"):
        f(fg.tensor(rng.standard_normal(3)))


def test_python_state_changing_the_control_flow_is_refused():
    state = {"calls": 0}

    @fg.jit
    def f(x):
        state["calls"] += 1
        return x * 2 if state["calls"] == 1 else x * 3

    f(fg.tensor(np.ones(2)))
    with pytest.raises(fg.jit.CaptureError, match="different work"):
        f(fg.tensor(np.ones(2)))


def test_returning_a_tensor_with_a_pending_graph_is_refused():
    w = fg.tensor(np.ones(3), requires_grad=True)

    @fg.jit
    def forward(x):
        return (w * x).sum()

    with pytest.raises(fg.jit.CaptureError, match="no_grad"):
        forward(fg.tensor(np.ones(3)))
    with fg.no_grad():
        assert forward(fg.tensor(np.ones(3))).item() == 3.0


def test_tensor_hooks_inside_are_refused():
    w = fg.tensor(np.ones(3), requires_grad=True)

    @fg.jit
    def f(x):
        y = w * x
        y.register_hook(lambda g: g * 2)
        y.sum().backward()

    with pytest.raises(fg.jit.CaptureError, match="hooks"):
        f(fg.tensor(np.ones(3)))


def test_backward_through_a_graph_made_outside_is_refused():
    w = fg.tensor(np.ones(3), requires_grad=True)
    y = (w * 2).sum()

    @fg.jit
    def f(x):
        (y + (w * x).sum()).backward()

    with pytest.raises(fg.jit.CaptureError, match="before the recording started"):
        f(fg.tensor(np.ones(3)))


def test_nested_jit_runs_inside_the_outer_recording(rng):
    inner = fg.jit(lambda x: fg.tanh(x) * 2)
    outer = fg.jit(fg.grad(lambda x: fnp.sum(inner(x) ** 2)))
    for _ in range(4):
        x = rng.standard_normal(4)
        assert np.array_equal(outer(x), fg.grad(lambda x: fnp.sum((fnp.tanh(x) * 2) ** 2))(x))
    assert inner.recordings == 0


def test_value_from_data_is_caught_even_when_the_first_calls_repeat_one_input(rng):
    @fg.jit
    def f(x):
        return x * fg.tensor(np.exp(x.data))

    x = fg.tensor(rng.standard_normal(3))
    for _ in range(4):             # the same input: both recordings agree, replays are exact
        assert np.array_equal(f(x).data, (x * fg.tensor(np.exp(x.data))).data)
    with pytest.raises(fg.jit.CaptureError, match="different work"):
        f(fg.tensor(rng.standard_normal(3)))
