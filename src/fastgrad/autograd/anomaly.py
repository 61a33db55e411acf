"""Anomaly detection: find the op whose backward first produces NaN or inf.

    with fastgrad.autograd.detect_anomaly():
        loss = model(x).sum()
        loss.backward()     # RuntimeError naming the op and where its forward was called

While it is on (in the current thread, as grad mode), each recorded op keeps
the stack of its forward call, and the backward checks every gradient an op
returns: the first one holding NaN or inf raises a RuntimeError that names the
op's backward and shows where its forward was called.  While no thread has it
on, the graph core skips it with one test of a C flag per op: it costs nothing.
"""
import os
import threading
import traceback

from ..backend import namespace_of
from .context_decorator import ContextDecorator

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


class _AnomalyState(threading.local):
    enabled = False      # the value each thread starts with
    check_nan = True


STATE = _AnomalyState()
_threads_on = 0          # threads with anomaly mode on; the graph core's flag is _threads_on > 0
_count_lock = threading.Lock()


def is_anomaly_enabled():
    """True when anomaly detection is on in this thread."""
    return STATE.enabled


def is_anomaly_check_nan_enabled():
    """True when anomaly detection also checks gradients for NaN and inf in this thread."""
    return STATE.enabled and STATE.check_nan


def _switch(enabled, check_nan):
    """Set this thread's mode; return the previous (enabled, check_nan)."""
    global _threads_on
    previous = (STATE.enabled, STATE.check_nan)
    if enabled != STATE.enabled:
        from ._graph import set_anomaly_active

        with _count_lock:
            _threads_on += 1 if enabled else -1
            set_anomaly_active(_threads_on > 0)
    STATE.enabled, STATE.check_nan = bool(enabled), bool(check_nan)
    return previous


class set_detect_anomaly:
    """Context manager that turns anomaly detection on or off (takes effect at once, as in PyTorch)."""

    def __init__(self, mode, check_nan=True):
        self.previous = _switch(bool(mode), check_nan)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _switch(*self.previous)
        return False


class detect_anomaly(ContextDecorator):
    """Context manager (and decorator) that turns anomaly detection on in this thread.

    >>> x = fastgrad.tensor([0.0], requires_grad=True)
    >>> with fastgrad.autograd.detect_anomaly():
    ...     fastgrad.sqrt(x).sum().backward()   # RuntimeError: SqrtBackward returned inf ...
    """

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        self.previous = _switch(True, self.check_nan)
        return self

    def __exit__(self, *exc):
        _switch(*self.previous)
        return False

    def _context_for_call(self):
        return detect_anomaly(self.check_nan)


def forward_trace():
    """The stack of the current forward call, as frames (kept on the op's node)."""
    return traceback.extract_stack()[:-1]


def _where(frames):
    # The caller's frames, down to the first call into fastgrad (the API they called).
    shown = []
    for frame in frames:
        shown.append(frame)
        if frame.filename.startswith(_PACKAGE_DIR):
            break
    return "".join(traceback.format_list(shown)).rstrip()


def check_gradients(node, gradients):
    """Raise if a gradient computed by `node`'s backward holds NaN or inf."""
    if not STATE.check_nan:
        return
    for i, g in enumerate(gradients):
        if g is None:
            continue
        data = g._data if hasattr(g, "_node") else g   # a Tensor with create_graph=True
        xp = namespace_of(data)
        if bool(xp.all(xp.isfinite(data))):
            continue
        kind = "nan" if bool(xp.any(xp.isnan(data))) else "inf"
        trace = getattr(node, "forward_trace", None)
        where = ("\nIts forward was called at (most recent call last):\n" + _where(trace)) if trace else \
            "\n(Its forward ran before anomaly detection was turned on, so where is not known.)"
        raise RuntimeError(f"Function '{node.name}' returned {kind} values in its {i}th output (the gradient "
                           f"of its forward argument {i}).{where}")
