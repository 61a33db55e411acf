"""NumPy ufuncs on Tensors: which ones carry a gradient, and through which op.

UFUNCS[ufunc](*inputs) is the differentiable function for `ufunc.__call__`;
REDUCE / ACCUMULATE give `ufunc.reduce(x, axis, keepdims)` and
`ufunc.accumulate(x, axis)`.  Ufuncs in NON_DIFFERENTIABLE_UFUNCS run on the
plain data (comparisons, rounding, tests such as isnan).
"""
import math

import numpy as np

from .. import ops
from ..ops import elementwise as mx
from ..ops.manipulation import copy
from .registry import UFUNCS, plain


def _float_power(x, y):
    return ops.pow(_as_float64(x), _as_float64(y))


def _as_float64(a):
    if hasattr(a, "_node"):
        return ops.astype(a, np.float64) if a.dtype != np.float64 else a
    return np.asarray(a, dtype=np.float64)


def _remainder(x, y):
    # NOTE: x - floor(x / y) * y; floor is piecewise constant, so d/dx = 1 and
    # d/dy = -floor(x / y) (away from the jumps), as in NumPy's definition.
    return ops.sub(x, ops.mul(y, np.floor_divide(plain(x), plain(y))))


def _fmod(x, y):
    return ops.sub(x, ops.mul(y, np.trunc(np.true_divide(plain(x), plain(y)))))


_DEGREE = math.pi / 180.0

UFUNCS.update({
    np.add: ops.add, np.subtract: ops.sub, np.multiply: ops.mul,
    np.divide: ops.div, np.true_divide: ops.div, np.power: ops.pow, np.float_power: _float_power,
    np.negative: ops.neg, np.positive: copy, np.fabs: ops.abs,  # absolute, conjugate: complex.py
    np.exp: ops.exp, np.exp2: mx.exp2, np.expm1: mx.expm1,
    np.log: ops.log, np.log2: mx.log2, np.log10: mx.log10, np.log1p: ops.log1p,
    np.sqrt: ops.sqrt, np.cbrt: mx.cbrt, np.square: mx.square, np.reciprocal: mx.reciprocal,
    np.sin: ops.sin, np.cos: ops.cos, np.tan: mx.tan,
    np.arcsin: mx.arcsin, np.arccos: mx.arccos, np.arctan: mx.arctan, np.arctan2: mx.arctan2,
    np.sinh: mx.sinh, np.cosh: mx.cosh, np.tanh: ops.tanh,
    np.arcsinh: mx.arcsinh, np.arccosh: mx.arccosh, np.arctanh: mx.arctanh,
    np.hypot: mx.hypot, np.logaddexp: mx.logaddexp, np.logaddexp2: mx.logaddexp2,
    np.maximum: ops.maximum, np.minimum: ops.minimum, np.fmax: mx.fmax, np.fmin: mx.fmin,
    np.matmul: ops.matmul,
    np.deg2rad: lambda x: ops.mul(x, _DEGREE), np.radians: lambda x: ops.mul(x, _DEGREE),
    np.rad2deg: lambda x: ops.div(x, _DEGREE), np.degrees: lambda x: ops.div(x, _DEGREE),
    np.remainder: _remainder, np.fmod: _fmod,
})

NON_DIFFERENTIABLE_UFUNCS = {
    np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal,
    np.logical_and, np.logical_or, np.logical_xor, np.logical_not,
    np.isnan, np.isinf, np.isfinite, np.isnat, np.signbit,
    np.sign, np.floor, np.ceil, np.trunc, np.rint, np.floor_divide,
    np.bitwise_and, np.bitwise_or, np.bitwise_xor, np.invert, np.left_shift, np.right_shift,
    np.gcd, np.lcm, np.spacing, np.nextafter,
}


def _logaddexp_reduce(x, axis=0, keepdims=False):
    # The max is subtracted as a constant: the gradient is exact either way.
    m = ops.max(x, axis=axis, keepdims=True)._data
    s = ops.log(ops.sum(ops.exp(ops.sub(x, m)), axis=axis, keepdims=keepdims))
    return ops.add(s, m if keepdims else np.squeeze(m, axis=axis))


REDUCE = {
    np.add: ops.sum, np.multiply: ops.prod, np.maximum: ops.max, np.minimum: ops.min,
    np.logaddexp: _logaddexp_reduce,
}

ACCUMULATE = {np.add: ops.cumsum, np.multiply: ops.cumprod}
