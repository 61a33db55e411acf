"""scipy.integrate with gradients: odeint, differentiable with respect to the
initial state y0, the time points t and the extra arguments `args` (any pytree
of arrays), by the adjoint method.  Between two time points the state y, its
adjoint a, and the accumulated gradients of t and of the arguments are
integrated back in time together:

    dy/dt = f(y, t),  da/dt = -a^T df/dy,  d(t_bar)/dt = -a^T df/dt,
    d(theta_bar)/dt = -a^T df/dtheta,

each vector-Jacobian product of f taken with fastgrad.  The backward pass is
itself an odeint of fastgrad functions, so it is differentiated in turn
(second derivatives work).  y0 is a 1-d array, as for SciPy.  Everything else
is SciPy's own.
"""
import numpy as onp
import scipy.integrate as _si

from .. import numpy as np
from ..differential_operators import make_vjp
from ..extend import defvjp_argnums, primitive
from ..misc.flatten import flatten

__all__ = ["odeint"]


def odeint(func, y0, t, args=(), **options):
    """scipy.integrate.odeint(func, y0, t, args); differentiable in y0, t and args."""
    flat_args, unflatten = flatten(args)
    return _odeint(y0, t, flat_args, func=func, unflatten=unflatten, options=options)


@primitive
def _odeint(y0, t, flat_args, func, unflatten, options):
    args = tuple(unflatten(onp.asarray(flat_args)))
    return _si.odeint(func, onp.asarray(y0), onp.asarray(t), args, **options)


def _odeint_vjps(argnums, yt, args, kwargs):
    y0, t, flat_args = args
    func, unflatten, options = kwargs["func"], kwargs["unflatten"], kwargs["options"]
    count, size = yt.shape

    def flat_func(y, time, flat_args):
        return func(y, time, *unflatten(flat_args))

    def augmented(state, time, flat_args):
        # state = (y, a, t_bar, theta_bar); integrated from t_i back to t_{i-1}.
        y, a = state[:size], state[size:2 * size]
        pullback, dy_dt = make_vjp(flat_func, argnum=(0, 1, 2))(y, time, flat_args)
        a_y, a_t, a_args = pullback(-a)
        return np.concatenate([dy_dt, a_y, np.reshape(a_t, (1,)), a_args])

    def gradient(g):
        a = g[-1]
        t_bar_start = 0.0
        time_grads = []
        args_bar = np.zeros(np.size(flat_args))
        for i in range(count - 1, 0, -1):
            # Moving t_i moves y(t_i) along f.
            here = np.dot(flat_func(yt[i], t[i], flat_args), g[i])
            time_grads.append(here)
            t_bar_start = t_bar_start - here
            start = np.concatenate([yt[i], a, np.reshape(t_bar_start, (1,)), args_bar])
            state = odeint(augmented, start, np.stack([t[i], t[i - 1]]), (flat_args,), **options)[1]
            a = state[size:2 * size] + g[i - 1]
            t_bar_start = state[2 * size]
            args_bar = state[2 * size + 1:]
        time_grads.append(t_bar_start)
        grads = (a, np.stack(time_grads[::-1]), args_bar)
        return tuple(grads[i] for i in argnums)

    return gradient


defvjp_argnums(_odeint, _odeint_vjps)


def __getattr__(name):
    return getattr(_si, name)
