"""PyTorch's per-thread switches of its backward engine that change no computation in fastgrad:
set_multithreading_enabled and enforce_grad_layout_policy.

PyTorch runs the backward work of accelerator devices on one thread per device
(set_multithreading_enabled(False) turns that off), and makes accumulated gradients take their
parameter's strides (enforce_grad_layout_policy(False) relaxes that). fastgrad's backward pass
always runs in the thread that calls backward() (its kernels parallelize inside themselves, with
OpenMP), and its gradients are new row-major arrays of the parameter's shape, so neither switch
has anything to change: both are accepted and remembered, per thread as in PyTorch, so that code
written for PyTorch runs unchanged and can read the settings back.

    with fastgrad.autograd.set_multithreading_enabled(False):
        loss.backward()                      # the same gradients either way
"""
import functools
import threading

__all__ = ["enforce_grad_layout_policy", "is_grad_layout_policy_enforced", "is_multithreading_enabled",
           "set_multithreading_enabled"]

_LOCAL = threading.local()


class _ThreadSwitch:
    """A per-thread on/off setting (True in a new thread): set at once when called (as a function),
    until the end of the block (as a context manager) or during each call (as a decorator)."""
    _key = None

    @classmethod
    def current(cls):
        return getattr(_LOCAL, cls._key, True)

    def __init__(self, mode):
        if not isinstance(mode, bool):
            raise TypeError(f"{type(self).__name__}: argument 'mode' must be a bool, got {type(mode).__name__}")
        self.mode = mode
        self.prev = self.current()
        setattr(_LOCAL, self._key, mode)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        setattr(_LOCAL, self._key, self.prev)
        return False

    def clone(self):
        """A new switch with the same mode (applied again)."""
        return type(self)(self.mode)

    def __call__(self, fn):
        setattr(_LOCAL, self._key, self.prev)      # as a decorator the setting applies during calls only

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)
        return wrapper


class set_multithreading_enabled(_ThreadSwitch):
    """Turn multithreaded backward on or off in this thread (no effect on fastgrad's single-threaded
    engine; see the module's docstring).

    >>> set_multithreading_enabled(False); is_multithreading_enabled()
    False
    """
    _key = "multithreading"


class enforce_grad_layout_policy(_ThreadSwitch):
    """Enforce (True) or relax (False) the rule that accumulated gradients take their parameter's
    layout, in this thread (fastgrad's gradients are always row-major arrays of the parameter's
    shape; see the module's docstring).

    >>> with enforce_grad_layout_policy(False):
    ...     loss.backward()
    """
    _key = "grad_layout"


def is_multithreading_enabled():
    """The calling thread's set_multithreading_enabled setting (True in a new thread)."""
    return set_multithreading_enabled.current()


def is_grad_layout_policy_enforced():
    """The calling thread's enforce_grad_layout_policy setting (True in a new thread)."""
    return enforce_grad_layout_policy.current()
