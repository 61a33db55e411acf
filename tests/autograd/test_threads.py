"""Threads: grad mode belongs to the thread, and models trained in parallel threads
get exactly the numbers that training them one after another gives."""
import sys
import threading

import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
from fastgrad import optim


@pytest.fixture(autouse=True)
def frequent_thread_switches():
    """Switch threads every 10 microseconds, so that the threads' ops interleave."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(previous)


def run_in_threads(target, n):
    """Run target(i) for i in range(n) in n threads started together; return the results."""
    results = [None] * n
    errors = []
    start = threading.Barrier(n)

    def body(i):
        try:
            start.wait()
            results[i] = target(i)
        except BaseException as e:  # reported in the main thread below
            errors.append(e)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def train_model(seed, steps=30, hidden=128):
    """A small MLP trained with Adam; each step also runs an evaluation under no_grad."""
    rng = np.random.default_rng(seed)
    x = fg.tensor(rng.standard_normal((128, 16)).astype(np.float32))
    y = fg.tensor(rng.integers(0, 4, 128))
    w1 = fg.tensor((rng.standard_normal((16, hidden)) * 0.2).astype(np.float32), requires_grad=True)
    w2 = fg.tensor((rng.standard_normal((hidden, 4)) * 0.05).astype(np.float32), requires_grad=True)
    opt = optim.Adam([w1, w2], lr=1e-2)
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(F.relu(x @ w1) @ w2, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        with fg.no_grad():
            losses.append(float(F.cross_entropy(F.relu(x @ w1) @ w2, y)))
    return np.array(losses), w1.grad.copy(), w2.grad.copy(), w1.detach().numpy().copy()


@pytest.mark.parametrize("n", [2, 4])
def test_models_trained_in_threads_equal_sequential_training(n):
    sequential = [train_model(i) for i in range(n)]
    parallel = run_in_threads(train_model, n)
    for seq, par in zip(sequential, parallel):
        for a, b in zip(seq, par):
            np.testing.assert_array_equal(a, b)


def test_no_grad_in_one_thread_leaves_other_threads_recording():
    inside = threading.Event()
    leave = threading.Event()

    def hold_no_grad():
        with fg.no_grad():
            inside.set()
            leave.wait(10)

    t = threading.Thread(target=hold_no_grad)
    t.start()
    try:
        assert inside.wait(10)
        assert fg.is_grad_enabled()
        x = fg.tensor([1.0, 2.0], requires_grad=True)
        y = (x * x).sum()
        assert y.requires_grad
        y.backward()
        np.testing.assert_array_equal(x.grad, [2.0, 4.0])
    finally:
        leave.set()
        t.join()


def test_new_threads_start_with_grad_enabled_whatever_the_creating_thread_set():
    with fg.no_grad():
        seen = run_in_threads(lambda i: fg.is_grad_enabled(), 2)
        assert not fg.is_grad_enabled()
    assert seen == [True, True]


def test_interleaved_no_grad_enter_and_exit_restore_each_threads_mode():
    def toggle(i):
        for _ in range(2000):
            with fg.no_grad():
                assert not fg.is_grad_enabled()
            with fg.set_grad_enabled(False):
                pass
        return fg.is_grad_enabled()

    assert run_in_threads(toggle, 4) == [True] * 4
    assert fg.is_grad_enabled()


def test_buffer_pool_never_hands_one_array_to_two_threads():
    from fastgrad import _C

    big = 1 << 18  # float32: 1 MiB, pooled

    def work(i):
        x = np.full(big, float(i + 1), np.float32)
        for _ in range(200):
            y = _C.relu_fwd(x)
            z = _C.relu_fwd(-x)
            assert y[0] == i + 1 and y[-1] == i + 1 and z[-1] == 0
        return True

    assert run_in_threads(work, 4) == [True] * 4
