"""The errors of fastgrad.jit: a function whose recording could not be replayed faithfully."""


class CaptureError(RuntimeError):
    """The function does something a replay could not repeat exactly; the message says what
    and the way out (an argument in static_argnums, or running the function eagerly)."""


class HostReadError(CaptureError):
    """A tensor's value was read on the host (float(t), t.item(), bool(t), np.asarray(t), ...)
    while the function was being recorded."""


EAGER_HINT = ("or call the function without fastgrad.jit (eager mode)")
