"""HIPS autograd's transforms by their names: deriv, holomorphic_grad,
grad_and_aux, grad_named, make_vjp, make_jvp, make_hvp,
hessian_tensor_product (hessian_vector_product), tensor_jacobian_product
(vector_jacobian_product), make_ggnvp, multigrad_dict and checkpoint.

Each takes the function and the position of the argument to differentiate
(`argnum`, an int or a tuple) and returns a function of the same
arguments, as in HIPS autograd:

    from fastgrad import deriv, make_jvp
    deriv(np.sin)(0.5)                          # cos(0.5)
    value, tangent = make_jvp(f)(x)(v)          # f(x), J v
"""
import inspect

import numpy as np

from .autograd.tensor import Tensor
from .functional import _flatten, grad, jacobian, jvp, vjp

__all__ = ["checkpoint", "deriv", "grad_and_aux", "grad_named", "hessian_tensor_product",
           "hessian_vector_product", "holomorphic_grad", "make_ggnvp", "make_hvp", "make_jvp", "make_vjp",
           "multigrad_dict", "tensor_jacobian_product", "vector_jacobian_product"]


def _unary(fun, argnum, args, kwargs):
    """(f of the argument(s) at argnum alone, their current value)."""
    def unary(x):
        new = list(args)
        if isinstance(argnum, int):
            new[argnum] = x
        else:
            for i, xi in zip(argnum, x):
                new[i] = xi
        return fun(*new, **kwargs)

    x = args[argnum] if isinstance(argnum, int) else tuple(args[i] for i in argnum)
    return unary, x


def make_vjp(fun, argnum=0):
    """make_vjp(f)(*args) = (vjp, f(*args)) with vjp(g) = g^T J.

    >>> pullback, y = make_vjp(np.sin)(x);  pullback(np.ones_like(y))   # cos(x)
    """
    def vjp_maker(*args, **kwargs):
        unary, x = _unary(fun, argnum, args, kwargs)
        ans, pullback = vjp(unary, x)
        return (lambda g: pullback(g)[0]), ans

    return vjp_maker


def make_jvp(fun, argnum=0):
    """make_jvp(f)(*args)(v) = (f(*args), J v).

    >>> make_jvp(np.sin)(x)(np.ones_like(x))     # (sin(x), cos(x))
    """
    def jvp_maker(*args, **kwargs):
        unary, x = _unary(fun, argnum, args, kwargs)
        return lambda v: jvp(unary, (x,), (v,))

    return jvp_maker


def deriv(fun, argnum=0):
    """The derivative of a function of one number (or of each element):
    deriv(f)(x) = J(x) 1, computed in forward mode.

    >>> deriv(np.sin)(0.5)    # cos(0.5)
    """
    def derivative(*args, **kwargs):
        unary, x = _unary(fun, argnum, args, kwargs)
        ones = np.ones_like(x._data if isinstance(x, Tensor) else x)
        return jvp(unary, (x,), (ones if np.ndim(ones) else ones[()],))[1]

    return derivative


def holomorphic_grad(fun, argnum=0):
    """The complex derivative f'(z) of a holomorphic function (no conjugation).

    >>> holomorphic_grad(lambda z: z ** 2)(1 + 1j)     # 2 + 2j
    """
    def complex_derivative(*args, **kwargs):
        unary, x = _unary(fun, argnum, args, kwargs)
        if not np.iscomplexobj(x._data if isinstance(x, Tensor) else x):
            raise TypeError("holomorphic_grad: the input must be complex (use grad for real inputs)")
        ans, pullback = vjp(unary, x)
        data = ans._data if isinstance(ans, Tensor) else ans
        return pullback(np.ones_like(data) if np.ndim(data) else np.ones_like(data)[()])[0]

    return complex_derivative


def grad_and_aux(fun, argnum=0):
    """For f returning (value, aux): (d value / dx, aux) from one evaluation."""
    def gradient_and_aux(*args, **kwargs):
        aux = []

        def value_only(*a, **k):
            value, extra = fun(*a, **k)
            aux.append(extra)
            return value

        g = grad(value_only, argnum)(*args, **kwargs)
        return g, _plain_tree(aux[0])

    return gradient_and_aux


def _plain_tree(tree):
    leaves, rebuild = _flatten(tree)
    return rebuild([x.detach()._data if isinstance(x, Tensor) else x for x in leaves])


def grad_named(fun, argname):
    """The gradient with respect to the argument called `argname`."""
    names = list(inspect.signature(fun).parameters)
    if argname not in names:
        raise TypeError(f"grad_named: {getattr(fun, '__name__', fun)} has no argument {argname!r}")
    return grad(fun, names.index(argname))


def make_hvp(fun, argnum=0):
    """make_hvp(f)(*args) = (hvp, grad f(*args)) with hvp(v) = H v (H symmetric)."""
    return make_vjp(grad(fun, argnum), argnum)


def hessian_tensor_product(fun, argnum=0):
    """h(*args, v) = the Hessian of f at args contracted with v over x's axes."""
    fun_grad = grad(fun, argnum)

    def vector_dot_grad(*args, **kwargs):
        args, vector = args[:-1], args[-1]
        return _contract(fun_grad(*args, **kwargs), vector)

    return grad(vector_dot_grad, argnum)


hessian_vector_product = hessian_tensor_product


def tensor_jacobian_product(fun, argnum=0):
    """p(*args, v) = v contracted with the Jacobian of f over v's axes (the leading
    axes of f's output): v^T J, of shape f.shape[v.ndim:] + x.shape."""
    def vector_dot_fun(*args, **kwargs):
        args, vector = args[:-1], args[-1]
        return _contract(vector, fun(*args, **kwargs))

    return jacobian(vector_dot_fun, argnum)


vector_jacobian_product = tensor_jacobian_product


def _contract(a, b):
    from . import numpy as fnp

    return fnp.tensordot(a, b, np.ndim(a._data if isinstance(a, Tensor) else a))


def make_ggnvp(f, g=None, f_argnum=0):
    """Generalized Gauss-Newton products: make_ggnvp(f, g)(*args)(v) = J_f^T H_g J_f v,
    where g (by default 0.5 * sum(y ** 2, axis=-1)) is applied to f's output."""
    from . import numpy as fnp

    if g is None:
        def g(y):
            return 0.5 * fnp.sum(y ** 2, axis=-1)

    def ggnvp_maker(*args, **kwargs):
        f_vjp, f_x = make_vjp(f, f_argnum)(*args, **kwargs)
        g_hvp, _ = make_hvp(g)(f_x)
        f_jvp = make_jvp(f, f_argnum)(*args, **kwargs)
        return lambda v: f_vjp(g_hvp(f_jvp(v)[1]))

    return ggnvp_maker


def multigrad_dict(fun):
    """Gradients with respect to every argument at once, as a dict {name: gradient}."""
    signature = inspect.signature(fun)

    def gradients(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        arguments = dict(bound.arguments)

        def of_dict(values):
            call = signature.bind_partial()
            call.arguments.update(values)
            return fun(*call.args, **call.kwargs)

        return grad(of_dict)(arguments)

    return gradients


def checkpoint(fun):
    """fun, made to keep no intermediate values: its backward runs it again
    (trading compute for memory)."""
    from .extend import defvjp_argnum, primitive

    def recompute_vjp(argnum, ans, args, kwargs):
        return make_vjp(fun, argnum)(*args, **kwargs)[0]

    checkpointed = primitive(fun)
    defvjp_argnum(checkpointed, recompute_vjp)
    return checkpointed
