"""Custom differentiable operations with PyTorch's protocol: `fastgrad.autograd.Function`.

    class Cube(fastgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):                 # x: a Tensor
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad_output):      # one gradient per output
            (x,) = ctx.saved_tensors
            return grad_output * 3 * x ** 2  # one gradient per forward argument

    y = Cube.apply(x)

`forward` runs on Tensors without recording a graph; `apply` records one node
whose backward calls `backward` on Tensors.  Arguments that are not Tensors get
a None gradient.  A forward may return several Tensors; `backward` then gets
one gradient per output (zeros for outputs that received none, unless
`ctx.set_materialize_grads(False)`, which passes None).  Saved tensors are
checked against in-place changes, as for the library's own ops.  With
`create_graph=True` the backward itself is recorded, so it can be
differentiated again.

The library's own ops use the array-level protocol of primitive.py instead.
"""
from ._graph import has_floating_dtype, new_tensor
from .grad_mode import STATE, no_grad
from .primitive import Primitive
from .tensor import Tensor

__all__ = ["Function", "FunctionCtx"]


class FunctionCtx:
    """The `ctx` of a custom Function: what forward leaves for backward."""

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad
        self.materialize_grads = True
        self._saved = ()
        self._non_differentiable = ()
        self._graph_node = None

    def save_for_backward(self, *tensors):
        """Keep Tensors (or None) for backward; read them back with `saved_tensors`."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward: argument {i} is a {type(t).__name__}; only Tensors "
                                "(or None) can be saved (keep other values as ctx attributes)")
        self._saved = tuple((_as_saved(t), None if t is None else t._version, None if t is None else t._version[0])
                            for t in tensors)

    @property
    def saved_tensors(self):
        """The saved Tensors; raises if one was changed in place since it was saved."""
        if self._saved is None:
            raise RuntimeError("saved_tensors: trying to backward through the graph a second time (or directly "
                               "access saved tensors after they have already been freed); pass "
                               "retain_graph=True to the first backward")
        for i, (t, counter, version) in enumerate(self._saved):
            if counter is not None and counter[0] != version:
                raise RuntimeError(
                    f"saved_tensors: one of the variables needed for gradient computation has been modified by an "
                    f"in-place operation: saved tensor {i} is at version {counter[0]}, expected version {version}")
        return tuple(t for t, _, _ in self._saved)

    def mark_non_differentiable(self, *outputs):
        """These outputs get no gradient (indices, masks): they do not require grad."""
        self._non_differentiable = tuple(outputs)

    def set_materialize_grads(self, value):
        """False: outputs that received no gradient pass None to backward instead of zeros."""
        self.materialize_grads = bool(value)


def _as_saved(t):
    # A non-leaf is kept as it is now: an in-place op recorded later re-points the
    # tensor at a new array (ops/inplace.py), while this keeps the array backward
    # needs.  A leaf stays the same object, so gradients reach it (create_graph).
    if t is None or t._node is None:
        return t
    saved = new_tensor(t._data, t._requires_grad, t._node)
    saved._version = t._version
    return saved


class Function:
    """Base of custom operations: subclass it with static `forward(ctx, ...)` and
    `backward(ctx, *grad_outputs)`, call it with `apply`.  See the module docstring."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("a custom Function must define a static forward(ctx, ...)")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("a custom Function must define a static backward(ctx, *grad_outputs)")

    @classmethod
    def apply(cls, *args, **kwargs):
        needs = tuple(STATE.enabled and isinstance(a, Tensor) and a._requires_grad for a in args)
        ctx = FunctionCtx(needs)
        with no_grad():
            outputs = cls.forward(ctx, *args, **kwargs)
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        for i, o in enumerate(outs):
            if o is not None and not isinstance(o, Tensor):
                raise TypeError(f"{cls.__name__}.forward: output {i} is a {type(o).__name__}; outputs must be "
                                "Tensors (or None)")
        if not any(needs):
            return outputs
        differentiable = [o is not None and not any(o is n for n in ctx._non_differentiable)
                          and has_floating_dtype(o._data) for o in outs]
        if not any(differentiable):
            return outputs
        node_type = _node_type(cls)
        state = _State(cls, ctx, outs, differentiable, single)
        if single:
            result = node_type.apply(*args, state=state)
            _share_saved_versions(ctx, outputs, result)
            return result
        # Several outputs: one node for the call, and one selecting node per output
        # that hands its gradient to the call's node.
        call = node_type.apply(*args, state=state)
        results = []
        for i, o in enumerate(outs):
            if o is None or not differentiable[i]:
                results.append(o if o is None else new_tensor(o._data, False, None))
            else:
                r = _SelectOutput.apply(call, i, state=state)
                _share_saved_versions(ctx, o, r)
                results.append(r)
        return tuple(results)


