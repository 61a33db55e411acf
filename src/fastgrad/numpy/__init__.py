"""fastgrad.numpy: NumPy's functions, differentiable on Tensors.

    import fastgrad.numpy as np           # HIPS-autograd-style code runs as it is
    from fastgrad import grad

    def f(x):
        return np.sum(np.tanh(x) ** 2)

    grad(f)(np.linspace(-1, 1, 5))

Every function here behaves as NumPy's (same names, arguments and
conventions: np.var has ddof=0, np.split takes sections, np.transpose takes
axes).  Called with a Tensor it returns a Tensor carrying the gradient;
called with plain arrays only it is NumPy's own function.  NumPy's helpers
with nothing to differentiate (arange, zeros, linspace, random, float64, pi,
...) are passed through.  The same registry makes plain `numpy` calls on
Tensors differentiable (Tensor.__array_ufunc__ / __array_function__), and
this namespace is what backward rules run on when create_graph=True.

Limits: NumPy converts Tensors to plain arrays, without asking, in
np.array([t, u]), np.asarray(t), np.sum([t, u]) (a list argument) and
ndarray[i] = t; there the graph cannot follow.  Use fastgrad.numpy.array /
asarray / stack, which keep it.
"""
import builtins as _builtins  # this module's `any`, `sum`, ... are NumPy's
import functools as _functools
import sys as _sys

import numpy as _np

from ..autograd import engine as _engine
from ..autograd.grad_mode import STATE as _STATE
from ..autograd.tensor import Tensor as _Tensor
from ..ops.manipulation import copy as _copy
from . import (joins, linalg, nondiff, products, protocols, rearrange, reductions, shapes,  # noqa: F401
               statistics, ufuncs)  # (registration)
from . import complex  # noqa: E402,F401  (after ufuncs: complex-aware conjugate and absolute)
from . import fft, more_functions  # noqa: E402,F401
from .more_functions import full, full_like, make_diagonal  # noqa: E402,F401
from .index_tricks import c_, r_  # noqa: F401
from .registry import FUNCTIONS as _FUNCTIONS
from .registry import needs_grad as _needs_grad
from .registry import on_host as _on_host
from .registry import UFUNCS as _UFUNCS
from .ufuncs import NON_DIFFERENTIABLE_UFUNCS as _PLAIN_UFUNCS

protocols.install()


def _function(np_fn, impl):
    """NumPy's function, or its Tensor version when a positional argument is a Tensor."""

    @_functools.wraps(impl)
    def dispatch(*args, **kwargs):
        if _STATE.enabled:
            for a in args:
                if isinstance(a, _Tensor):
                    if a._requires_grad:
                        return impl(*args, **kwargs)
                elif type(a) in (list, tuple) and _needs_grad(a):
                    return impl(*args, **kwargs)  # also fnp.sum([t, u]), which NumPy would flatten
        # Tensors without gradient go through the protocol.
        return np_fn(*args, **kwargs)

    return dispatch


def _ufunc(ufunc, impl):
    """The ufunc, with a direct path to its differentiable op for Tensor inputs."""

    def dispatch(*args, **kwargs):
        if impl is not None and not kwargs:
            for a in args:
                if isinstance(a, _Tensor):
                    return impl(*args)
        return ufunc(*args, **kwargs)

    dispatch.__name__ = ufunc.__name__
    dispatch.__doc__ = f"numpy.{ufunc.__name__}, differentiable on Tensors."
    for method in ("reduce", "accumulate", "outer", "at", "reduceat"):
        setattr(dispatch, method, getattr(ufunc, method))
    return dispatch


def _build(namespace, np_namespace):
    # vars(), not dir() + getattr(): NumPy loads some submodules lazily (f2py, testing, ...).
    for name, value in list(vars(np_namespace).items()):
        if name.startswith("_"):
            continue
        try:
            if value in _FUNCTIONS:
                namespace[name] = _function(value, _FUNCTIONS[value])
            elif isinstance(value, _np.ufunc) and (value in _UFUNCS or value in _PLAIN_UFUNCS):
                namespace[name] = _ufunc(value, _UFUNCS.get(value))
        except TypeError:  # unhashable attributes
            continue


_build(globals(), _np)
_build(vars(linalg), _np.linalg)
_where_of_arrays = where  # noqa: F821  (made by _build)


def where(*args, **kwargs):
    """np.where(condition, x, y): x where condition holds, else y, differentiable in
    x and y; with condition alone, the indices where it holds.

    As HIPS autograd's where, it also takes condition, x and y by keyword, and
    when no argument holds an array (Python numbers, bools and lists only) the
    result is a Python value: where(True, 1, 2) is 1, where([True, False], [1, 2], [3, 4])
    is [1, 4].
    """
    names = ("condition", "x", "y")
    if len(args) > len(names):
        raise TypeError(f"where() takes at most 3 arguments ({len(args)} given)")
    given = dict(zip(names, args))
    for name, value in kwargs.items():
        if name not in names or name in given:
            raise TypeError(f"where() got an unexpected or repeated argument {name!r}")
        given[name] = value
    if "condition" not in given:
        raise TypeError("where() missing required argument 'condition'")
    values = [given[name] for name in names if name in given]
    result = _where_of_arrays(*values)
    if len(values) == 3 and not _builtins.any(_holds_array(v) for v in values) and isinstance(result, _np.ndarray):
        return result.tolist()
    return result


def _holds_array(value):
    if isinstance(value, (_np.ndarray, _np.generic, _Tensor)):
        return True
    return isinstance(value, (list, tuple)) and _builtins.any(_holds_array(v) for v in value)


def array(object, dtype=None, *, copy=True, **kwargs):
    """np.array; Tensors (also inside nested lists) are stacked into a Tensor."""
    if isinstance(object, _Tensor):
        return _copy(object) if dtype is None else object.astype(dtype)
    if isinstance(object, (list, tuple)) and reductions._holds_tensor(object):
        out = reductions.as_tensor_input(object)
        return out if dtype is None else out.astype(dtype)
    return _np.array(object, dtype=dtype, copy=copy, **kwargs)


def asarray(a, dtype=None, **kwargs):
    """np.asarray; a Tensor is returned as it is (cast when dtype differs)."""
    if isinstance(a, _Tensor):
        return a if dtype is None or _np.dtype(dtype) == a.dtype else a.astype(dtype)
    if isinstance(a, (list, tuple)) and reductions._holds_tensor(a):
        return array(a, dtype=dtype)
    return _np.asarray(a, dtype=dtype, **kwargs)


def astype(x, dtype, /, *, copy=True, device=None):
    """x cast to dtype; the gradient is cast back."""
    _on_host("astype", device)
    if isinstance(x, _Tensor):
        return x.astype(dtype)
    return _np.astype(x, dtype, copy=copy)


def __getattr__(name):
    # Everything else is NumPy's: arange, zeros, random, float64, pi, newaxis, ...
    try:
        value = getattr(_np, name)
    except AttributeError:
        raise AttributeError(f"module 'fastgrad.numpy' has no attribute {name!r}") from None
    globals()[name] = value
    return value


_engine.set_differentiable_namespace(_sys.modules[__name__])  # backward rules with create_graph run here
