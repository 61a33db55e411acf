"""`profile` and `record_function`: timing every op, backward step and labelled region.

While a profile records, the graph core (autograd/_graph.pyx) calls `op` after each op's
forward and `backward_step` after each node's backward, with their start and end in
`time.perf_counter_ns`; with no profile recording it pays one pointer test per op.  Steps
replayed by `fastgrad.jit` run no ops and appear as their `record_function` region only.
"""
import enum
import functools
import json
import os
import socket
import threading
import time
import warnings

from ..autograd import _graph
from ..autograd.context_decorator import ContextDecorator
from .events import EventList, FunctionEvent, nest


class ProfilerActivity(enum.Enum):
    """What to profile: CPU (host time, recorded) or CUDA (device time, not recorded here)."""
    CPU = 0
    CUDA = 1
    XPU = 2
    MTIA = 3


class ProfilerAction(enum.Enum):
    """What a schedule says a step does: nothing, warm up, record, or record and hand the trace over."""
    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


def schedule(*, wait, warmup, active, repeat=0, skip_first=0, skip_first_wait=0):
    """PyTorch's profiler schedule: after `skip_first` steps, cycles of `wait` idle steps, `warmup`
    steps and `active` recorded steps (the last of which hands the trace to on_trace_ready),
    `repeat` times (0: forever); with skip_first_wait, the first cycle has no idle steps."""
    for name, value in (("wait", wait), ("warmup", warmup), ("active", active), ("repeat", repeat),
                        ("skip_first", skip_first)):
        if not isinstance(value, int) or value < 0:
            raise ValueError(f"schedule: argument '{name}' must be a non-negative int, got {value!r}")
    if active < 1:
        raise ValueError("schedule: argument 'active' must be at least 1")
    cycle = wait + warmup + active

    def action(step):
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if skip_first_wait:
            step += wait  # the first cycle starts at its warm-up
        if repeat and step // cycle >= repeat:
            return ProfilerAction.NONE
        at = step % cycle
        if at < wait:
            return ProfilerAction.NONE
        if at < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if at < cycle - 1 else ProfilerAction.RECORD_AND_SAVE

    return action


_RECORDING = (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE)
_active = None   # the profile recording now, if any (one at a time, as in PyTorch)
_active_lock = threading.Lock()


class _Recorder:
    """What the graph core calls while a profile records: appends one FunctionEvent per call."""

    def __init__(self, events, record_shapes, profile_memory):
        self.events = events
        self.record_shapes = record_shapes
        self.profile_memory = profile_memory

    def op(self, cls, args, result, start, end):
        shapes = [list(getattr(a, "shape", ())) for a in args] if self.record_shapes else ()
        memory = getattr(getattr(result, "_data", None), "nbytes", 0) if self.profile_memory else 0
        self.events.append(FunctionEvent(cls.__name__.lower(), start, end, threading.get_ident(), shapes, memory))

    def backward_step(self, node, grad, start, end):
        shapes = [list(getattr(grad, "shape", ()))] if self.record_shapes else ()
        self.events.append(FunctionEvent(node.name, start, end, threading.get_ident(), shapes, kind="backward"))


_UNSUPPORTED = ("with_stack", "with_flops", "with_modules")


