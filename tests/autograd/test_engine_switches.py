"""fastgrad.autograd.set_multithreading_enabled and enforce_grad_layout_policy: PyTorch's forms
(function, context manager, decorator, clone), per-thread settings, and the same gradients
whichever way they are set."""
import threading

import numpy as np
import pytest

import fastgrad as fg
from fastgrad.autograd import enforce_grad_layout_policy, set_multithreading_enabled
from fastgrad.autograd.engine_switches import is_grad_layout_policy_enforced, is_multithreading_enabled


@pytest.fixture(autouse=True)
def restore():
    before = is_multithreading_enabled(), is_grad_layout_policy_enforced()
    yield
    set_multithreading_enabled(before[0])
    enforce_grad_layout_policy(before[1])


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


@pytest.mark.parametrize("switch", [set_multithreading_enabled, enforce_grad_layout_policy])
def test_gradients_are_the_same_either_way(switch, rng):
    a = rng.standard_normal((5, 4))
    grads = []
    for mode in (True, False):
        x = fg.tensor(a, requires_grad=True)
        with switch(mode):
            (x.tanh() @ x.T).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_array_equal(grads[0], grads[1])


def test_the_two_switches_are_independent():
    with enforce_grad_layout_policy(False):
        assert not is_grad_layout_policy_enforced() and is_multithreading_enabled()
        with set_multithreading_enabled(False):
            assert not is_multithreading_enabled() and not is_grad_layout_policy_enforced()
    assert is_grad_layout_policy_enforced() and is_multithreading_enabled()


def test_matches_pytorch_argument_check():
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError):
        torch.autograd.set_multithreading_enabled(1)
    with pytest.raises(TypeError, match="set_multithreading_enabled: argument 'mode' must be a bool"):
        set_multithreading_enabled(1)
    with pytest.raises(TypeError):
        torch.autograd.enforce_grad_layout_policy(1)
    with pytest.raises(TypeError, match="enforce_grad_layout_policy: argument 'mode' must be a bool"):
        enforce_grad_layout_policy(1)
