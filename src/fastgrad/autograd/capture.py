"""Where fastgrad.jit sees a function's work while it records it.

Nothing here does anything unless a recording runs (then `RECORDER` is set and
each hook costs one check of this module's global):

- every op: the graph core shows each `Primitive.apply` to the recorder,
  and each assignment `tensor.grad = ...`;
- the backward engine: `recording()` tells it to report its passes;
- `replayed_call`: marks a method that changes state outside the graph (an
  optimizer step, zero_grad, a scheduler step, gradient clipping); a recording
  keeps the call itself, and every replay makes the call again;
- `run(fn, *args)`: an array computed outside an op (a comparison, an
  in-place update without a graph, a dtype conversion); a recording keeps
  `fn` and its arguments, and every replay computes it again.
"""
import functools
import threading

from . import _graph

RECORDER = None  # the active recorder (fastgrad.jit), or None


def set_recorder(recorder):
    """Install (or, with None, remove) the recorder that every hook reports to."""
    global RECORDER
    RECORDER = recorder
    _graph.set_recorder(recorder)


def recording():
    """The recorder when this thread is recording now (not paused inside a kept call), else None."""
    r = RECORDER
    if r is not None and r.thread == threading.get_ident() and not r.paused:
        return r
    return None


def replayed_call(fn):
    """Decorator: a recording keeps calls of `fn` as calls, made again at every replay.

    For methods whose effect is on Python state or in-place on parameters and
    gradients (they read their arguments, such as the learning rate, when they
    run), so that a replay does what the eager call would do now.
    """

    @functools.wraps(fn)
    def call(*args, **kwargs):
        if RECORDER is None:
            return fn(*args, **kwargs)
        r = recording()
        if r is None:
            return fn(*args, **kwargs)
        return r.host_call(fn, args, kwargs)

    return call


def run(fn, *args):
    """fn(*args), an array computed outside an op; a recording computes it again at every replay."""
    result = fn(*args)
    if RECORDER is not None:
        r = recording()
        if r is not None:
            r.host_array(fn, args, result)
    return result