class profile:
    """Record the time of every op, backward step and `record_function` region run inside it,
    as `torch.profiler.profile` does on the CPU::

        with fastgrad.profiler.profile(record_shapes=True) as prof:
            loss = model(x).sum(); loss.backward()
        print(prof.key_averages().table(sort_by="cpu_time_total", row_limit=10))

    With a `schedule`, `prof.step()` marks the end of each training step; the steps the
    schedule says to record are recorded, and `on_trace_ready(prof)` runs at the end of each
    recorded cycle (and at exit when recording).  `profile_memory=True` adds the bytes of each
    op's output.  Device (CUDA) time is not recorded; `with_stack`, `with_flops` and
    `with_modules` are refused."""

    def __init__(self, *, activities=None, schedule=None, on_trace_ready=None, record_shapes=False,
                 profile_memory=False, with_stack=False, with_flops=False, with_modules=False,
                 experimental_config=None, execution_trace_observer=None, acc_events=False,
                 use_cuda=None, custom_trace_id_callback=None):
        for name in _UNSUPPORTED:
            if locals()[name]:
                raise NotImplementedError(f"profile: {name}=True is not supported (fastgrad's profiler records "
                                          "op names, times, input shapes and output bytes)")
        activities = list(ProfilerActivity) if activities is None else list(activities)
        for a in activities:
            if not isinstance(a, ProfilerActivity):
                raise TypeError(f"profile: activities must be ProfilerActivity members, got {a!r}")
        if use_cuda or ProfilerActivity.CUDA in activities and activities != list(ProfilerActivity):
            warnings.warn("profile: device (CUDA) activity is not recorded; host (CPU) times are", stacklevel=2)
        if on_trace_ready is not None and not callable(on_trace_ready):
            raise TypeError("profile: on_trace_ready must be callable")
        self.activities = activities
        self.schedule = schedule
        self.on_trace_ready = on_trace_ready
        self.record_shapes = bool(record_shapes)
        self.profile_memory = bool(profile_memory)
        self.acc_events = acc_events
        self.step_num = 0
        self._events = []
        self._action = ProfilerAction.NONE
        self._step_start = self._step_open = None
        self._running = False

    # ---- starting and stopping --------------------------------------------------------

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self):
        """Start profiling (what entering the `with` block does)."""
        global _active
        with _active_lock:
            if _active is not None:
                raise RuntimeError("profile: another profiler is already recording; "
                                   "profilers cannot be nested or run at once")
            _active = self
        self._running = True
        self.step_num = 0
        self._set_action(self._action_at(0))

    def stop(self):
        """Stop profiling (what leaving the `with` block does); a recording in progress is handed
        to on_trace_ready."""
        global _active
        if not self._running:
            return
        was_recording = self._action in _RECORDING
        self._set_action(ProfilerAction.NONE)
        self._running = False
        with _active_lock:
            _active = None
        if was_recording and self.on_trace_ready is not None:
            self.on_trace_ready(self)

    def step(self):
        """Mark the end of a training step: the schedule may start or stop recording here."""
        if not self._running:
            raise RuntimeError("profile.step: the profiler is not running (call it inside the `with` block)")
        previous = self._action
        self.step_num += 1
        action = self._action_at(self.step_num)
        if previous is ProfilerAction.RECORD_AND_SAVE:
            self._set_action(ProfilerAction.NONE)
            if self.on_trace_ready is not None:
                self.on_trace_ready(self)
        self._set_action(action)

    def _action_at(self, step):
        return ProfilerAction.RECORD if self.schedule is None else self.schedule(step)

    def _set_action(self, action):
        recording_before = self._action in _RECORDING
        recording_after = action in _RECORDING
        if recording_before and self.schedule is not None:
            self._close_step()
        if recording_after and not recording_before:
            if not self.acc_events:
                self._events = []
            _graph.set_profiler(_Recorder(self._events, self.record_shapes, self.profile_memory))
        elif recording_before and not recording_after:
            _graph.set_profiler(None)
        self._action = action
        if recording_after and self.schedule is not None:
            self._step_start, self._step_open = time.perf_counter_ns(), self.step_num

    def _close_step(self):
        # The step just finished, as PyTorch shows it: a region named ProfilerStep#N.
        if self._step_start is not None:
            self._record_region(f"ProfilerStep#{self._step_open}", self._step_start, time.perf_counter_ns(),
                                key="ProfilerStep*")
            self._step_start = None

    def _record_region(self, name, start, end, key=None):
        self._events.append(FunctionEvent(name, start, end, threading.get_ident(), kind="user", key=key))

    @property
    def recording(self):
        return self._action in _RECORDING

    # ---- results ---------------------------------------------------------------------

    def events(self):
        """Every recorded event (FunctionEvent), in the order they ended."""
        return EventList(nest(list(self._events)), self.profile_memory)

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0, group_by_overload_name=False):
        """The events summed per name (and per input shapes with group_by_input_shape)."""
        return self.events().key_averages(group_by_input_shape, group_by_stack_n)

    def export_chrome_trace(self, path):
        """Write the events as a Chrome trace (JSON; open it in chrome://tracing or Perfetto)."""
        events = self.events()
        origin = min((e.start_ns for e in events), default=0)
        trace = []
        for e in events:
            entry = {"ph": "X", "cat": {"op": "cpu_op", "backward": "cpu_op", "user": "user_annotation"}[e.kind],
                     "name": e.name, "pid": os.getpid(), "tid": e.thread,
                     "ts": (e.start_ns - origin) / 1e3, "dur": (e.end_ns - e.start_ns) / 1e3}
            if e.input_shapes:
                entry["args"] = {"Input Dims": e.input_shapes}
            trace.append(entry)
        with open(path, "w") as f:
            json.dump({"traceEvents": trace, "displayTimeUnit": "ms"}, f)

    def export_stacks(self, path, metric="self_cpu_time_total"):
        raise NotImplementedError("profile.export_stacks: fastgrad's profiler records no stacks")


def tensorboard_trace_handler(dir_name, worker_name=None, use_gzip=False):
    """An on_trace_ready that writes each trace as `<worker>.<time>.pt.trace.json` into dir_name
    (what TensorBoard's profile plugin reads)."""
    def handler(prof):
        os.makedirs(dir_name, exist_ok=True)
        worker = worker_name or f"{socket.gethostname()}_{os.getpid()}"
        path = os.path.join(dir_name, f"{worker}.{time.time_ns() // 1_000_000}.pt.trace.json")
        prof.export_chrome_trace(path)
        if use_gzip:
            import gzip
            import shutil
            with open(path, "rb") as src, gzip.open(path + ".gz", "wb") as dst:
                shutil.copyfileobj(src, dst)
            os.remove(path)
    return handler


class record_function(ContextDecorator):
    """Label a region in the profile: `with record_function("data loading"): ...`, or as a
    decorator.  Outside a recording profile it costs a clock read."""

    def __init__(self, name, args=None):
        if not isinstance(name, str):
            raise TypeError(f"record_function: argument 'name' must be a str, got {type(name).__name__}")
        self.name = name
        self._start = None

    def __enter__(self):
        self._start = time.perf_counter_ns() if _active is not None else None
        return self

    def __exit__(self, *exc):
        prof = _active
        if self._start is not None and prof is not None and prof.recording:
            prof._record_region(self.name, self._start, time.perf_counter_ns())
        return False

    def _context_for_call(self):
        return record_function(self.name)


def labelled_step(kind):
    """Decorator for Optimizer methods: while a profile records, the call shows as PyTorch names
    it, "Optimizer.step#Adam.step"; otherwise the method runs as it is."""
    def decorate(method):
        @functools.wraps(method)
        def call(self, *args, **kwargs):
            if _active is None:
                return method(self, *args, **kwargs)
            with record_function(f"Optimizer.{kind}#{type(self).__name__}.{kind}"):
                return method(self, *args, **kwargs)
        return call
    return decorate
