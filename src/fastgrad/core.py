"""HIPS autograd's core names, for code that extends it:

- make_vjp(fun, x) -> (vjp, fun(x)) and make_jvp(fun, x)(v) -> (fun(x), J v),
  for a function of one argument;
- primitive_vjps / primitive_jvps: the rules registered with fastgrad.extend,
  {primitive: {argnum: maker}}.
"""
from .differential_operators import make_jvp as _make_jvp
from .differential_operators import make_vjp as _make_vjp
from .extend import primitive, primitive_jvps, primitive_vjps  # noqa: F401

__all__ = ["make_jvp", "make_vjp", "primitive", "primitive_jvps", "primitive_vjps"]


def make_vjp(fun, x):
    """(vjp, fun(x)) with vjp(g) = g^T J at x."""
    return _make_vjp(fun)(x)


def make_jvp(fun, x):
    """v -> (fun(x), J v) at x."""
    return _make_jvp(fun)(x)
