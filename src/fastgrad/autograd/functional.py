"""Derivatives of whole functions on Tensors, with PyTorch's `torch.autograd.functional` signatures.

    from fastgrad.autograd.functional import jacobian, hessian, vjp, jvp

    jacobian(f, x)            # f(x).shape + x.shape
    hessian(f, x)             # x.shape + x.shape, f scalar
    out, g = vjp(f, x, v)     # v^T J
    out, t = jvp(f, x, v)     # J v

`inputs` is a Tensor or a tuple of Tensors; the results follow the same
structure (a tuple of tuples, [output][input], when both are tuples).  With
`create_graph=True` the results carry a graph and can be differentiated again.
(`fastgrad.jacobian` and friends are the HIPS-style transforms that take a
function and return a function.)
"""
from ..ops.shape import reshape
from .engine import grad as _grad
from .grad_mode import enable_grad
from .tensor import Tensor, has_floating_dtype, new_tensor

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]


def _as_tuple(x, what, op):
    is_tuple = isinstance(x, (tuple, list))
    items = tuple(x) if is_tuple else (x,)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: {what} {i} must be a Tensor, got {type(t).__name__}")
    return items, is_tuple


def _prepare(inputs, create_graph, op):
    out = []
    for i, t in enumerate(inputs):
        if not has_floating_dtype(t._data):
            raise TypeError(f"{op}: input {i} has dtype {t._data.dtype}; only floating inputs can be differentiated")
        if create_graph and t.requires_grad:
            out.append(reshape(t, t.shape))  # stays connected to t's graph
        else:
            out.append(new_tensor(t._data, True, None))
    return tuple(out)


def _call(func, inputs, op):
    with enable_grad():
        outputs = func(*inputs)
    outs, is_tuple = _as_tuple(outputs, "output", op)
    return outs, is_tuple