class _State:
    """What one call of a custom Function shares between its graph nodes."""

    def __init__(self, fn, ctx, outputs, differentiable, single):
        self.single = single  # forward returned one Tensor (not a tuple, even of one)
        self.fn = fn
        self.ctx = ctx
        self.outputs = outputs
        self.differentiable = differentiable
        self.grads = {}


def _share_saved_versions(ctx, output, result):
    # A saved output is the returned tensor for in-place checks: share its counter.
    if ctx._saved and any(t is output for t, _, _ in ctx._saved):
        result._version = output._version


_NODE_TYPES = {}


def _node_type(fn):
    """The graph-node type of a custom Function (named after it, e.g. CubeBackward)."""
    node = _NODE_TYPES.get(fn)
    if node is None:
        node = _NODE_TYPES[fn] = type(fn.__name__, (_CustomCall,), {})
    return node


class _CustomCall(Primitive):
    """One call of a custom Function as a graph node."""

    @staticmethod
    def forward(pctx, b, *arrays, state):
        pctx.state = state
        outs = state.outputs
        if state.single:
            return outs[0]._data
        return b.xp.zeros((0,), dtype=_first_float_dtype(outs, state.differentiable))

    @staticmethod
    def backward(pctx, b, g):
        state = pctx.state
        differentiable_graph = isinstance(g, Tensor)
        if state.single:
            grads = (_as_tensor(g),)
        else:
            grads = tuple(_output_grad(state, i, o) for i, o in enumerate(state.outputs))
            state.grads = {}
        result = state.fn.backward(state.ctx, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        n = len(pctx.parents)
        extra = result[n:]
        if len(result) < n or any(r is not None for r in extra):
            raise RuntimeError(f"{state.fn.__name__}.backward: returned {len(result)} gradients, expected {n} "
                               "(one per forward argument)")
        out = []
        for i, (r, parent) in enumerate(zip(result, pctx.parents)):
            if r is None or parent is None:
                out.append(None)
                continue
            if not isinstance(r, Tensor):
                raise TypeError(f"{state.fn.__name__}.backward: gradient {i} is a {type(r).__name__}, expected a "
                                "Tensor or None")
            out.append(r if differentiable_graph else r._data)
        return tuple(out)


def _first_float_dtype(outs, differentiable):
    for o, d in zip(outs, differentiable):
        if d:
            return o._data.dtype
    raise AssertionError("no differentiable output")


def _as_tensor(g):
    return g if isinstance(g, Tensor) else new_tensor(g, False, None)


def _output_grad(state, i, o):
    g = state.grads.get(i)
    if g is not None:
        return _as_tensor(g)
    if o is None or not state.differentiable[i] or not state.ctx.materialize_grads:
        return None
    return new_tensor(o._data * 0, False, None)


class _SelectOutput(Primitive):
    """Output i of a several-output custom Function; passes its gradient to the call's node."""

    @staticmethod
    def forward(pctx, b, call_array, i, state):
        pctx.i = i
        pctx.state = state
        pctx.empty = call_array
        return state.outputs[i]._data

    @staticmethod
    def backward(pctx, b, g):
        grads = pctx.state.grads
        prev = grads.get(pctx.i)
        grads[pctx.i] = g if prev is None else prev + g
        return pctx.empty * 0, None
