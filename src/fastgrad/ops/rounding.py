"""Rounding and sign as Tensor methods: piecewise constant, so the gradient is zero.

PyTorch's rule: `x.floor()` of a tensor that requires grad also requires grad,
and backward through it gives zeros (not an error).  fastgrad.numpy's
`np.floor(x)` keeps NumPy's (and HIPS autograd's) rule instead: no gradient.
"""
from ..autograd.primitive import Primitive

_NAMES = ("floor", "ceil", "trunc", "round", "sign")


class PiecewiseConstant(Primitive):
    @staticmethod
    def forward(ctx, b, x, name, decimals):
        xp = b.xp
        if decimals:
            scale = 10.0 ** decimals
            return xp.round(x * scale) / scale
        return getattr(xp, name)(x)   # xp.round rounds half to even, as PyTorch

    @staticmethod
    def backward(ctx, b, g):
        return 0 * g


def _method(name):
    def method(self, *, decimals=0):
        if decimals and name != "round":
            raise TypeError(f"{name}: got an unexpected keyword argument 'decimals'")
        return PiecewiseConstant.apply(self, name, int(decimals))

    method.__name__ = name
    method.__doc__ = f"{name}, elementwise; the gradient is zero (piecewise constant)."
    return method


METHODS = {name: _method(name) for name in _NAMES}
