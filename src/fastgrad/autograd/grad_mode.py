"""Whether operations record a graph: no_grad, enable_grad, set_grad_enabled.

The switch belongs to the thread, as in PyTorch: `no_grad()` in one thread
leaves graph recording in every other thread as it was.  A new thread starts
with recording on.  The flag is a C thread-local of the graph core
(autograd/_graph.pyx), so an op checks it without a Python attribute lookup.
"""
import functools

from ._graph import STATE  # STATE.enabled: the calling thread's flag, True in a new thread


def is_grad_enabled():
    """True when new operations are recorded for backward."""
    return STATE.enabled


def _with_mode(fn, mode):
    """`fn` run with graph recording set to `mode`."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        prev = STATE.enabled
        STATE.enabled = mode
        try:
            return fn(*args, **kwargs)
        finally:
            STATE.enabled = prev

    return wrapper


class set_grad_enabled:
    """Context manager and decorator that turns graph recording on or off.

    >>> with set_grad_enabled(False):
    ...     y = x * 2          # y.requires_grad is False
    """

    def __init__(self, mode):
        self.mode = bool(mode)
        self.prev = STATE.enabled
        STATE.enabled = self.mode  # takes effect at once, as in PyTorch

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        STATE.enabled = self.prev
        return False

    def __call__(self, fn):
        # Used as a decorator: the flag set by __init__ is undone here.
        STATE.enabled = self.prev
        return _with_mode(fn, self.mode)


class _FixedMode:
    """Base of no_grad / enable_grad: `with no_grad():`, `@no_grad()` and `@no_grad`."""

    mode = True

    def __new__(cls, fn=None):
        self = super().__new__(cls)
        if fn is not None and callable(fn):
            return self(fn)
        return self

    def __enter__(self):
        self.prev = STATE.enabled
        STATE.enabled = self.mode
        return self

    def __exit__(self, *exc):
        STATE.enabled = self.prev
        return False

    def __call__(self, fn):
        return _with_mode(fn, self.mode)


class no_grad(_FixedMode):
    """Operations inside do not record a graph (inference, optimizer updates)."""

    mode = False


class enable_grad(_FixedMode):
    """Operations inside record a graph, even within no_grad."""

    mode = True


class inference_mode(_FixedMode):
    """Operations inside record no graph, as in no_grad (PyTorch's name for inference code).

    `inference_mode(False)` records as usual.  Works as `with inference_mode():`,
    `@inference_mode()` and `@inference_mode`."""

    mode = False

    def __new__(cls, mode=True):
        if callable(mode) and not isinstance(mode, bool):
            return _with_mode(mode, False)
        self = object.__new__(cls)
        self.mode = not bool(mode)
        return self

    def __init__(self, mode=True):
        pass


def is_inference_mode_enabled():
    """True inside inference_mode() (and no_grad(): neither records a graph)."""
    return not STATE.enabled
