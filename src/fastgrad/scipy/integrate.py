"""scipy.integrate with gradients: odeint, differentiable with respect to the
initial state y0 and the extra arguments `args` (any pytree of arrays), by the
adjoint method: the state, its adjoint a and the accumulated parameter
gradient are integrated back in time with

    dy/dt = f(y, t),  da/dt = -a^T df/dy,  d(theta_bar)/dt = -a^T df/dtheta,

each vector-Jacobian product of f taken with fastgrad.  Gradients with
respect to the time points, and second derivatives, are not implemented:
asking for them raises.  Everything else is SciPy's own.
"""
import numpy as onp
import scipy.integrate as _si

from ..autograd.tensor import Tensor
from ..extend import defvjp_argnum, primitive
from ..functional import vjp
from ..misc.flatten import flatten

__all__ = ["odeint"]


def odeint(func, y0, t, args=(), **options):
    """scipy.integrate.odeint(func, y0, t, args); differentiable in y0 and args."""
    if isinstance(t, Tensor) and t.requires_grad:
        raise NotImplementedError("odeint: the gradient with respect to the time points t is not implemented")
    flat_args, unflatten = flatten(args)
    return _odeint(y0, flat_args, func=func, t=onp.asarray(getattr(t, "data", t)), unflatten=unflatten,
                   options=options)


def _plain(x):
    return x.data if isinstance(x, Tensor) else x


@primitive
def _odeint(y0, flat_args, func, t, unflatten, options):
    args = unflatten(onp.asarray(flat_args))
    return _si.odeint(func, onp.asarray(y0), t, tuple(args), **options)


def _odeint_vjp(argnum, ans, args, kwargs):
    y0, flat_args = args
    func, t, unflatten, options = kwargs["func"], kwargs["t"], kwargs["unflatten"], kwargs["options"]
    if any(isinstance(x, Tensor) for x in (ans, y0, flat_args)):
        raise NotImplementedError("odeint: second derivatives are not implemented")
    y0 = onp.asarray(y0, dtype=float)
    theta = onp.asarray(flat_args, dtype=float)
    n, p = y0.size, theta.size

    def augmented(state, minus_t):
        y, a = state[:n].reshape(y0.shape), state[n:2 * n].reshape(y0.shape)
        fy, pullback = vjp(lambda y, th: func(y, -minus_t, *unflatten(th)), y, theta)
        a_y, a_theta = pullback(a)
        return onp.concatenate([-onp.ravel(fy), onp.ravel(a_y), onp.ravel(a_theta)])

    def gradient(g):
        g = onp.asarray(_plain(g), dtype=float)
        a = g[-1].ravel()
        theta_bar = onp.zeros(p)
        for i in range(len(t) - 1, 0, -1):
            start = onp.concatenate([ans[i].ravel(), a, theta_bar])
            state = _si.odeint(augmented, start, onp.array([-t[i], -t[i - 1]]), **options)[-1]
            a = state[n:2 * n] + g[i - 1].ravel()
            theta_bar = state[2 * n:]
        return a.reshape(y0.shape) if argnum == 0 else theta_bar

    return gradient


defvjp_argnum(_odeint, _odeint_vjp)


def __getattr__(name):
    return getattr(_si, name)
