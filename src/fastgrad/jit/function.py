"""fastgrad.jit: record a function's work once per signature, replay it after."""
import functools
import threading
import warnings
from collections import OrderedDict

from ..autograd import anomaly, capture
from . import guards, lowering
from .errors import CaptureError
from .hot_path import hot_check
from .recorder import Recorder
from .signature import fast_key, signature
from .verify import check_same_work, copy_inputs, same_inputs

DEFAULT_CACHE_SIZE = 16

# One recording at a time in the process (the hooks are process-wide; each checks the thread).
_RECORDING = threading.Lock()


def _hot_check(recorded, fast):
    """hot_path.hot_check for calls of fast key `fast` replaying `recorded`, made once and kept on it."""
    checks = recorded.hot_checks
    check = checks.get(fast)
    if check is None:
        if len(checks) >= 8:
            checks.clear()
        check = checks[fast] = hot_check(fast, recorded.guards)
    return check


class JitFunction:
    """A function whose calls are recorded once per signature and then replayed.

    See `fastgrad.jit` for the semantics.  `recordings` counts the recordings
    made so far; `cache_len()` is the number of recordings kept; `plans()` their
    lowered plans (with lower=True, the default: see lowering.py)."""

    def __init__(self, fn, static_argnums=(), cache_size=DEFAULT_CACHE_SIZE, lower=True):
        if not callable(fn):
            raise TypeError(f"jit: expected a function, got a {type(fn).__name__}")
        if isinstance(static_argnums, int):
            static_argnums = (static_argnums,)
        static_argnums = tuple(static_argnums)
        for i in static_argnums:
            if not isinstance(i, int) or isinstance(i, bool) or i < 0:
                raise ValueError(f"jit: static_argnums must be non-negative ints, got {static_argnums!r}")
        if not isinstance(cache_size, int) or isinstance(cache_size, bool) or cache_size < 1:
            raise ValueError(f"jit: cache_size must be a positive int, got {cache_size!r}")
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.static_argnums = frozenset(static_argnums)
        self.cache_size = cache_size
        self.lower = bool(lower)
        self.recordings = 0
        self._cache = OrderedDict()
        self._fast = {}  # fast key of a call -> its signature (signature.fast_key)
        self._hot = None  # (hot_path.hot_check of the signature replayed last, its recording), or None

    def __call__(self, *args, **kwargs):
        if capture.RECORDER is not None and capture.recording() is not None:
            return self.fn(*args, **kwargs)  # inside another recording: part of that one
        if anomaly.STATE.enabled:
            return self.fn(*args, **kwargs)  # anomaly detection checks each op as it runs
        # The hottest path: a call of the signature replayed last replays it after one check.
        hot = self._hot
        if hot is not None and not kwargs and hot[0](args):
            return hot[1].replay(args)
        # The hot path: a call of positional arrays and tensors only finds its signature by a fast key.
        fast = fast_key(args) if not kwargs and not self.static_argnums else None
        key = self._fast.get(fast) if fast is not None else None
        if key is not None:
            leaves = args
        else:
            key, leaves = signature(args, kwargs, self.static_argnums, self._name())
            if fast is not None:
                if len(self._fast) >= 4 * self.cache_size:
                    self._fast.clear()
                self._fast[fast] = key
        recorded = self._cache.get(key)
        if recorded is not None and recorded.still_valid() and (
                recorded.verified or (recorded.checked_on is not None and same_inputs(recorded.checked_on, leaves))):
            self._cache.move_to_end(key)
            if fast is not None and recorded.verified:
                self._hot = (_hot_check(recorded, fast), recorded)
            return recorded.replay(leaves)
        self._hot = None  # the cache is about to change
        # Record (again).  A recording is replayed once a second one agrees with it; until the two
        # have seen different inputs, only calls with those same inputs replay it.
        name = self._name()
        first_inputs = copy_inputs(leaves)
        result, again = self._record(name, args, kwargs, leaves)
        if recorded is not None and recorded.still_valid():
            check_same_work(recorded, again, name)
            if same_inputs(recorded.first_inputs, first_inputs):
                again.checked_on = first_inputs
            else:
                again.verified = True
        if again.verified and self.lower and again.on_numpy:
            again.plan = self._lowered(again, name)
        again.models = None
        if again.verified:
            again.fingerprints = None  # only a recording still to be checked needs them
        else:
            again.first_inputs = first_inputs
        self._cache[key] = again
        self._cache.move_to_end(key)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return result

    def _name(self):
        return getattr(self.fn, "__name__", type(self.fn).__name__)

    def _record(self, name, args, kwargs, leaves):
        with _RECORDING:
            recorder = Recorder(name)
            input_slots = [recorder.add_input(x) for x in leaves]
            installed = guards.Installed(name)
            capture.set_recorder(recorder)
            try:
                result = self.fn(*args, **kwargs)
                if installed.generator_replaced():
                    raise CaptureError(
                        f"jit: {name!r} sets fastgrad's generator (manual_seed) while it is recorded; draws "
                        "after it would be frozen.  Seed outside the function")
                recorded = recorder.finish(result, input_slots)
            finally:
                capture.set_recorder(None)
                installed.remove()
                recorder.close()
        self.recordings += 1
        return result, recorded

    @staticmethod
    def _lowered(recorded, name):
        try:
            return lowering.lower(recorded, name)
        except Exception as e:  # the recording still replays, step by step
            warnings.warn(f"jit({name}): the recording could not be lowered to a plan of array calls "
                          f"({type(e).__name__}: {e}); it is replayed step by step", RuntimeWarning, stacklevel=4)
            return None

    def plans(self):
        """The lowered plans of the recordings kept (lowering.Plan: .source, .lowered, .kept, .calls)."""
        return [t.plan for t in self._cache.values() if t.plan is not None]

    def cache_len(self):
        """How many recordings are kept (at most cache_size)."""
        return len(self._cache)

    def clear_cache(self):
        """Drop every recording: the next call records anew."""
        self._cache.clear()
        self._fast.clear()
        self._hot = None
