"""PyTorch's arithmetic functions addcmul, addcdiv, mv, inner, heaviside, logcumsumexp, sgn
and frac, module functions and Tensor methods (addcmul_ and addcdiv_ in place, as optimizers written
by hand use them).

    import fastgrad as torch
    exp_avg_sq.addcmul_(grad, grad, value=1 - beta2)
    torch.logcumsumexp(scores, dim=1)
"""
import numpy as np

from ..autograd.primitive import Primitive as Function
from ..autograd.tensor import Tensor
from ..backend import host_data
from ..creation import tensor as _new_tensor
from ..ops import methods as _methods
from ..ops.broadcast import normalize_axis
from ..ops.inplace import in_place as _in_place
from ..ops.selection import where

__all__ = ["addcdiv", "addcmul", "frac", "heaviside", "inner", "logcumsumexp", "mv", "sgn"]


def _as_tensor(x):
    return x if isinstance(x, Tensor) else _new_tensor(x)


def _fnp():
    from .. import numpy as fnp   # imported on first use: fastgrad.numpy imports this package

    return fnp


def _value(op, value):
    if isinstance(value, Tensor) and value.ndim:
        raise TypeError(f"{op}: argument 'value' must be a number, got a tensor of shape {tuple(value.shape)}")
    if not isinstance(value, (int, float, np.number, Tensor)) or isinstance(value, bool):
        raise TypeError(f"{op}: argument 'value' must be a number, got {value!r}")
    return value


def addcmul(input, tensor1, tensor2, *, value=1):
    """input + value * tensor1 * tensor2 (all three broadcast)."""
    value = _value("addcmul", value)
    product = _as_tensor(tensor1) * tensor2
    return _as_tensor(input) + (product if value == 1 else value * product)


def addcdiv(input, tensor1, tensor2, *, value=1):
    """input + value * tensor1 / tensor2 (all three broadcast)."""
    value = _value("addcdiv", value)
    quotient = _as_tensor(tensor1) / tensor2
    return _as_tensor(input) + (quotient if value == 1 else value * quotient)


def mv(input, vec):
    """The product of a matrix (n, m) and a vector (m,): a vector (n,)."""
    a, v = _as_tensor(input), _as_tensor(vec)
    if a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"mv: expects a 2-D input and a 1-D vec, got {a.ndim}-D and {v.ndim}-D")
    if a.shape[1] != v.shape[0]:
        raise RuntimeError(f"mv: input of shape {tuple(a.shape)} and vec of shape {tuple(v.shape)} do not match")
    return a @ v


def inner(input, other):
    """The sum of products over the last dimensions (a product when either is 0-d)."""
    a, b = _as_tensor(input), _as_tensor(other)
    if a.ndim and b.ndim and a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"inner: the last dimensions of input {tuple(a.shape)} and other {tuple(b.shape)} "
                           "must match")
    return _fnp().inner(a, b)


def heaviside(input, values):
    """0 where input < 0, `values` where input == 0, 1 where input > 0, in input's dtype.
    Not differentiable (PyTorch defines no gradient either): the result does not require grad."""
    if not isinstance(values, Tensor):
        raise TypeError(f"heaviside: argument 'values' must be a tensor, got {type(values).__name__}")
    x = np.asarray(_as_tensor(input)._data)
    v = np.asarray(values._data)
    if v.dtype != x.dtype:
        raise TypeError(f"heaviside: input ({x.dtype}) and values ({v.dtype}) must have the same dtype")
    return Tensor(np.heaviside(x, v).astype(x.dtype, copy=False))


# ---- logcumsumexp ---------------------------------------------------------------------------

def _running_logsumexp(xp, a, axis, reverse=False):
    """log(sum(exp(a))) over the elements up to each one along `axis` (from it onward when
    reverse): NumPy's exact logaddexp.accumulate on arrays, the differentiable function
    itself on Tensors (second derivatives)."""
    if reverse:
        return xp.flip(_running_logsumexp(xp, xp.flip(a, axis=axis), axis), axis=axis)
    if isinstance(a, Tensor):
        return logcumsumexp(a, axis)
    return xp.logaddexp.accumulate(a, axis=axis)


