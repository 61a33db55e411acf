"""fastgrad.Generator: PyTorch's torch.Generator over NumPy's PCG64 generator.

It is a numpy.random.Generator (every draw NumPy offers), with PyTorch's manual_seed, seed
and initial_seed, so it is accepted wherever fastgrad takes `generator=` (rand, randn,
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

    @property
    def device(self):
        from .devices import Device

        return Device("cpu")

    def __reduce__(self):   # pickled and copied as a fastgrad.Generator, mid-stream
        return _restored, (self.bit_generator.state, self._initial_seed)

    def __repr__(self):
        return f"fastgrad.Generator(initial_seed={self._initial_seed})"


def _restored(state, initial_seed):
    generator = Generator()
    generator.bit_generator.state = state
    generator._initial_seed = initial_seed
    return generator
