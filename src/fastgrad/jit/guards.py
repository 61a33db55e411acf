"""What a recording refuses: reading a tensor's value on the host, and drawing random numbers.

While a function is recorded, the Tensor methods that hand a value to Python
(`float(t)`, `int(t)`, `bool(t)`, `t.item()`, `t.tolist()`, `t.numpy()`,
`np.asarray(t)`) raise HostReadError in the recording thread, and so does a draw
from fastgrad's generator (dropout, rand, randn, ...): a replay would reuse the
value of the recording, so the branch taken, or the random numbers, would be
frozen.  Other threads are not affected.
"""
from .. import creation
from ..autograd import capture
from ..autograd.tensor import Tensor
from .errors import EAGER_HINT, CaptureError, HostReadError

_HOST_READS = {
    "item": "t.item()",
    "tolist": "t.tolist()",
    "numpy": "t.numpy()",
    "__array__": "np.asarray(t) (or another conversion of a tensor to a NumPy array)",
    "__bool__": "bool(t) (an `if` or `while` on a tensor)",
    "__float__": "float(t)",
    "__int__": "int(t)",
    "__index__": "using a tensor as an index or size",
}


def host_read_message(what, name):
    return (f"jit: {what} reads a tensor's value on the host while fastgrad.jit records {name!r}; every "
            "replay would reuse the value seen now.  Pass that value as an argument named in "
            f"static_argnums (one recording per value), return the tensor and read it after the call, {EAGER_HINT}")


def _refusing(method_name, original):
    what = _HOST_READS[method_name]

    def method(self, *args, **kwargs):
        recorder = capture.recording()
        if recorder is not None:
            raise HostReadError(host_read_message(what, recorder.name))
        return original(self, *args, **kwargs)

    method.__name__ = original.__name__
    method.__doc__ = original.__doc__
    return method


class _GuardedGenerator:
    """Stands in for fastgrad's generator during a recording: draws in the recording thread raise."""

    def __init__(self, generator):
        self._generator = generator

    def __getattr__(self, attr):
        recorder = capture.recording()
        if recorder is not None:
            raise CaptureError(
                f"jit: a random draw from fastgrad's generator (dropout, rand, randn, shuffling, ...) while "
                f"fastgrad.jit records {recorder.name!r} would give the same numbers at every replay.  Draw "
                f"outside the function and pass the result as an argument, {EAGER_HINT}")
        return getattr(self._generator, attr)


class Installed:
    """The guards of one recording; `remove()` puts everything back."""

    def __init__(self, name):
        self.name = name
        self.originals = {attr: Tensor.__dict__[attr] for attr in _HOST_READS}
        for attr, original in self.originals.items():
            setattr(Tensor, attr, _refusing(attr, original))
        self.generator = creation._rng_state[0]
        self.guarded = _GuardedGenerator(self.generator)
        creation._rng_state[0] = self.guarded

    def generator_replaced(self):
        """True when the function set a new generator (manual_seed) during the recording."""
        return creation._rng_state[0] is not self.guarded

    def remove(self):
        for attr, original in self.originals.items():
            setattr(Tensor, attr, original)
        if creation._rng_state[0] is self.guarded:
            creation._rng_state[0] = self.generator