def _log_of_part(xp, g, sign):
    """log(max(sign * g, 0)), -inf where that part is 0 (and no NaN in its gradient)."""
    part = g * sign
    positive = part > 0
    return xp.where(positive, xp.log(xp.where(positive, part, 1.0)), -np.inf)


class LogCumSumExp(Function):
    @staticmethod
    def forward(ctx, b, x, axis):
        ctx.axis = axis
        y = b.xp.logaddexp.accumulate(x, axis=axis)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, b, g):
        # NOTE: d y_j / d x_i = exp(x_i - y_j) for j >= i.  The sum over j of g_j exp(x_i - y_j)
        # is formed in log space, the positive and negative parts of g apart, so that neither
        # exp(x_i) nor exp(-y_j) is ever formed (they overflow long before the result does).
        x, y = ctx.saved_arrays
        xp, axis = b.xp, ctx.axis
        empty = y == -np.inf      # every x up to there is -inf: no term (and no -inf - -inf)
        with np.errstate(divide="ignore", invalid="ignore"):
            up = _running_logsumexp(xp, xp.where(empty, -np.inf, _log_of_part(xp, g, 1.0) - y), axis, True)
            down = _running_logsumexp(xp, xp.where(empty, -np.inf, _log_of_part(xp, g, -1.0) - y), axis, True)
            return xp.exp(x + up) - xp.exp(x + down)


def logcumsumexp(input, dim):
    """y_i = log(exp(x_0) + ... + exp(x_i)) along `dim`, computed without overflow."""
    x = _as_tensor(input)
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"logcumsumexp: argument 'dim' must be an int, got {dim!r}")
    if x.dtype.kind != "f":
        raise TypeError(f"logcumsumexp: expects a floating-point input, got {x.dtype}")
    (axis,) = normalize_axis(int(dim), max(x.ndim, 1), "logcumsumexp")
    if x.ndim == 0:
        return x.reshape(1).logcumsumexp(0).reshape(())
    return LogCumSumExp.apply(x, axis)


def sgn(input):
    """x / |x| (0 where x is 0): for real tensors the sign, -1, 0 or 1 (NaN gives 0, as
    PyTorch's); the gradient of a real sgn is zero.

    >>> torch.sgn(torch.tensor([-2., 0., 3.]))   # tensor([-1., 0., 1.])
    """
    x = _as_tensor(input)
    if x.dtype.kind == "c":
        size = np.abs(host_data("sgn", "input", x._data))
        return where(size == 0, np.zeros((), dtype=x.dtype), x / np.where(size == 0, 1, size).astype(size.dtype))
    signs = x.sign()
    if x.dtype.kind != "f":
        return signs
    return where(np.isnan(host_data("sgn", "input", x._data)), np.zeros((), dtype=x.dtype), signs)


def frac(input):
    """The fractional part x - trunc(x), with the sign of x; d/dx = 1.

    >>> torch.frac(torch.tensor([-2.5, 3.25]))   # tensor([-0.5, 0.25])
    """
    x = _as_tensor(input)
    if x.dtype.kind != "f":
        raise TypeError(f"frac: argument 'input' must be a floating-point tensor, got {x.dtype}")
    return x - x.trunc()


_methods.bind({
    "sgn": sgn, "frac": frac, "sgn_": _in_place("sgn_", sgn), "frac_": _in_place("frac_", frac),
    "addcmul": addcmul, "addcdiv": addcdiv, "mv": mv, "inner": inner, "heaviside": heaviside,
    "logcumsumexp": logcumsumexp,
    "addcmul_": _in_place("addcmul_", addcmul), "addcdiv_": _in_place("addcdiv_", addcdiv),
})
