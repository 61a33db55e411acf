"""HIPS autograd's helpers: flatten (misc.flatten), the optimizers sgd, rmsprop
and adam (misc.optimizers) and fixed_point (misc.fixed_points)."""
from .flatten import flatten, flatten_func  # noqa: F401
