"""Gradient checks with HIPS autograd's names: check_grads and combo_check.

    from fastgrad.test_util import check_grads
    check_grads(np.tanh, modes=["fwd", "rev"], order=2)(x)

check_grads(f, argnum=0, modes=("fwd", "rev"), order=2)(*args) compares, in
float64 along random directions, the forward-mode product J v with a central
difference (f(x + eps/2 v) - f(x - eps/2 v)) / eps, and the reverse-mode
product u^T J with the same difference dotted with u.  With order > 1 it
checks the derivatives of those products again, in both arguments (x and
the direction).  Inputs and outputs may be arrays, numbers or tuples, lists
and dicts of them; complex values use the inner product Re(sum conj(a) b),
and a reverse-mode gradient is the conjugate of that covector (HIPS's
convention).  An assertion names the function, the analytic and the
numeric values when they differ by more than 1e-6 (absolute or relative).
"""
import itertools

import numpy as np

from .autograd.tensor import Tensor
from .differential_operators import _unary
from .functional import _flatten, jvp, vjp

__all__ = ["check_grads", "check_equivalent", "combo_check", "scalar_close"]

TOL = 1e-6
RTOL = 1e-6
EPS = 1e-6


def scalar_close(a, b):
    """|a - b| below 1e-6, absolutely or relative to |a + b|."""
    return abs(a - b) < TOL or abs(a - b) / abs(a + b) < RTOL


# ---- values as vectors --------------------------------------------------------

def _leaves(tree):
    leaves, rebuild = _flatten(tree)
    return [np.asarray(x._data if isinstance(x, Tensor) else x) for x in leaves], rebuild


def _is_complex(leaf):
    return np.iscomplexobj(leaf)


def _random_like(tree):
    """A random direction with the structure, shapes and (real or complex) kind of `tree`."""
    leaves, rebuild = _leaves(tree)
    out = []
    for leaf in leaves:
        v = np.random.randn(*leaf.shape)
        if _is_complex(leaf):
            v = v + 1j * np.random.randn(*leaf.shape)
        out.append(v if leaf.ndim else _number(v, leaf))
    return rebuild(out)


def _number(v, like):
    return complex(v) if _is_complex(like) else float(v)


def _inner(a, b):
    """Re(sum conj(a) b) over every leaf of two trees of the same structure."""
    la, _ = _leaves(a)
    lb, _ = _leaves(b)
    if len(la) != len(lb):
        raise AssertionError(f"structure mismatch: {len(la)} leaves vs {len(lb)}")
    return sum(float(np.real(np.vdot(x, y))) for x, y in zip(la, lb))


def _combine(a, b, scale_b):
    """a + scale_b * b leaf by leaf, in a's structure (numbers stay numbers)."""
    raw, rebuild = _flatten(a)
    la, _ = _leaves(a)
    lb, _ = _leaves(b)
    out = []
    for r, x, y in zip(raw, la, lb):
        s = x + scale_b * y
        out.append(s if isinstance(r, (np.ndarray, Tensor)) else s[()])
    return rebuild(out)


def _conj(tree):
    leaves, rebuild = _leaves(tree)
    return rebuild([np.conj(x) if _is_complex(x) else x for x in leaves])


def _space(tree):
    """(shape, is complex) of each leaf: two values live in the same space when equal."""
    return [(np.shape(x), _is_complex(x)) for x in _leaves(tree)[0]]


def _name(f):
    return getattr(f, "__name__", repr(f))


# ---- the checks -------------------------------------------------------------------

def _numerical_jvp(f, x):
    def jvp_numeric(v):
        plus = f(_combine(x, v, EPS / 2))
        minus = f(_combine(x, v, -EPS / 2))
        return _scale(_combine(plus, minus, -1.0), 1.0 / EPS)

    return jvp_numeric


def _scale(tree, s):
    leaves, rebuild = _leaves(tree)
    return rebuild([x * s for x in leaves])


def _make_vjp(f, x):
    y, pullback = vjp(f, x)
    return (lambda u: pullback(u)[0]), y


def _make_jvp(f, x):
    return lambda v: jvp(f, (x,), (v,))


def check_vjp(f, x):
    """u^T (J v) computed by reverse mode equals the central difference."""
    pullback, y = _make_vjp(f, x)
    v, u = _random_like(x), _random_like(y)
    vjp_u = _conj(pullback(_conj(u)))
    if _space(vjp_u) != _space(x):
        raise AssertionError(f"VJP of {_name(f)}: gradient space {_space(vjp_u)} is not the input's {_space(x)}")
    exact = _inner(v, vjp_u)
    numeric = _inner(u, _numerical_jvp(f, x)(v))
    assert scalar_close(numeric, exact), (
        f"Derivative (VJP) check of {_name(f)} failed with arg {x}:\nanalytic: {exact}\nnumeric:  {numeric}")


def check_jvp(f, x):
    """J v computed by forward mode equals the central difference."""
    v = _random_like(x)
    check_equivalent(_make_jvp(f, x)(v)[1], _numerical_jvp(f, x)(v))


def check_equivalent(x, y):
    """x and y have the same structure and agree along a random direction."""
    if _space(x) != _space(y):
        raise AssertionError(f"space mismatch:\nx: {_space(x)}\ny: {_space(y)}")
    v = _random_like(x)
    assert scalar_close(_inner(x, v), _inner(y, v)), f"value mismatch:\nx: {x}\ny: {y}"


def _check_grads_unary(f, x, modes, order):
    unknown = set(modes) - {"fwd", "rev"}
    if unknown:
        raise ValueError(f"check_grads: unknown modes {sorted(unknown)} (use 'fwd' and/or 'rev')")
    if "fwd" in modes:
        check_jvp(f, x)
        if order > 1:
            def jvp_f(x_and_v):
                return _make_jvp(f, x_and_v[0])(x_and_v[1])[1]

            jvp_f.__name__ = f"jvp_{_name(f)}"
            _check_grads_unary(jvp_f, (x, _random_like(x)), modes, order - 1)
    if "rev" in modes:
        check_vjp(f, x)
        if order > 1:
            def vjp_f(x_and_u):
                return _make_vjp(f, x_and_u[0])[0](x_and_u[1])

            vjp_f.__name__ = f"vjp_{_name(f)}"
            _check_grads_unary(vjp_f, (x, _random_like(f(x))), modes, order - 1)


def check_grads(f, argnum=0, modes=("fwd", "rev"), order=2):
    """A function of f's arguments that checks f's derivatives with respect to
    argument `argnum` (an int or a tuple of them) up to `order`, in `modes`.

    >>> check_grads(np.sin)(np.array([0.5, 1.0]))
    """
    if type(argnum) not in (int, tuple, list):
        raise TypeError(f"check_grads: argnum must be an int or a tuple of ints, got {argnum!r}")

    def check(*args, **kwargs):
        unary, x = _unary(f, argnum, args, kwargs)
        unary.__name__ = _name(f)
        _check_grads_unary(unary, x, modes, order)

    return check


def combo_check(fun, *args, **kwargs):
    """check_grads(fun, *args, **kwargs) over every combination of the given
    positional values and keyword values: combo_check(f, [0])([x1, x2], axis=[0, 1])."""

    def check(*arg_lists, **kwarg_lists):
        keyed = [[(k, v) for v in values] for k, values in kwarg_lists.items()]
        for combo in itertools.product(*arg_lists):
            for kw in itertools.product(*keyed):
                check_grads(fun, *args, **kwargs)(*combo, **dict(kw))

    return check
