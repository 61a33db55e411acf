"""set_multithreading_enabled: PyTorch's switch for multithreaded backward passes.

PyTorch runs the backward work of accelerator devices on one thread per device, and this switch
turns that off. fastgrad's backward pass always runs in the thread that calls backward() (its
kernels parallelize inside themselves, with OpenMP), so the switch changes no computation: it
is accepted and remembered, per thread as in PyTorch, so that code written for PyTorch runs
unchanged and can read the setting back with is_multithreading_enabled().

    with fastgrad.autograd.set_multithreading_enabled(False):
        loss.backward()                      # the same gradients either way
"""
import functools
import threading

__all__ = ["is_multithreading_enabled", "set_multithreading_enabled"]

_LOCAL = threading.local()


def is_multithreading_enabled():
    """The calling thread's setting (True in a new thread, as in PyTorch)."""
    return getattr(_LOCAL, "enabled", True)


def _set(mode):
    _LOCAL.enabled = mode


class set_multithreading_enabled:
    """Turn multithreaded backward on or off in this thread: at once when called (as a function),
    until the end of the block (as a context manager) or of the call (as a decorator).

    >>> set_multithreading_enabled(False); is_multithreading_enabled()
    False
    """

    def __init__(self, mode):
        if not isinstance(mode, bool):
            raise TypeError(f"set_multithreading_enabled: argument 'mode' must be a bool, got {type(mode).__name__}")
        self.mode = mode
        self.prev = is_multithreading_enabled()
        _set(mode)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        _set(self.prev)
        return False

    def clone(self):
        """A new switch with the same mode (applied again)."""
        return type(self)(self.mode)

    def __call__(self, fn):
        _set(self.prev)                      # as a decorator the setting applies during calls only

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)
        return wrapper
