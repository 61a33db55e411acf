"""torch.special's classical orthogonal polynomials p_n(x): Chebyshev T, U, V, W (and their
shifted forms on [0, 1]), Hermite H and He, Laguerre L and Legendre P.

    import fastgrad as torch
    torch.special.legendre_polynomial_p(torch.tensor([0.5]), 2)       # (3 x^2 - 1) / 2 = -0.125
    torch.special.hermite_polynomial_h(x, torch.tensor([0, 1, 2]))    # n broadcasts against x

x and n broadcast (either may be a number); n is truncated to an integer and p_n = 0 for n < 0.
Values come from each family's three-term recurrence, run in NumPy up to the largest n asked
for; inside (-1, 1) the Chebyshev polynomials of degree above 6 use their trigonometric forms
(T_n(cos t) = cos(n t), ...), which stay accurate for any n.  As in PyTorch the results carry
no gradient: they never require grad, whatever x does.
"""
import numpy as np

from ..autograd.tensor import Tensor
from ..creation import tensor as _new_tensor
from ..dtypes import get_default_dtype
from ..ops import promotion as _promotion

__all__ = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w",
           "hermite_polynomial_h", "hermite_polynomial_he", "laguerre_polynomial_l", "legendre_polynomial_p",
           "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
           "shifted_chebyshev_polynomial_w"]

_TRIGONOMETRIC_FROM = 6   # degrees above this use the trigonometric form inside (-1, 1)


def _operands(op, input, n):
    """(x as a float64 array of values of the result dtype, n as an int64 array, the result dtype): PyTorch's
    promotion of input and n, integers promoted to the default float dtype."""
    if not isinstance(input, Tensor) and not isinstance(n, Tensor):
        input = _new_tensor(input)
    for name, value in (("input", input), ("n", n)):
        kind = value.dtype.kind if isinstance(value, Tensor) else np.asarray(value).dtype.kind
        if kind not in "biuf":
            raise TypeError(f"special.{op}: argument '{name}' must be a real tensor or number, got {value!r}")
    dtype = _promotion.result_dtype([input, n])
    if dtype.kind in "biu":
        dtype = np.dtype(get_default_dtype())
    # computed in double (float32 results are the rounded double values)
    x = np.asarray(input._data if isinstance(input, Tensor) else input).astype(dtype).astype(np.float64)
    degree = np.asarray(n._data if isinstance(n, Tensor) else n)
    with np.errstate(invalid="ignore"):
        degree = np.trunc(degree).astype(np.int64) if degree.dtype.kind == "f" else degree.astype(np.int64)
    x, degree = np.broadcast_arrays(x, degree)
    return x, degree, dtype


def _by_recurrence(x, degree, first, step):
    """p_n(x) for each element: p_0 = 1, p_1 = first(x), p_{k+1} = step(k, x, p_k, p_{k-1});
    0 where n < 0."""
    result = np.where(degree == 0, np.ones_like(x), np.zeros_like(x))
    top = int(degree.max()) if degree.size else 0
    if top >= 1:
        previous, current = np.ones_like(x), first(x)
        result = np.where(degree == 1, current, result)
        with np.errstate(over="ignore", invalid="ignore"):
            for k in range(1, top):
                previous, current = current, step(k, x, current, previous)
                result = np.where(degree == k + 1, current, result)
    return result


def _polynomial(op, input, n, first, step, trigonometric=None):
    x, degree, dtype = _operands(op, input, n)
    if trigonometric is not None:
        inside = (np.abs(x) < 1) & (degree > _TRIGONOMETRIC_FROM)
        by_recurrence = _by_recurrence(x, np.where(inside, 0, degree), first, step)
        with np.errstate(invalid="ignore", divide="ignore"):
            angle = np.arccos(np.where(inside, x, 0))
            values = np.where(inside, trigonometric(angle, degree.astype(x.dtype)), by_recurrence)
    else:
        values = _by_recurrence(x, degree, first, step)
    return Tensor(np.asarray(values, dtype=dtype))


def _chebyshev_step(k, x, current, previous):
    return 2 * x * current - previous


_CHEBYSHEV = {   # first-degree polynomial, trigonometric form at x = cos(t)
    "t": (lambda x: x, lambda t, n: np.cos(n * t)),
    "u": (lambda x: 2 * x, lambda t, n: np.sin((n + 1) * t) / np.sin(t)),
    "v": (lambda x: 2 * x - 1, lambda t, n: np.cos((n + 0.5) * t) / np.cos(t / 2)),
    "w": (lambda x: 2 * x + 1, lambda t, n: np.sin((n + 0.5) * t) / np.sin(t / 2)),
}


def _chebyshev(kind, shifted):
    first, trigonometric = _CHEBYSHEV[kind]
    name = f"{'shifted_' if shifted else ''}chebyshev_polynomial_{kind}"

    def function(input, n, *, out=None):
        if out is not None:
            raise TypeError(f"special.{name}: argument 'out' is not supported")
        if shifted:   # p*_n(x) = p_n(2 x - 1)
            x, degree, dtype = _operands(name, input, n)
            return _polynomial(name, Tensor((2 * x - 1).astype(dtype)), Tensor(degree), first, _chebyshev_step,
                               trigonometric)
        return _polynomial(name, input, n, first, _chebyshev_step, trigonometric)

    function.__name__ = name
    return function


