"""Helpers of the kernel tests: run a reference twin, compare a kernel's result with it."""
import numpy as np

from fastgrad.backend import reference


def twin(name, *args, **kw):
    """The reference twin `name` on NumPy arrays."""
    return reference.TWINS[name](np, *args, **kw)


def close_within(tolerances, actual, expected, dtype):
    """assert_allclose in float64 with the (rtol, atol) that `tolerances` gives `dtype`."""
    rtol, atol = tolerances[dtype]
    np.testing.assert_allclose(np.asarray(actual, np.float64), np.asarray(expected, np.float64), rtol=rtol,
                               atol=atol)
