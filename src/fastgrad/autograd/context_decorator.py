"""ContextDecorator: the base of the context managers that also decorate functions
(detect_anomaly, profiler.record_function, autocast)."""
import functools


class ContextDecorator:
    """A context manager whose instances also decorate: `@cm(...)` wraps a function so that each
    of its calls runs inside `with self._context_for_call():`.  That is the instance itself by
    default; a class whose instances keep the state of one `with` block returns a new instance,
    so that nested and concurrent calls keep apart."""

    def _context_for_call(self):
        return self

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self._context_for_call():
                return fn(*args, **kwargs)

        return wrapper
