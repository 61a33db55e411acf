"""Products and contractions with NumPy's signatures: dot vdot inner outer
tensordot einsum trace kron cross."""
import string

import numpy as np

from .. import ops
from .reductions import as_tensor_input as _t
from .registry import implements, no_out
from .shapes import moveaxis
from .rearrange import diagonal


@implements(np.dot)
def dot(a, b, out=None):
    """np.dot: inner product of vectors, matrix product, or a sum over the last
    axis of a and the second-to-last of b."""
    no_out("dot", out)
    a, b = _t(a), _t(b)
    if a.ndim == 0 or b.ndim == 0:
        return ops.mul(a, b)
    if b.ndim <= 2:
        return ops.matmul(a, b)
    return ops.tensordot(a, b, ([a.ndim - 1], [b.ndim - 2]))


@implements(np.vdot)
def vdot(a, b, /):
    """Dot product of the flattened arrays (real dtypes)."""
    return ops.sum(ops.mul(ops.reshape(_t(a), (-1,)), ops.reshape(_t(b), (-1,))))


@implements(np.inner)
def inner(a, b, /):
    """Sum of products over the last axes of a and b."""
    a, b = _t(a), _t(b)
    if a.ndim == 0 or b.ndim == 0:
        return ops.mul(a, b)
    return ops.tensordot(a, b, ([a.ndim - 1], [b.ndim - 1]))


@implements(np.outer)
def outer(a, b, out=None):
    """out[i, j] = a.ravel()[i] * b.ravel()[j]."""
    no_out("outer", out)
    return ops.mul(ops.reshape(_t(a), (-1, 1)), ops.reshape(_t(b), (1, -1)))


@implements(np.tensordot)
def tensordot(a, b, axes=2):
    """Sum of products over `axes` (an int: the last axes of a with the first of b)."""
    return ops.tensordot(_t(a), _t(b), axes)


@implements(np.einsum)
def einsum(*operands, out=None, optimize=False, **kwargs):
    """Einstein summation, as np.einsum (string or interleaved sublist form)."""
    no_out("einsum", out)
    if kwargs:
        raise TypeError(f"einsum: the options {sorted(kwargs)} are not supported on Tensors")
    if not isinstance(operands[0], str):
        operands = _from_sublists(operands)
    subscripts, arrays = operands[0], [_t(a) for a in operands[1:]]
    if optimize is not False:
        optimize = "greedy" if optimize is True else optimize
    return ops.einsum(subscripts, *arrays, optimize=optimize)


def _from_sublists(args):
    """einsum(a, [0, 1], b, [1, 2], [0, 2]) -> ('ab,bc->ac', a, b)."""
    def letters(sub):
        return "".join("..." if s is Ellipsis else string.ascii_letters[s] for s in sub)

    args = list(args)
    output = letters(args.pop()) if len(args) % 2 else None
    terms = [letters(s) for s in args[1::2]]
    spec = ",".join(terms) + ("" if output is None else "->" + output)
    return (spec, *args[0::2])


@implements(np.trace)
def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    """Sum along a diagonal."""
    no_out("trace", out)
    d = diagonal(a, offset, axis1, axis2)
    if dtype is not None:
        d = ops.astype(d, dtype)
    return ops.sum(d, axis=-1)


@implements(np.kron)
def kron(a, b):
    """Kronecker product: blocks a[i, j] * b."""
    a, b = _t(a), _t(b)
    nd = max(a.ndim, b.ndim)
    sa = (1,) * (nd - a.ndim) + tuple(a.shape)
    sb = (1,) * (nd - b.ndim) + tuple(b.shape)
    wa, wb = [], []
    for m, n in zip(sa, sb):
        wa += [m, 1]
        wb += [1, n]
    prod = ops.mul(ops.reshape(a, tuple(wa)), ops.reshape(b, tuple(wb)))
    return ops.reshape(prod, tuple(m * n for m, n in zip(sa, sb)))


@implements(np.cross)
def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of 3-vectors (components along axisa / axisb, result along axisc;
    `axis` sets all three)."""
    a, b = _t(a), _t(b)
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = moveaxis(a, axisa, -1), moveaxis(b, axisb, -1)
    if a.shape[-1] != 3 or b.shape[-1] != 3:
        raise ValueError("cross: both operands need 3 components along the chosen axes")
    a0, a1, a2 = (a[..., i] for i in range(3))
    b0, b1, b2 = (b[..., i] for i in range(3))
    out = ops.stack([ops.sub(ops.mul(a1, b2), ops.mul(a2, b1)),
                     ops.sub(ops.mul(a2, b0), ops.mul(a0, b2)),
                     ops.sub(ops.mul(a0, b1), ops.mul(a1, b0))], axis=-1)
    return moveaxis(out, -1, axisc)
