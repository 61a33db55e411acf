"""A backend: an array namespace plus the fused kernels for its arrays.

`Backend(xp)` runs every kernel through its reference twin in `xp`; subclasses
replace kernels with fused ones (C for NumPy, CuPy kernels for CuPy).
"""
from . import reference

KERNELS = tuple(reference.TWINS)


class Backend:
    """Kernels computed by the reference twins in namespace `xp`."""

    name = "reference"

    def __init__(self, xp):
        self.xp = xp

    def matmul(self, x, y):
        """x @ y with np.matmul's rules, in this backend's namespace."""
        return self.xp.matmul(x, y)

    def __repr__(self):
        return f"<fastgrad backend {self.name} ({getattr(self.xp, '__name__', self.xp)})>"


def _reference_method(name):
    twin = reference.TWINS[name]

    def method(self, *args, **kwargs):
        return twin(self.xp, *args, **kwargs)

    method.__name__ = name
    method.__doc__ = twin.__doc__
    return method


for _name in KERNELS:
    setattr(Backend, _name, _reference_method(_name))
