"""Differentiable primitives: `Function` subclasses and the graph node `Context`.

A primitive defines, side by side:

    class Exp(Function):
        @staticmethod
        def forward(ctx, b, x):          # b: the backend; x: a raw array
            y = b.xp.exp(x)
            ctx.save_for_backward(y)     # save the output: exp' = exp
            return y

        @staticmethod
        def backward(ctx, b, g):         # g: gradient of the output
            (y,) = ctx.saved_arrays
            return g * y                 # one gradient per forward argument

`Function.apply(*args)` unwraps Tensors, picks the backend once, runs forward,
and, when a graph is being recorded, keeps the Context as the output's node.
Backward rules use only operators, `b.xp` and `b`'s kernels, so the same rule
runs on arrays (ordinary backward) and on Tensors (create_graph=True).
"""
import numpy as np

from ..backend import backend_for
from .grad_mode import STATE
from .tensor import Tensor, new_tensor

_ndarray = np.ndarray
_OUTPUT = object()  # placeholder in saved_meta until the output tensor exists


class Context:
    """A node of the graph: one call of a Function, and what its backward needs."""

    __slots__ = ("fn", "parents", "needs_input_grad", "saved_arrays", "saved_meta",
                 "dtype", "shape", "hooks", "backend", "__dict__")

    def save_for_backward(self, *arrays):
        """Keep arrays for backward: inputs, the output, or any other array."""
        self.saved_arrays = arrays

    @property
    def name(self):
        return self.fn.__name__ + "Backward"

    def __repr__(self):
        return f"<{self.name}>"


class _ScratchContext:
    """Stands in for Context when no graph is recorded (or a forward is reused
    inside another op's backward): attributes can be set, nothing is saved."""

    def save_for_backward(self, *arrays):
        pass


class Function:
    """Base of every primitive; see the module docstring."""

    # Index of the argument whose storage the output views (shares its version counter).
    view_of = None

    @staticmethod
    def forward(ctx, b, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, b, grad):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        datas = [a.data if isinstance(a, Tensor) else a for a in args]
        backend = backend_for(*datas)
        record = False
        if STATE.enabled:
            for a in args:
                if isinstance(a, Tensor) and a._requires_grad:
                    record = True
                    break
        if not record:
            out = cls.forward(_ScratchContext(), backend, *datas, **kwargs)
            if type(out) is not _ndarray and isinstance(out, np.generic):
                out = np.asarray(out)
            t = new_tensor(out, False, None)
            if cls.view_of is not None:
                _share_version(t, args[cls.view_of])
            return t

        ctx = Context()
        ctx.fn = cls
        ctx.backend = backend
        ctx.hooks = None
        ctx.saved_arrays = ()
        ctx.saved_meta = None
        parents = []
        needs = []
        for a in args:
            if isinstance(a, Tensor) and a._requires_grad:
                parents.append(a._node if a._node is not None else a)
                needs.append(True)
            else:
                parents.append(None)
                needs.append(False)
        ctx.parents = parents
        ctx.needs_input_grad = needs
        out = cls.forward(ctx, backend, *datas, **kwargs)
        if type(out) is not _ndarray and isinstance(out, np.generic):
            out = np.asarray(out)
        if not _is_floating(out, backend):
            return new_tensor(out, False, None)
        ctx.dtype = out.dtype
        ctx.shape = out.shape
        if ctx.saved_arrays:
            ctx.saved_meta = _describe_saved(ctx.saved_arrays, args, datas, out)
        t = new_tensor(out, True, ctx)
        if cls.view_of is not None:
            _share_version(t, args[cls.view_of])
        for meta in ctx.saved_meta or ():
            if meta[0] is _OUTPUT:
                meta[:] = [ctx, t._version, t._version[0]]
        return t


def _share_version(out, base):
    if isinstance(base, Tensor):
        out._version = base._version


def _is_floating(out, backend):
    kind = getattr(out.dtype, "kind", None)
    if kind is not None:
        return kind in "fc"
    return backend.xp.isdtype(out.dtype, ("real floating", "complex floating"))


def _describe_saved(saved, args, datas, out):
    """For each saved array: the graph position it came from, and its version then.

    Entries are [source, counter, version], source being the leaf Tensor or
    the node (Context) that made the array, or None for constants.  The engine
    checks the versions before backward and, with create_graph, turns each
    entry back into a Tensor connected to the graph."""
    meta = []
    for s in saved:
        if s is out:
            meta.append([_OUTPUT, None, 0])  # filled in by apply once the output exists
            continue
        for a, d in zip(args, datas):
            if d is s and isinstance(a, Tensor):
                meta.append([a if a._node is None else a._node, a._version, a._version[0]])
                break
        else:
            meta.append([None, None, 0])
    return meta
