"""Complex parts with gradients: real, imag, conj/conjugate, angle, and abs of
complex Tensors.

Convention (HIPS autograd's): the gradient of a real loss L with respect to
a complex z = x + iy is dL/dx - i dL/dy, so a C-linear map y = A z passes
g back as A^T g and a holomorphic f as g f'(z); a real input takes the real
part of its gradient.  Hence real: g -> g, imag: g -> -i g, conj: g -> conj(g),
abs: g -> g conj(z) / |z|, angle: g -> -i g conj(z) / |z|^2.
"""
import numpy as onp

from .. import ops
from ..extend import defvjp, primitive
from .registry import UFUNCS, implements, plain


def _is_complex(x):
    return onp.iscomplexobj(plain(x))


def _real_part(ans, x):
    return lambda g: g


def _imag_part(ans, x):
    return lambda g: -1j * g if _is_complex(x) else g * 0.0


_real = primitive(onp.real)
_imag = primitive(onp.imag)
_conj = primitive(onp.conjugate)
defvjp(_real, _real_part)
defvjp(_imag, _imag_part)
defvjp(_conj, lambda ans, x: lambda g: _conj(g))


@implements(onp.real)
def real(val):
    """The real part (a real input is returned as it is)."""
    return _real(val) if _is_complex(val) else val


@implements(onp.imag)
def imag(val):
    """The imaginary part (zeros, without gradient, for a real input)."""
    return _imag(val)


def conjugate(x, *args, **kwargs):
    """The complex conjugate (the identity on real inputs)."""
    return _conj(x) if _is_complex(x) else ops.copy(x) if hasattr(x, "_node") else onp.conjugate(x)


@implements(onp.real_if_close)
def real_if_close(a, tol=100):
    """real(a) when every imaginary part is within tol machine epsilons of 0."""
    data = plain(a)
    if not onp.iscomplexobj(data):
        return a
    eps = onp.finfo(data.real.dtype).eps
    return _real(a) if onp.all(onp.abs(data.imag) < tol * eps) else a


def absolute(x):
    """|x|; for complex x, sqrt(re^2 + im^2) with the gradient g conj(x) / |x|."""
    if not _is_complex(x):
        return ops.abs(x)
    re, im = _real(x), _imag(x)
    return ops.sqrt(ops.add(ops.mul(re, re), ops.mul(im, im)))


@implements(onp.angle)
def angle(z, deg=False):
    """The argument arctan2(imag, real) (in degrees with deg=True)."""
    from ..ops.elementwise import arctan2

    if _is_complex(z):
        out = arctan2(_imag(z), _real(z))
    else:
        out = ops.mul(z, 0.0) + onp.angle(plain(z))   # piecewise constant
    return ops.mul(out, 180.0 / onp.pi) if deg else out


UFUNCS.update({onp.conjugate: conjugate, onp.absolute: absolute})
