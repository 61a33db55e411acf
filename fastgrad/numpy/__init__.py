"""fastgrad.numpy: NumPy's functions, differentiable on Tensors.

    import fastgrad.numpy as fnp
    y = fnp.sum(fnp.exp(x) * w)

Each function accepts Tensors, arrays and numbers; with Tensors that require
grad it records the graph.  This namespace is also what backward rules run on
when create_graph=True.
"""
import numpy as _np

from .. import ops as _ops
from ..autograd.tensor import Tensor as _Tensor
from ..autograd.tensor import new_tensor as _new_tensor

# differentiable
add, subtract, multiply, divide, power = _ops.add, _ops.sub, _ops.mul, _ops.div, _ops.pow
negative, abs, absolute = _ops.neg, _ops.abs, _ops.abs
exp, log, log1p, sqrt, sin, cos, tanh = _ops.exp, _ops.log, _ops.log1p, _ops.sqrt, _ops.sin, _ops.cos, _ops.tanh
maximum, minimum, clip, where = _ops.maximum, _ops.minimum, _ops.clip, _ops.where
sum, prod, max, min, mean = _ops.sum, _ops.prod, _ops.max, _ops.min, _ops.mean
amax, amin = _ops.max, _ops.min
var, std = _ops.var, _ops.std
matmul = _ops.matmul
reshape, broadcast_to, transpose, permute_dims, swapaxes = (
    _ops.reshape, _ops.broadcast_to, _ops.transpose, _ops.permute, _ops.swapaxes)
expand_dims, squeeze, concatenate, concat, stack = (
    _ops.unsqueeze, _ops.squeeze, _ops.concatenate, _ops.concatenate, _ops.stack)
astype = _ops.astype


def matrix_transpose(x):
    """Swap the last two axes."""
    return _ops.swapaxes(x, -1, -2)


def _plain(a):
    return a.data if type(a) is _Tensor else a


def _constant(fn):
    def constant(x, *args, **kwargs):
        out = fn(_plain(x), *args, **kwargs)
        return _new_tensor(_np.asarray(out) if isinstance(out, _np.generic) else out, False, None)

    constant.__name__ = fn.__name__
    constant.__doc__ = f"numpy.{fn.__name__}, as a tensor without gradient."
    return constant


# not differentiable: results carry no gradient
sign = _constant(_np.sign)
zeros_like = _constant(_np.zeros_like)
ones_like = _constant(_np.ones_like)

# NumPy helpers passed through unchanged
zeros, ones, empty, full, arange, linspace, eye = (
    _np.zeros, _np.ones, _np.empty, _np.full, _np.arange, _np.linspace, _np.eye)
float32, float64, int32, int64, newaxis, pi, e, inf, nan = (
    _np.float32, _np.float64, _np.int32, _np.int64, _np.newaxis, _np.pi, _np.e, _np.inf, _np.nan)