def _grads(outputs, inputs, grad_outputs, create_graph, retain_graph):
    wanted = [o for o in outputs if o.requires_grad]
    cots = [g for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if not wanted:
        grads = (None,) * len(inputs)
    else:
        grads = _grad(wanted, list(inputs), grad_outputs=cots, retain_graph=retain_graph,
                      create_graph=create_graph, allow_unused=True)
    return tuple(new_tensor(t._data * 0, False, None) if g is None else g for g, t in zip(grads, inputs))


def _finish(items, is_tuple, create_graph):
    items = tuple(t if create_graph else t.detach() for t in items)
    return items if is_tuple else items[0]


def _vectors(v, like, op, name="v"):
    if v is None:
        for o in like:
            if o._data.size != 1:
                raise RuntimeError(f"{op}: {name} can be omitted only when the function's output is a single "
                                   f"element; the output has shape {tuple(o.shape)}")
        return tuple(new_tensor(o._data * 0 + 1, False, None) for o in like)
    vs, _ = _as_tuple(v, name, op)
    if len(vs) != len(like):
        raise RuntimeError(f"{op}: {name} has {len(vs)} tensors, expected {len(like)}")
    for i, (a, b) in enumerate(zip(vs, like)):
        if tuple(a.shape) != tuple(b.shape):
            raise RuntimeError(f"{op}: {name} {i} has shape {tuple(a.shape)}, expected {tuple(b.shape)}")
    return vs


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J): the vector-Jacobian product (reverse mode).

    >>> out, (gx,) = vjp(lambda x: x ** 2, (x,), (ones,))   # 2 x
    """
    _refuse_strict(strict, "vjp")
    ins, in_tuple = _as_tuple(inputs, "input", "vjp")
    ins = _prepare(ins, create_graph, "vjp")
    outs, out_tuple = _call(func, ins, "vjp")
    vs = _vectors(v, outs, "vjp")
    grads = _grads(outs, ins, vs, create_graph, retain_graph=create_graph)
    return _finish(outs, out_tuple, create_graph), _finish(grads, in_tuple, create_graph)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v): the Jacobian-vector product.

    Computed as the derivative of a vector-Jacobian product with respect to
    its (linear) vector, so it works for every op with a backward.
    """
    _refuse_strict(strict, "jvp")
    ins, in_tuple = _as_tuple(inputs, "input", "jvp")
    ins = _prepare(ins, create_graph, "jvp")
    outs, out_tuple = _call(func, ins, "jvp")
    vs = _vectors(v, ins, "jvp")
    # u: a dummy cotangent; J^T u is linear in u, and d(J^T u . v)/du = J v.
    dummies = tuple(new_tensor(o._data * 0, True, None) for o in outs)
    with enable_grad():
        pullback = _grads(outs, ins, dummies, create_graph=True, retain_graph=True)
    pushed = _grads(pullback, dummies, vs, create_graph, retain_graph=create_graph)
    return _finish(outs, out_tuple, create_graph), _finish(pushed, out_tuple, create_graph)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """The Jacobian of func at inputs: for each output and input, output.shape + input.shape.

    One backward pass per output element (reverse mode), with vectorize True or
    False alike (it chooses how PyTorch batches those passes; the result is the same).

    >>> jacobian(lambda x: W @ x, x)    # W
    """
    _refuse_strict(strict, "jacobian")
    if strategy != "reverse-mode":
        raise ValueError(f"jacobian: only strategy='reverse-mode' is implemented, got {strategy!r}")
    ins, in_tuple = _as_tuple(inputs, "input", "jacobian")
    ins = _prepare(ins, create_graph, "jacobian")
    outs, out_tuple = _call(func, ins, "jacobian")
    per_output = []
    for o in outs:
        n = o._data.size
        rows = []
        for k in range(n):
            onehot = (o._data * 0).reshape(-1)
            onehot[k] = 1
            rows.append(_grads((o,), ins, (new_tensor(onehot.reshape(o.shape), False, None),),
                               create_graph, retain_graph=True))
        blocks = []
        for i, t in enumerate(ins):
            shape = tuple(o.shape) + tuple(t.shape)
            if rows:
                from ..ops.shape import stack

                block = reshape(stack([row[i] for row in rows]), shape)
            else:
                block = new_tensor(t._data.reshape(-1)[:0].reshape(shape), False, None)
            blocks.append(block)
        per_output.append(_finish(blocks, in_tuple, create_graph))
    return tuple(per_output) if out_tuple else per_output[0]


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar func at inputs: input.shape + input.shape (a tuple of
    tuples [i][j] for several inputs).  vectorize: as jacobian's.

    >>> hessian(lambda w: w @ A @ w, w)    # A + A.T
    """
    _refuse_strict(strict, "hessian")
    ins, in_tuple = _as_tuple(inputs, "input", "hessian")

    def gradient(*xs):
        outs, _ = _call(func, xs, "hessian")
        if len(outs) != 1 or outs[0]._data.size != 1:
            raise RuntimeError("hessian: the function must return a single Tensor with one element")
        grads = _grads(outs, xs, _vectors(None, outs, "hessian"), create_graph=True, retain_graph=True)
        return grads if in_tuple else grads[0]

    return jacobian(gradient, ins if in_tuple else ins[0], create_graph=create_graph, strategy=outer_jacobian_strategy)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H) for a scalar func."""
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v) for a scalar func (H is symmetric for smooth functions, so this equals vhp)."""
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def _hessian_product(func, inputs, v, create_graph, strict, op):
    _refuse_strict(strict, op)
    ins, in_tuple = _as_tuple(inputs, "input", op)
    ins = _prepare(ins, create_graph, op)
    outs, _ = _call(func, ins, op)
    if len(outs) != 1 or outs[0]._data.size != 1:
        raise RuntimeError(f"{op}: the function must return a single Tensor with one element")
    vs = _vectors(v, ins, op)
    with enable_grad():
        grads = _grads(outs, ins, _vectors(None, outs, op), create_graph=True, retain_graph=True)
        total = None
        for g, w in zip(grads, vs):
            term = (g * w).sum()
            total = term if total is None else total + term
    if total.requires_grad:
        products = _grads((total,), ins, (None,), create_graph, retain_graph=create_graph)
    else:
        products = tuple(new_tensor(t._data * 0, False, None) for t in ins)
    return _finish(outs, False, create_graph), _finish(products, in_tuple, create_graph)


def _refuse_strict(strict, op):
    if strict:
        raise NotImplementedError(f"{op}: strict=True (checking that outputs depend on inputs) is not implemented")
