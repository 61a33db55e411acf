"""fastgrad.autograd.detect_anomaly: the first op whose backward returns NaN or inf
raises, naming the op and where its forward was called; off, nothing is recorded."""
import threading

import numpy as np
import pytest

import fastgrad as fg
from fastgrad.autograd import Function, detect_anomaly, is_anomaly_enabled, set_detect_anomaly


class NanGrad(Function):
    """Identity whose backward returns NaN (a broken backward rule)."""

    @staticmethod
    def forward(ctx, x):
        return x * 1

    @staticmethod
    def backward(ctx, g):
        return g * np.nan


def test_first_op_with_a_nan_gradient_raises_naming_it_and_its_forward_call():
    x = fg.tensor([1.0, 2.0], requires_grad=True)
    with detect_anomaly():
        y = fg.exp(NanGrad.apply(x * 3))   # exp and mul come after / before it in backward
        loss = (y * 2).sum()
        with pytest.raises(RuntimeError, match=r"Function 'NanGradBackward' returned nan values in its 0th output") \
                as info:
            loss.backward()
    message = str(info.value)
    assert "test_anomaly.py" in message and "y = fg.exp(NanGrad.apply(x * 3))" in message
    assert x.grad is None


def test_inf_gradient_of_a_library_op_is_named():
    x = fg.tensor([0.0, 4.0], requires_grad=True)
    with detect_anomaly():
        with np.errstate(divide="ignore"):
            with pytest.raises(RuntimeError, match=r"'SqrtBackward' returned inf"):
                fg.sqrt(x).sum().backward()


def test_without_anomaly_mode_the_nan_gradient_is_returned_and_nothing_is_recorded():
    x = fg.tensor([1.0], requires_grad=True)
    y = NanGrad.apply(x)
    assert not hasattr(y._node, "forward_trace")
    y.sum().backward()
    assert np.isnan(x.grad).all()


def test_check_nan_false_records_but_does_not_raise():
    x = fg.tensor([1.0], requires_grad=True)
    with detect_anomaly(check_nan=False):
        NanGrad.apply(x).sum().backward()
    assert np.isnan(x.grad).all()


def test_modes_nest_restore_and_work_as_decorator():
    assert not is_anomaly_enabled()
    with detect_anomaly():
        assert is_anomaly_enabled()
        with set_detect_anomaly(False):
            assert not is_anomaly_enabled()
            x = fg.tensor([1.0], requires_grad=True)
            NanGrad.apply(x).sum().backward()   # off here: no error
        assert is_anomaly_enabled()
    assert not is_anomaly_enabled()

    @detect_anomaly()
    def step():
        assert is_anomaly_enabled()
        NanGrad.apply(fg.tensor([1.0], requires_grad=True)).sum().backward()

    with pytest.raises(RuntimeError, match="NanGradBackward"):
        step()
    assert not is_anomaly_enabled()


def test_create_graph_gradients_are_checked_too():
    x = fg.tensor([1.0, 2.0], requires_grad=True)
    with detect_anomaly():
        y = NanGrad.apply(x * x).sum()
        with pytest.raises(RuntimeError, match="NanGradBackward"):
            fg.autograd.grad(y, x, create_graph=True)


def test_anomaly_mode_belongs_to_the_thread():
    inside = threading.Event()
    leave = threading.Event()
    seen = []

    def other_thread():
        seen.append(is_anomaly_enabled())
        x = fg.tensor([1.0], requires_grad=True)
        NanGrad.apply(x).sum().backward()   # not on in this thread: no error
        seen.append(bool(np.isnan(x.grad).all()))
        inside.set()
        leave.wait(10)

    with detect_anomaly():
        t = threading.Thread(target=other_thread)
        t.start()
        assert inside.wait(10)
        leave.set()
        t.join()
        with pytest.raises(RuntimeError, match="NanGradBackward"):
            NanGrad.apply(fg.tensor([1.0], requires_grad=True)).sum().backward()
    assert seen == [False, True]
