"""New differentiable functions with HIPS autograd's names: primitive, defvjp,
defvjp_argnum, defvjp_argnums, defjvp, defjvp_argnum, notrace_primitive.

    from fastgrad.extend import primitive, defvjp

    @primitive
    def logsumexp(x):
        m = np.max(x)
        return m + np.log(np.sum(np.exp(x - m)))

    defvjp(logsumexp, lambda ans, x: lambda g: g * np.exp(x - ans))

A primitive runs its function on plain arrays; when an argument is a Tensor
that is being differentiated, the result is a Tensor whose backward calls
the registered vector-Jacobian products.  A vjp maker receives the output
and the arguments (`ans, *args, **kwargs`) and returns `g -> gradient`; it is
written with `fastgrad.numpy`, so under create_graph (grad of grad) it runs
on Tensors and is differentiated in turn.  Arguments with no vjp get no
gradient (differentiating through one raises, naming the primitive).
Forward-mode rules (defjvp) are recorded for `jvp`/`make_jvp`; jvp itself
differentiates through the vjps.
"""
import functools
import warnings

import numpy as np

from .autograd.primitive import Primitive as Function
from .autograd.grad_mode import STATE
from .autograd.tensor import Tensor

__all__ = ["defjvp", "defjvp_argnum", "defvjp", "defvjp_argnum", "defvjp_argnums", "notrace_primitive",
           "primitive"]


def _plain(x):
    return x._data if isinstance(x, Tensor) else x


class _Primitive(Function):
    """The graph node of one call of a primitive.  The Tensor arguments come
    positionally; the others (functions, options, ...) stay in `template`."""

    @staticmethod
    def forward(ctx, b, *arrays, wrapper, template, positions, kwargs):
        args = list(template)
        for i, a in zip(positions, arrays):
            args[i] = a
        ans = _run_plain(wrapper.fun, args, kwargs)
        if not isinstance(ans, (np.ndarray, np.generic, float, int, complex)):
            raise TypeError(f"primitive {wrapper.__name__}: returned a {type(ans).__name__}; a differentiable "
                            "primitive returns one array or number")
        ans = np.asarray(ans)
        ctx.wrapper, ctx.template, ctx.positions, ctx.kwargs = wrapper, template, positions, kwargs
        ctx.save_for_backward(*arrays, ans)
        return ans

    @staticmethod
    def backward(ctx, b, g):
        *arrays, ans = ctx.saved_arrays
        args = list(ctx.template)
        for i, a in zip(ctx.positions, arrays):
            args[i] = a
        needed = [ctx.positions[k] for k, need in enumerate(ctx.needs_input_grad) if need]
        grads = ctx.wrapper.vjps(needed, ans, args, ctx.kwargs, g)
        return tuple(_as_gradient(grads[i]) for i in ctx.positions)


def _run_plain(fun, args, kwargs):
    """fun on plain arrays, as at top level: no graph is recorded, and a transform
    used inside it (make_vjp in an ODE's dynamics, ...) is not nested in the ones
    differentiating the primitive, so it returns plain arrays."""
    from . import functional

    depth, enabled = functional._DEPTH[0], STATE.enabled
    functional._DEPTH[0], STATE.enabled = 0, False
    try:
        return fun(*args, **kwargs)
    finally:
        functional._DEPTH[0], STATE.enabled = depth, enabled


# The rule tables, per primitive: {argnum: maker}.
primitive_vjps = {}
primitive_jvps = {}


def _as_gradient(g):
    """A vjp may return a Python or NumPy number: the engine wants arrays (or Tensors)."""
    return g if g is None or isinstance(g, (Tensor, np.ndarray)) else np.asarray(g)