chebyshev_polynomial_t = _chebyshev("t", False)
chebyshev_polynomial_t.__doc__ = """The Chebyshev polynomial of the first kind T_n(x): T_0 = 1, T_1 = x,
    T_{k+1} = 2 x T_k - T_{k-1}; T_n(cos t) = cos(n t).  No gradient (as in PyTorch).

    >>> torch.special.chebyshev_polynomial_t(torch.tensor([0.5]), 3)   # 4 x^3 - 3 x = -1"""
chebyshev_polynomial_u = _chebyshev("u", False)
chebyshev_polynomial_u.__doc__ = """The Chebyshev polynomial of the second kind U_n(x): U_0 = 1, U_1 = 2 x,
    U_{k+1} = 2 x U_k - U_{k-1}; U_n(cos t) = sin((n + 1) t) / sin(t).  No gradient (as in PyTorch)."""
chebyshev_polynomial_v = _chebyshev("v", False)
chebyshev_polynomial_v.__doc__ = """The Chebyshev polynomial of the third kind V_n(x): V_0 = 1, V_1 = 2 x - 1,
    V_{k+1} = 2 x V_k - V_{k-1}; V_n(cos t) = cos((n + 1/2) t) / cos(t/2).  No gradient (as in PyTorch)."""
chebyshev_polynomial_w = _chebyshev("w", False)
chebyshev_polynomial_w.__doc__ = """The Chebyshev polynomial of the fourth kind W_n(x): W_0 = 1, W_1 = 2 x + 1,
    W_{k+1} = 2 x W_k - W_{k-1}; W_n(cos t) = sin((n + 1/2) t) / sin(t/2).  No gradient (as in PyTorch)."""
shifted_chebyshev_polynomial_t = _chebyshev("t", True)
shifted_chebyshev_polynomial_t.__doc__ = """T*_n(x) = T_n(2 x - 1), the Chebyshev polynomial of the first kind on
    [0, 1].  No gradient (as in PyTorch)."""
shifted_chebyshev_polynomial_u = _chebyshev("u", True)
shifted_chebyshev_polynomial_u.__doc__ = """U*_n(x) = U_n(2 x - 1).  No gradient (as in PyTorch)."""
shifted_chebyshev_polynomial_v = _chebyshev("v", True)
shifted_chebyshev_polynomial_v.__doc__ = """V*_n(x) = V_n(2 x - 1).  No gradient (as in PyTorch)."""
shifted_chebyshev_polynomial_w = _chebyshev("w", True)
shifted_chebyshev_polynomial_w.__doc__ = """W*_n(x) = W_n(2 x - 1).  No gradient (as in PyTorch)."""


def hermite_polynomial_h(input, n, *, out=None):
    """The physicists' Hermite polynomial H_n(x): H_0 = 1, H_1 = 2 x,
    H_{k+1} = 2 x H_k - 2 k H_{k-1}.  No gradient (as in PyTorch).

    >>> torch.special.hermite_polynomial_h(torch.tensor([1.0]), 2)   # 4 x^2 - 2 = 2
    """
    if out is not None:
        raise TypeError("special.hermite_polynomial_h: argument 'out' is not supported")
    return _polynomial("hermite_polynomial_h", input, n, lambda x: 2 * x,
                       lambda k, x, current, previous: 2 * x * current - 2 * k * previous)


def hermite_polynomial_he(input, n, *, out=None):
    """The probabilists' Hermite polynomial He_n(x): He_0 = 1, He_1 = x,
    He_{k+1} = x He_k - k He_{k-1}.  No gradient (as in PyTorch)."""
    if out is not None:
        raise TypeError("special.hermite_polynomial_he: argument 'out' is not supported")
    return _polynomial("hermite_polynomial_he", input, n, lambda x: x,
                       lambda k, x, current, previous: x * current - k * previous)


def laguerre_polynomial_l(input, n, *, out=None):
    """The Laguerre polynomial L_n(x): L_0 = 1, L_1 = 1 - x,
    L_{k+1} = ((2 k + 1 - x) L_k - k L_{k-1}) / (k + 1).  No gradient (as in PyTorch)."""
    if out is not None:
        raise TypeError("special.laguerre_polynomial_l: argument 'out' is not supported")
    return _polynomial("laguerre_polynomial_l", input, n, lambda x: 1 - x,
                       lambda k, x, current, previous: ((2 * k + 1 - x) * current - k * previous) / (k + 1))


def legendre_polynomial_p(input, n, *, out=None):
    """The Legendre polynomial P_n(x): P_0 = 1, P_1 = x,
    P_{k+1} = ((2 k + 1) x P_k - k P_{k-1}) / (k + 1).  No gradient (as in PyTorch).

    >>> torch.special.legendre_polynomial_p(torch.tensor([0.5]), 2)   # -0.125
    """
    if out is not None:
        raise TypeError("special.legendre_polynomial_p: argument 'out' is not supported")
    return _polynomial("legendre_polynomial_p", input, n, lambda x: x,
                       lambda k, x, current, previous: ((2 * k + 1) * x * current - k * previous) / (k + 1))
