"""Indexing: x[idx] (basic and advanced) and the out-of-place put behind x[idx] = v."""
import numpy as np

from ..autograd.primitive import Primitive as Function, _ScratchContext
from ..autograd.tensor import Tensor
from ..backend import same_device
from .broadcast import shape_of, unbroadcast


def plain_index(idx):
    """Replace Tensors inside an index by their arrays."""
    if isinstance(idx, Tensor):
        return idx._data
    if type(idx) is tuple:
        return tuple(i._data if isinstance(i, Tensor) else i for i in idx)
    return idx


def is_basic(idx):
    """True when idx is only ints, slices, None and Ellipsis (NumPy returns a view)."""
    parts = idx if type(idx) is tuple else (idx,)
    for i in parts:
        if not (i is None or i is Ellipsis or isinstance(i, (int, slice, np.integer))) or isinstance(i, bool):
            return False
    return True


class BasicIndex(Function):
    view_of = 0

    @staticmethod
    def forward(ctx, b, x, idx):
        ctx.in_shape = x.shape
        ctx.idx = idx
        return x[idx]

    @staticmethod
    def backward(ctx, b, g):
        return scatter_add(b, g, ctx.in_shape, ctx.idx)


class AdvancedIndex(BasicIndex):
    """x[idx] with array or boolean indices: a copy, not a view.  The backward
    is the same scatter, where repeated indices add up."""

    view_of = None


class ScatterAdd(Function):
    """zeros(shape) with `values` added at `idx`: the gradient of indexing."""

    @staticmethod
    def forward(ctx, b, values, shape, idx):
        ctx.idx = idx
        out = b.xp.zeros(shape, dtype=values.dtype, **same_device(values))
        if is_basic(idx):
            out[idx] = values
        elif isinstance(out, np.ndarray):
            np.add.at(out, idx, values)
        else:
            _scatter_add_generic(b, out, idx, values)
        return out

    @staticmethod
    def backward(ctx, b, g):
        return g[ctx.idx]


def _scatter_add_generic(b, out, idx, values):
    add_at = getattr(getattr(b.xp, "add", None), "at", None)
    if add_at is not None:
        add_at(out, idx, values)
        return
    if b.name == "cupy":
        import cupyx

        cupyx.scatter_add(out, idx, values)
        return
    raise TypeError(f"indexing: the {b.name} backend has no scatter-add for advanced indices")


def scatter_add(b, g, shape, idx):
    """ScatterAdd on arrays, or as a recorded op when g is a Tensor (create_graph)."""
    if isinstance(g, Tensor):
        return ScatterAdd.apply(g, shape, idx)
    return ScatterAdd.forward(_ScratchContext(), b, g, shape, idx)


class IndexPut(Function):
    """A copy of x with v written at idx; the op behind `x[idx] = v`."""

    @staticmethod
    def forward(ctx, b, x, v, idx):
        ctx.idx = idx
        ctx.v_shape = shape_of(v)
        out = x.copy()
        out[idx] = v
        return out

    @staticmethod
    def backward(ctx, b, g):
        nx, nv = ctx.needs_input_grad[:2]
        gx = gv = None
        if nx:
            gx = IndexPut.apply(g, 0.0, ctx.idx) if isinstance(g, Tensor) else _zero_at(g, ctx.idx)
        if nv:
            gv = unbroadcast(b.xp, g[ctx.idx], ctx.v_shape)
        return gx, gv


def _zero_at(g, idx):
    out = g.copy()
    out[idx] = 0
    return out


def getitem(x, idx):
    """x[idx]: basic indices give a view, advanced ones a copy."""
    idx = plain_index(idx)
    if is_basic(idx):
        return BasicIndex.apply(x, idx)
    return AdvancedIndex.apply(x, idx)
