"""Function transforms: grad, value_and_grad, elementwise_grad, vjp, jvp,
jacobian, hessian and hvp.

They take and return plain arrays (and pytrees: tuples, lists and dicts of
arrays), as HIPS autograd does:

    import fastgrad.numpy as np
    from fastgrad import grad, hessian

    f = lambda x: np.sum(np.sin(x) * x)
    grad(f)(np.ones(3))        # an ndarray
    hessian(f)(np.ones(3))     # 3 x 3

Transforms nest: a transform called inside a function being differentiated
by another (grad(grad(f)), hessian = jacobian(grad)) records its own backward
(create_graph=True) and returns Tensors, so the outer one can differentiate
through it.  Each transform differentiates with respect to its own copy of
its inputs, so closures over an outer variable are not confused with it.
"""
import warnings
from typing import Any, Callable, Optional, Sequence, Tuple, Union

import numpy as np

from .autograd import capture
from .autograd.engine import grad as _engine_grad
from .autograd.grad_mode import STATE
from .autograd.tensor import Tensor, has_floating_dtype, new_tensor
from .backend import is_array, namespace_of
from .ops.manipulation import copy as _copy
from .ops.promotion import call_with_numpy_rule  # the function traced is NumPy code: NumPy's promotion

__all__ = ["elementwise_grad", "grad", "hessian", "hvp", "jacobian", "jvp", "value_and_grad", "vjp"]

_DEPTH = [0]  # how many transforms are running the function being differentiated

ArgNums = Union[int, Sequence[int]]


# ---- pytrees --------------------------------------------------------------

def _flatten(tree):
    """(leaves, rebuild): the arrays of a tuple/list/dict tree, and a function
    that puts a list of new leaves back into the same structure."""
    kind = type(tree)
    if kind in (tuple, list) or isinstance(tree, tuple):   # named results too: (U, S, Vh), ...
        parts = [_flatten(x) for x in tree]
        leaves = [leaf for p in parts for leaf in p[0]]

        def rebuild(new):
            out, i = [], 0
            for p in parts:
                n = len(p[0])
                out.append(p[1](new[i:i + n]))
                i += n
            return kind(out) if kind in (tuple, list) else kind(*out)

        return leaves, rebuild
    if kind is dict:
        keys = list(tree)
        leaves, rebuild_values = _flatten([tree[k] for k in keys])
        return leaves, lambda new: dict(zip(keys, rebuild_values(new)))
    return [tree], lambda new: new[0]


# ---- leaves in, gradients out ---------------------------------------------

def _is_tracked(x):
    return isinstance(x, Tensor) and x._requires_grad and STATE.enabled


def _variable(x, nested):
    """A Tensor to differentiate with respect to, standing for the input x."""
    if isinstance(x, Tensor):
        if nested and x._requires_grad:
            return _copy(x)  # a new node: d/d(copy) leaves outer variables apart
        x = x._data
    # Arrays stay in their own library and on their own device (CuPy, array-API); numbers and
    # lists become NumPy arrays.
    arr = x if type(x) is np.ndarray or is_array(x) else capture.run(np.asarray, x)
    if not has_floating_dtype(arr):
        arr = capture.run(_as_float64, arr)
    return new_tensor(arr, True, None)


def _as_float64(arr):
    if isinstance(arr, np.ndarray):
        return arr.astype(np.float64)
    xp = namespace_of(arr)
    return xp.astype(arr, xp.float64)


def _output(x, like):
    """A gradient as the caller expects it: a Tensor when nested, else an array
    (a NumPy float for a Python-number input)."""
    if isinstance(x, Tensor):
        x = x._data
    if isinstance(like, (float, int)) and not isinstance(like, bool):
        return capture.run(np.float64, x)
    return x


def _plain(y):
    if isinstance(y, Tensor):
        y = y._data
        return capture.run(_item_of_0d, y) if getattr(y, "ndim", 1) == 0 else y
    return y


