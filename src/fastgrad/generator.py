"""fastgrad.Generator: PyTorch's torch.Generator over NumPy's PCG64 generator.

It is a numpy.random.Generator (every draw NumPy offers), with PyTorch's manual_seed, seed,
initial_seed, get_state and set_state, so it is accepted wherever fastgrad takes `generator=` (rand, randn,
randint, randperm, normal, poisson, bernoulli, multinomial, nn.init, DataLoader shuffling).

    g = fastgrad.Generator().manual_seed(0)
    fastgrad.randn(3, generator=g)
"""
import operator
import os

import numpy as np

# PyTorch's seed for a new Generator, so that an unseeded Generator() draws the same stream
# in every run, as PyTorch's does (its numbers differ: the algorithms differ).
DEFAULT_SEED = 67280421310721
_SEED_RANGE = 2 ** 64


class Generator(np.random.Generator):
    """A random number generator with PyTorch's seeding methods; device 'cpu' only."""

    def __init__(self, device="cpu"):
        if str(device) != "cpu":
            raise ValueError(f"Generator: argument 'device' must be 'cpu' (fastgrad's generators draw on the "
                             f"host), got {device!r}")
        super().__init__(np.random.PCG64(DEFAULT_SEED))
        self._initial_seed = DEFAULT_SEED

    def manual_seed(self, seed):
        """Restart the stream from `seed` (an int; negative ones wrap around 2**64 as PyTorch's
        do); returns the generator."""
        if isinstance(seed, bool):
            raise TypeError("manual_seed: argument 'seed' must be an int, got a bool")
        try:
            seed = operator.index(seed)
        except TypeError:
            raise TypeError(f"manual_seed: argument 'seed' must be an int, got {type(seed).__name__}") from None
        if not -2 ** 63 <= seed < _SEED_RANGE:
            raise ValueError(f"manual_seed: seed must lie in [-2**63, 2**64), got {seed}")
        seed %= _SEED_RANGE
        self.bit_generator.state = np.random.PCG64(seed).state
        self._initial_seed = seed
        return self

    def seed(self):
        """Restart the stream from a seed taken from the operating system; returns that seed."""
        seed = int.from_bytes(os.urandom(8), "little") >> 1
        self.manual_seed(seed)
        return seed

    def initial_seed(self):
        """The seed the stream last started from."""
        return self._initial_seed

    def get_state(self):
        """The generator's state as a 1-d uint8 tensor (PyTorch's ByteTensor), for set_state."""
        from .autograd.tensor import Tensor

        state = self.bit_generator.state
        values = (state["state"]["state"], state["state"]["inc"], state["has_uint32"], state["uinteger"],
                  self._initial_seed)
        raw = b"".join(int(value).to_bytes(size, "little") for value, size in zip(values, _STATE_FIELDS))
        return Tensor(np.frombuffer(raw, dtype=np.uint8).copy())

    def set_state(self, new_state):
        """Restore a state that get_state returned; returns the generator."""
        raw = _state_bytes(new_state)
        values, start = [], 0
        for size in _STATE_FIELDS:
            values.append(int.from_bytes(raw[start:start + size], "little"))
            start += size
        position, inc, has_uint32, uinteger, initial_seed = values
        if inc % 2 == 0 or has_uint32 > 1:
            raise ValueError("set_state: argument 'new_state' is not a state that get_state returned")
        self.bit_generator.state = {"bit_generator": "PCG64", "state": {"state": position, "inc": inc},
                                    "has_uint32": has_uint32, "uinteger": uinteger}
        self._initial_seed = initial_seed
        return self

    @property
    def device(self):
        from .devices import Device

        return Device("cpu")

    def __reduce__(self):   # pickled and copied as a fastgrad.Generator, mid-stream
        return _restored, (self.bit_generator.state, self._initial_seed)

    def __repr__(self):
        return f"fastgrad.Generator(initial_seed={self._initial_seed})"


# Bytes of each field of a saved state: PCG64's position and increment, its buffered 32-bit
# draw (a flag and the value), and the seed the stream started from.
_STATE_FIELDS = (16, 16, 1, 4, 8)


def _state_bytes(new_state):
    from .autograd.tensor import Tensor

    data = new_state._data if isinstance(new_state, Tensor) else new_state
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8:
        raise TypeError(f"set_state: argument 'new_state' must be a uint8 tensor from get_state, got "
                        f"{getattr(data, 'dtype', type(data).__name__)}")
    if data.shape != (sum(_STATE_FIELDS),):
        raise ValueError(f"set_state: argument 'new_state' must have shape ({sum(_STATE_FIELDS)},), got {data.shape}")
    return data.tobytes()


def _restored(state, initial_seed):
    generator = Generator()
    generator.bit_generator.state = state
    generator._initial_seed = initial_seed
    return generator
