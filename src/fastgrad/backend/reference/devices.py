"""Where the reference twins put the arrays they create."""
import numpy as np


def same_device(a):
    """Keyword arguments that put a new array on `a`'s device: none for NumPy arrays,
    `device=a.device` for others (CuPy, array-API arrays on any device).

    Example::

        xp.arange(n, **same_device(target))    # on target's GPU, not the current one
    """
    return {} if isinstance(a, np.ndarray) else {"device": a.device}