def _item_of_0d(y):
    return y[()]


def _gradients(outputs, variables, grad_outputs, nested, retain=False):
    """d outputs / d variables as a list (zeros where unused), Tensors when nested."""
    outputs = [o for o in outputs]
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if isinstance(o, Tensor) and o._requires_grad]
    if pairs:
        found = _engine_grad([o for o, _ in pairs], variables, grad_outputs=[g for _, g in pairs],
                             retain_graph=retain or nested, create_graph=nested, allow_unused=True)
    else:
        _warn_independent()
        found = [None] * len(variables)
    result = []
    for v, g in zip(variables, found):
        if g is None:
            g = new_tensor(np.zeros(v._data.shape, dtype=v._data.dtype), False, None)
        result.append(g if nested else g._data)
    return result


def _warn_independent():
    warnings.warn("the function's output does not depend on the differentiated input (was it turned into a "
                  "plain number or array, e.g. by float() or np.asarray()?); its gradient is zero",
                  UserWarning, stacklevel=4)


class _Call:
    """One evaluation of f with the arguments at `argnums` replaced by variables."""

    def __init__(self, fn, args, kwargs, argnums):
        self.single = isinstance(argnums, int)
        self.argnums = (argnums,) if self.single else tuple(argnums)
        for i in self.argnums:
            if not -len(args) <= i < len(args):
                raise TypeError(f"argnums {argnums} does not match the {len(args)} positional arguments given")
        self.nested = _DEPTH[0] > 0 or any(_is_tracked(a) for i in self.argnums for a in _flatten(args[i])[0])
        self.trees = []
        self.variables = []
        args = list(args)
        for i in self.argnums:
            leaves, rebuild = _flatten(args[i])
            variables = [_variable(x, self.nested) for x in leaves]
            self.trees.append((leaves, rebuild, len(self.variables)))
            self.variables.extend(variables)
            args[i] = rebuild(variables)
        prev = STATE.enabled
        STATE.enabled = True
        _DEPTH[0] += 1
        try:
            self.out = call_with_numpy_rule(True, fn, *args, **kwargs)
        finally:
            _DEPTH[0] -= 1
            STATE.enabled = prev

    def structured(self, grads):
        """Per-argnum gradients in the structure of the inputs."""
        per_arg = []
        for leaves, rebuild, start in self.trees:
            gs = grads[start:start + len(leaves)]
            if not self.nested:
                gs = [_output(g, x) for g, x in zip(gs, leaves)]
            per_arg.append(rebuild(gs))
        return per_arg[0] if self.single else tuple(per_arg)


def _dtype_kind(data):
    """NumPy's one-letter dtype kind, also for arrays whose dtypes have none (array-API)."""
    kind = getattr(data.dtype, "kind", None)
    if kind is not None:
        return kind
    xp = namespace_of(data)
    for kind, name in (("c", "complex floating"), ("f", "real floating"), ("b", "bool")):
        if xp.isdtype(data.dtype, name):
            return kind
    return "i"


def _scalar_output(name, out):
    kind = _dtype_kind(out._data) if isinstance(out, Tensor) else np.asarray(out).dtype.kind
    if kind == "c":
        raise TypeError(f"{name}: the function must return a real scalar, got a complex one; use "
                        "holomorphic_grad for the complex derivative, or take np.real / np.abs first")
    if kind == "b":
        raise TypeError(f"{name}: the function returned a boolean, which has no derivative")
    size = out._data.size if isinstance(out, Tensor) else np.size(out)
    if size != 1:
        raise TypeError(f"{name}: the function must return a scalar, got shape {np.shape(_plain(out))}; "
                        "use jacobian, vjp or elementwise_grad for other outputs")
    if isinstance(out, Tensor) and out._data.ndim:
        from .ops.shape import reshape

        return reshape(out, ())
    return out


# ---- transforms -------------------------------------------------------------

