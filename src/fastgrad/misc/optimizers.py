"""HIPS autograd's optimizers: sgd (with momentum), rmsprop, adam.

    from fastgrad.misc.optimizers import adam
    params = adam(grad(objective), params, step_size=0.01, num_iters=500,
                  callback=lambda params, i, g: print(i))

`gradient(params, i)` is called at iteration i and returns a gradient with
the structure of params (any nesting of tuples, lists and dicts of arrays);
the callback, if given, is called as callback(params, i, gradient) before
each step.  They return the final parameters, in the same structure.
"""
import numpy as np

from .flatten import flatten

__all__ = ["adam", "rmsprop", "sgd"]


def _on_flat(step_loop):
    """Run `step_loop` on flat parameter vectors; the user's functions see trees."""

    def optimizer(gradient, x0, callback=None, *args, **kwargs):
        flat_x0, unflatten = flatten(x0)

        def flat_gradient(x, i):
            return np.asarray(flatten(gradient(unflatten(x), i))[0], dtype=np.float64)

        flat_callback = None
        if callback is not None:
            def flat_callback(x, i, g):
                return callback(unflatten(x), i, unflatten(g))

        x = np.array(flat_x0, dtype=np.float64)
        return unflatten(step_loop(flat_gradient, x, flat_callback, *args, **kwargs))

    optimizer.__name__ = step_loop.__name__
    optimizer.__doc__ = step_loop.__doc__
    return optimizer


@_on_flat
def sgd(gradient, x, callback=None, num_iters=200, step_size=0.1, mass=0.9):
    """Gradient descent with momentum: v = mass v - (1 - mass) g; x += step_size v."""
    velocity = np.zeros_like(x)
    for i in range(num_iters):
        g = gradient(x, i)
        if callback:
            callback(x, i, g)
        velocity = mass * velocity - (1.0 - mass) * g
        x = x + step_size * velocity
    return x


@_on_flat
def rmsprop(gradient, x, callback=None, num_iters=100, step_size=0.1, gamma=0.9, eps=10**-8):
    """Root mean square propagation: r = gamma r + (1 - gamma) g^2; x -= step_size g / (sqrt(r) + eps)."""
    avg_sq_grad = np.ones_like(x)
    for i in range(num_iters):
        g = gradient(x, i)
        if callback:
            callback(x, i, g)
        avg_sq_grad = avg_sq_grad * gamma + g ** 2 * (1 - gamma)
        x = x - step_size * g / (np.sqrt(avg_sq_grad) + eps)
    return x


@_on_flat
def adam(gradient, x, callback=None, num_iters=100, step_size=0.001, b1=0.9, b2=0.999, eps=10**-8):
    """Adam (Kingma and Ba): moment averages with bias correction,
    x -= step_size mhat / (sqrt(vhat) + eps)."""
    m = np.zeros_like(x)
    v = np.zeros_like(x)
    for i in range(num_iters):
        g = gradient(x, i)
        if callback:
            callback(x, i, g)
        m = (1 - b1) * g + b1 * m
        v = (1 - b2) * (g ** 2) + b2 * v
        mhat = m / (1 - b1 ** (i + 1))   # bias correction
        vhat = v / (1 - b2 ** (i + 1))
        x = x - step_size * mhat / (np.sqrt(vhat) + eps)
    return x
