"""Shared test helpers (import as `from helpers import ...`)."""
import numpy as np

import fastgrad as fg


def leaf(rng, shape, dtype=np.float64, low=None, high=None):
    """A float leaf tensor requiring grad: standard normal, or uniform(low, high)."""
    data = rng.standard_normal(shape) if low is None else rng.uniform(low, high, shape)
    return fg.tensor(np.asarray(data, dtype=dtype), requires_grad=True)