def _argnums(argnums, argnum):
    """HIPS autograd's keyword `argnum` is accepted beside `argnums`."""
    return argnums if argnum is None else argnum


def grad(fun: Callable[..., Any], argnums: ArgNums = 0, *,
         argnum: Optional[ArgNums] = None, has_aux: bool = False) -> Callable[..., Any]:
    """The gradient of a scalar function, as a function: grad(f)(x) = df/dx.

    `argnums` (or HIPS autograd's `argnum`) picks the argument, or a tuple of
    them, to differentiate; each may be an array or a pytree of arrays, and the
    result has its structure.  With `has_aux` (JAX's), f returns (value, aux) and
    grad(f) returns (gradient, aux), aux's tensors as arrays.

    >>> grad(lambda x: np.sum(x ** 3))(np.array([1.0, 2.0]))   # [3, 12]
    """
    argnums = _argnums(argnums, argnum)

    def grad_fun(*args, **kwargs):
        value, gradient = _value_and_grad("grad", fun, argnums, args, kwargs, has_aux)
        return (gradient, value[1]) if has_aux else gradient

    grad_fun.__name__ = f"grad({getattr(fun, '__name__', 'f')})"
    return grad_fun


def value_and_grad(fun: Callable[..., Any], argnums: ArgNums = 0, *,
                   argnum: Optional[ArgNums] = None, has_aux: bool = False) -> Callable[..., Tuple[Any, Any]]:
    """Like grad, but returns (f(x), df/dx) from one evaluation; with `has_aux`,
    ((value, aux), df/dx), as JAX's.

    >>> value_and_grad(lambda x: np.sum(x * x))(np.ones(2))   # (2.0, [2, 2])
    """
    argnums = _argnums(argnums, argnum)

    def value_and_grad_fun(*args, **kwargs):
        return _value_and_grad("value_and_grad", fun, argnums, args, kwargs, has_aux)

    return value_and_grad_fun


def _without_aux(name, fun):
    """fun returning (value, aux) as a function returning value; aux is kept in the list returned."""
    kept = []

    def value_only(*args, **kwargs):
        out = fun(*args, **kwargs)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise TypeError(f"{name}: with has_aux=True the function must return a pair (value, aux), got "
                            f"{type(out).__name__}")
        kept.append(out[1])
        return out[0]

    return value_only, kept


def _value_and_grad(name, fun, argnums, args, kwargs, has_aux=False):
    if has_aux:
        fun, kept = _without_aux(name, fun)
        value, gradient = _value_and_grad(name, fun, argnums, args, kwargs)
        return (value, _plain_tree(kept[-1], bool(_DEPTH[0]))), gradient
    if type(argnums) is int and not _DEPTH[0]:
        fast = _value_and_grad_of_array(name, fun, argnums, args, kwargs)
        if fast is not None:
            return fast
    call = _Call(fun, args, kwargs, argnums)
    out = _scalar_output(name, call.out)
    grads = _gradients([out], call.variables, [None], call.nested)
    value = out if call.nested else _plain(out)
    return value, call.structured(grads)


def _value_and_grad_of_array(name, fun, argnums, args, kwargs):
    """The common case, kept short: one float array argument, not nested.
    None when the general path is needed."""
    if not 0 <= argnums < len(args):
        return None
    x = args[argnums]
    if type(x) is not np.ndarray or x.dtype.kind != "f":
        return None
    variable = new_tensor(x, True, None)
    args = args[:argnums] + (variable,) + args[argnums + 1:]
    prev = STATE.enabled
    STATE.enabled = True
    _DEPTH[0] += 1
    try:
        out = call_with_numpy_rule(True, fun, *args, **kwargs)
    finally:
        _DEPTH[0] -= 1
        STATE.enabled = prev
    out = _scalar_output(name, out)
    if not isinstance(out, Tensor) or not out._requires_grad:
        _warn_independent()
        return _plain(out), np.zeros_like(x)
    (g,) = _engine_grad(out, (variable,), allow_unused=True)
    return out._data[()], (np.zeros_like(x) if g is None else g._data)


