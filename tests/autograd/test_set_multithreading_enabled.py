"""fastgrad.autograd.set_multithreading_enabled: PyTorch's forms (function, context manager,
decorator, clone), per-thread setting, and the same gradients whichever way it is set."""
import threading

import numpy as np
import pytest

import fastgrad as fg
from fastgrad.autograd import set_multithreading_enabled
from fastgrad.autograd.multithreading import is_multithreading_enabled


@pytest.fixture(autouse=True)
def restore():
    before = is_multithreading_enabled()
    yield
    set_multithreading_enabled(before)


def test_function_context_manager_and_nesting():
    assert is_multithreading_enabled()
    set_multithreading_enabled(False)
    assert not is_multithreading_enabled()
    with set_multithreading_enabled(True):
        assert is_multithreading_enabled()
        with set_multithreading_enabled(False):
            assert not is_multithreading_enabled()
        assert is_multithreading_enabled()
    assert not is_multithreading_enabled()


def test_decorator_applies_during_calls_only():
    @set_multithreading_enabled(False)
    def inside():
        return is_multithreading_enabled()
    assert is_multithreading_enabled()
    assert inside() is False and is_multithreading_enabled()
    switch = set_multithreading_enabled(False)
    copy = switch.clone()
    assert copy.mode is False and copy is not switch


def test_the_setting_belongs_to_the_thread():
    seen = []
    set_multithreading_enabled(False)
    worker = threading.Thread(target=lambda: seen.append(is_multithreading_enabled()))
    worker.start()
    worker.join()
    assert seen == [True] and not is_multithreading_enabled()


def test_gradients_are_the_same_either_way(rng):
    a = rng.standard_normal((5, 4))
    grads = []
    for mode in (True, False):
        x = fg.tensor(a, requires_grad=True)
        with set_multithreading_enabled(mode):
            (x.tanh() @ x.T).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_array_equal(grads[0], grads[1])


def test_matches_pytorch_argument_check():
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError):
        torch.autograd.set_multithreading_enabled(1)
    with pytest.raises(TypeError, match="set_multithreading_enabled: argument 'mode' must be a bool"):
        set_multithreading_enabled(1)