class _PrimitiveFunction:
    """A function whose derivatives are given by rules rather than traced."""

    def __init__(self, fun):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.vjp_all = None    # maker(argnums, ans, args, kwargs) -> (g -> tuple of grads)

    @property
    def vjp_makers(self):
        """argnum -> maker(ans, *args, **kwargs) -> (g -> gradient), kept in primitive_vjps."""
        return primitive_vjps.setdefault(self, {})

    @property
    def jvp_makers(self):
        return primitive_jvps.setdefault(self, {})

    def __call__(self, *args, **kwargs):
        if STATE.enabled and any(isinstance(a, Tensor) and a._requires_grad for a in args):
            positions = [i for i, a in enumerate(args) if isinstance(a, (Tensor, np.ndarray))]
            template = [None if i in positions else a for i, a in enumerate(args)]
            return _Primitive.apply(*[args[i] for i in positions], wrapper=self, template=template,
                                    positions=positions, kwargs=kwargs)
        if any(isinstance(a, Tensor) for a in args):
            return Tensor(_run_plain(self.fun, [_plain(a) for a in args], kwargs))
        return _run_plain(self.fun, args, kwargs)

    def __get__(self, obj, objtype=None):  # so a primitive can be a method
        return self if obj is None else functools.partial(self, obj)

    # HIPS autograd's older registration methods, still found in code written for it.
    def defgrad(self, maker, argnum=0):
        """Deprecated: defvjp(prim, maker, argnums=[argnum]) (the same maker(ans, *args) -> (g -> gradient))."""
        _deprecated("defgrad", "fastgrad.extend.defvjp(prim, maker, argnums=[argnum])")
        self.vjp_makers[argnum] = maker

    def defvjp(self, vjp, argnum=0):
        """Deprecated: vjp(g, ans, vs, gvs, *args) -> gradient, where vs and gvs
        describe the argument and g (shape, dtype, size, zeros())."""
        _deprecated("defvjp", "fastgrad.extend.defvjp(prim, lambda ans, *args: lambda g: ...)")

        def maker(ans, *args, **kwargs):
            return lambda g: vjp(g, ans, _Space(args[argnum]), _Space(g), *args, **kwargs)

        self.vjp_makers[argnum] = maker

    def defvjp_is_zero(self, argnums=(0,)):
        """Deprecated: the arguments at `argnums` get a zero gradient."""
        _deprecated("defvjp_is_zero", "a vjp maker returning zeros, registered with fastgrad.extend.defvjp")
        for i in argnums:
            self.vjp_makers[i] = _zero_vjp(i)

    def vjps(self, argnums, ans, args, kwargs, g):
        grads = [None] * len(args)
        if self.vjp_all is not None:
            for i, gi in zip(argnums, self.vjp_all(tuple(argnums), ans, tuple(args), kwargs)(g)):
                grads[i] = gi
            return tuple(grads)
        for i in argnums:
            maker = self.vjp_makers.get(i)
            if maker is None:
                raise NotImplementedError(f"primitive {self.__name__}: no vjp defined for argument {i}")
            grads[i] = maker(ans, *args, **kwargs)(g)
        return tuple(grads)


def _deprecated(method, instead):
    warnings.warn(f"primitive.{method} is deprecated: use {instead}", DeprecationWarning, stacklevel=3)


def _zero_vjp(argnum):
    def maker(ans, *args, **kwargs):
        x = _plain(args[argnum])
        return lambda g: np.zeros(np.shape(x), dtype=np.result_type(x, float))

    return maker


class _Space:
    """What the deprecated defvjp rules were given about a value: its shape, dtype and size."""

    def __init__(self, x):
        x = _plain(x)
        self.shape, self.dtype, self.size = np.shape(x), np.result_type(x), np.size(x)

    def zeros(self):
        return np.zeros(self.shape, self.dtype)

    def ones(self):
        return np.ones(self.shape, self.dtype)


def primitive(fun):
    """Make `fun` a primitive: differentiated by the rules given with defvjp,
    never traced inside.

    >>> @primitive
    ... def cube(x): return x ** 3
    >>> defvjp(cube, lambda ans, x: lambda g: g * 3 * x ** 2)
    """
    return _PrimitiveFunction(fun)


def notrace_primitive(fun):
    """A function run on the plain data of its arguments; its result carries no gradient."""

    @functools.wraps(fun)
    def plain_call(*args, **kwargs):
        return fun(*[_plain(a) for a in args], **{k: _plain(v) for k, v in kwargs.items()})

    return plain_call


def _check(prim, name):
    if not isinstance(prim, _PrimitiveFunction):
        raise TypeError(f"{name}: {getattr(prim, '__name__', prim)!r} is not a primitive; decorate it with "
                        "fastgrad.extend.primitive first")


def defvjp(prim, *vjp_makers, argnums=None):
    """Register vjp makers, one per argument (or for `argnums`); None skips one.
    Each maker is called as maker(ans, *args, **kwargs) and returns g -> gradient."""
    _register(prim, "defvjp", prim.vjp_makers if isinstance(prim, _PrimitiveFunction) else None,
              vjp_makers, argnums)


def _register(prim, name, table, makers, argnums):
    _check(prim, name)
    argnums = range(len(makers)) if argnums is None else argnums
    for i, maker in zip(argnums, makers):
        if maker is not None:
            table[i] = maker


def defvjp_argnum(prim, makevjp):
    """One maker for every argument: makevjp(argnum, ans, args, kwargs) -> (g -> gradient)."""
    _check(prim, "defvjp_argnum")
    prim.vjp_all = lambda argnums, ans, args, kwargs: (
        lambda g: tuple(makevjp(i, ans, args, kwargs)(g) for i in argnums))


def defvjp_argnums(prim, makevjp):
    """One maker for all arguments at once: makevjp(argnums, ans, args, kwargs) -> (g -> tuple)."""
    _check(prim, "defvjp_argnums")
    prim.vjp_all = makevjp


def defjvp(prim, *jvp_makers, argnums=None):
    """Register forward-mode rules: maker(g, ans, *args, **kwargs) -> tangent of the output.

    Kept with the primitive; fastgrad's jvp differentiates through the vjps."""
    _register(prim, "defjvp", prim.jvp_makers if isinstance(prim, _PrimitiveFunction) else None,
              jvp_makers, argnums)


def defjvp_argnum(prim, makejvp):
    """One forward-mode maker for every argument: makejvp(argnum, g, ans, args, kwargs)."""
    _check(prim, "defjvp_argnum")
    prim.jvp_makers["all"] = makejvp