def elementwise_grad(fun: Callable[..., Any], argnums: ArgNums = 0, *,
                     argnum: Optional[ArgNums] = None) -> Callable[..., Any]:
    """The sum over outputs of their gradients: for an elementwise f, its derivative
    at each element.  elementwise_grad(f)(x) = J(x)^T 1.

    >>> elementwise_grad(np.tanh)(np.zeros(3))   # [1, 1, 1]
    """
    argnums = _argnums(argnums, argnum)

    def elementwise_grad_fun(*args, **kwargs):
        call = _Call(fun, args, kwargs, argnums)
        out = call.out
        ones = np.ones(np.shape(_plain(out)), dtype=_dtype_of(out))
        return call.structured(_gradients([out], call.variables, [ones], call.nested))

    return elementwise_grad_fun


def _dtype_of(out):
    data = out._data if isinstance(out, Tensor) else np.asarray(out)
    return data.dtype if has_floating_dtype(data) else np.float64


def vjp(fun: Callable[..., Any], *primals: Any) -> Tuple[Any, Callable[[Any], Any]]:
    """(f(*primals), vjp_fn), where vjp_fn(v) = v^T J for each primal (a tuple).

    The output may be an array or a pytree; v has its structure.

    >>> out, vjp_fn = vjp(np.sin, x)
    >>> (gx,) = vjp_fn(np.ones_like(out))     # cos(x)
    """
    call = _Call(fun, primals, {}, tuple(range(len(primals))))
    out_leaves, _ = _flatten(call.out)

    def vjp_fn(cotangent):
        cot_leaves, _ = _flatten(cotangent)
        if len(cot_leaves) != len(out_leaves):
            raise ValueError(f"vjp: got {len(cot_leaves)} cotangent arrays for {len(out_leaves)} outputs")
        cots = [_cotangent(c, o) for c, o in zip(cot_leaves, out_leaves)]
        grads = _gradients(out_leaves, call.variables, cots, call.nested, retain=True)
        return call.structured(grads)

    return _plain_tree(call.out, call.nested), vjp_fn


def _cotangent(c, out):
    data = out._data if isinstance(out, Tensor) else np.asarray(out)
    if isinstance(c, Tensor):
        return c
    c = np.asarray(c, dtype=data.dtype)
    if c.shape != data.shape:
        raise ValueError(f"vjp: cotangent has shape {c.shape}, the output {data.shape}")
    return c


def _plain_tree(tree, nested):
    if nested:
        return tree
    leaves, rebuild = _flatten(tree)
    return rebuild([_plain(x) for x in leaves])


