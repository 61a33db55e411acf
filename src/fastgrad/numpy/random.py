"""fastgrad.numpy.random: NumPy's random module (sampling has no gradient),
importable as `import fastgrad.numpy.random as npr`."""
from numpy.random import *  # noqa: F401,F403
from numpy.random import __all__  # noqa: F401


def __getattr__(name):
    import numpy.random

    return getattr(numpy.random, name)