def jvp(fun: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> Tuple[Any, Any]:
    """Forward mode: (f(*primals), J @ tangents), for tuples of primals and tangents.

    Computed as the derivative of a vector-Jacobian product with respect to
    its (linear) cotangent, so it works for every op with a backward.

    >>> out, t = jvp(np.sin, (x,), (v,))     # t = cos(x) * v
    """
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    call = _Call(fun, primals, {}, tuple(range(len(primals))))
    out_leaves, rebuild_out = _flatten(call.out)
    tangent_leaves = [t for tree in tangents for t in _flatten(tree)[0]]
    if len(tangent_leaves) != len(call.variables):
        raise ValueError("jvp: tangents must have the structure of primals")
    # u is a dummy cotangent; J^T u is linear in u, and d(J^T u . t)/du = J t.
    dummies = [new_tensor(np.zeros(np.shape(_plain(o)), dtype=_dtype_of(o)), True, None) for o in out_leaves]
    # For complex values the pullback is only real-linear: with P(u) = vjp(conj(u)),
    # J t = conj(vjp_P(t)) (conj is the identity on real values).
    pullback = _gradients(out_leaves, call.variables, [_conj(d) for d in dummies], True)
    # A tangent that is itself being differentiated (jvp inside grad) stays a Tensor.
    tangent_arrays = [t if isinstance(t, Tensor) else np.asarray(t, dtype=v._data.dtype)
                      for t, v in zip(tangent_leaves, call.variables)]
    for t, v in zip(tangent_arrays, call.variables):
        if tuple(t.shape) != tuple(v._data.shape):
            raise ValueError(f"jvp: tangent of shape {t.shape} for a primal of shape {v._data.shape}")
    pushed = [_conj(p) for p in _gradients(pullback, dummies, tangent_arrays, call.nested)]
    out_tangents = [p if call.nested else _plain_like(p, o) for p, o in zip(pushed, out_leaves)]
    return _plain_tree(call.out, call.nested), rebuild_out(out_tangents)


def _conj(x):
    if np.iscomplexobj(x._data if isinstance(x, Tensor) else x):
        from .numpy.complex import conjugate

        return conjugate(x)
    return x


def _plain_like(g, out):
    return g[()] if getattr(g, "ndim", 1) == 0 and not isinstance(out, np.ndarray) else g


def jacobian(fun: Callable[..., Any], argnums: ArgNums = 0, *,
             argnum: Optional[ArgNums] = None) -> Callable[..., Any]:
    """The Jacobian as a function: shape f(x).shape + x.shape (reverse mode, one
    backward pass per output element).  For pytree inputs or outputs the result
    nests them: result[output leaf][input leaf].

    >>> jacobian(lambda x: W @ x)(x)    # W
    """
    argnums = _argnums(argnums, argnum)

    def jacobian_fun(*args, **kwargs):
        call = _Call(fun, args, kwargs, argnums)
        out_leaves, rebuild_out = _flatten(call.out)
        per_output = []
        for out in out_leaves:
            out_shape = np.shape(_plain(out))
            n_out = int(np.prod(out_shape))
            dtype = _dtype_of(out)
            rows = []
            for k in range(n_out):
                onehot = np.zeros(n_out, dtype=dtype)
                onehot[k] = 1
                rows.append(_gradients([out], call.variables, [onehot.reshape(out_shape)], call.nested,
                                       retain=True))
            blocks = [_stack_rows([row[i] for row in rows], out_shape + tuple(v._data.shape), call.nested, v)
                      for i, v in enumerate(call.variables)]
            per_output.append(call.structured(blocks))
        return rebuild_out(per_output)

    return jacobian_fun


def _stack_rows(rows, shape, nested, variable):
    if not rows:
        return np.zeros(shape, dtype=variable._data.dtype)
    if nested:
        from .ops.shape import reshape, stack

        return reshape(stack(rows), shape)
    return np.stack(rows).reshape(shape)


def hessian(fun: Callable[..., Any], argnums: ArgNums = 0, *,
            argnum: Optional[ArgNums] = None) -> Callable[..., Any]:
    """The matrix of second derivatives of a scalar function, shape x.shape + x.shape.

    >>> hessian(lambda w: w @ A @ w)(w)    # A + A.T
    """
    argnums = _argnums(argnums, argnum)
    return jacobian(grad(fun, argnums), argnums)


def hvp(fun: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> Tuple[Any, Any]:
    """(f(*primals), H @ tangents): a Hessian-vector product without forming H.

    >>> value, hv = hvp(f, (x,), (v,))
    """
    primals, tangents = tuple(primals), tuple(tangents)
    argnums = tuple(range(len(primals)))

    def dot_with_tangents(*xs):
        value, grads = value_and_grad(fun, argnums)(*xs)
        total = None
        for g, t in zip(_flatten(grads)[0], [t for tree in tangents for t in _flatten(tree)[0]]):
            term = (g * t).sum()
            total = term if total is None else total + term
        dot_with_tangents.value = value
        return total

    hv = grad(dot_with_tangents, argnums)(*primals)
    value = dot_with_tangents.value
    return _plain(value), hv
