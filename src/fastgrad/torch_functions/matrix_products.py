"""PyTorch's remaining matrix and vector products: vdot, matrix_power, chain_matmul and the
scaled sums addmv, addr and addbmm, with their Tensor methods and in-place forms (addmv_,
addr_, addbmm_, and addmm_ / baddbmm_ for the products fastgrad already had).  All are
differentiable, written with matmul and the elementwise ops.

    addmv(input, mat, vec)     = beta * input + alpha * (mat @ vec)
    addr(input, vec1, vec2)    = beta * input + alpha * outer(vec1, vec2)
    addbmm(input, b1, b2)      = beta * input + alpha * sum_i b1[i] @ b2[i]

As in PyTorch, beta=0 ignores input (NaN in it does not reach the result).

    import fastgrad as torch
    torch.addr(torch.zeros(2, 3), u, v, alpha=2.0)
    torch.matrix_power(A, 3)        # A @ A @ A
"""
from ..ops import methods as _methods
from ..ops.inplace import in_place
from . import tensor_methods
from .tensor_methods import _as_tensor, _scaled_sum

__all__ = ["addbmm", "addmv", "addr", "chain_matmul", "matrix_power", "vdot"]


def _dims(op, **tensors):
    for name, (t, ndim) in tensors.items():
        if t.ndim != ndim:
            raise RuntimeError(f"{op}: argument '{name}' must be {ndim}-D, got {t.ndim}-D of shape {tuple(t.shape)}")


def vdot(input, other):
    """sum(conj(input) * other) of two 1-D tensors of the same length and dtype (the first is
    conjugated, unlike dot).

    >>> vdot(tensor([1j, 2]), tensor([1j, 1]))     # tensor(3.+0.j)
    """
    a, b = _as_tensor(input), _as_tensor(other)
    _dims("vdot", input=(a, 1), other=(b, 1))
    if a.shape != b.shape:
        raise RuntimeError(f"vdot: input of length {a.shape[0]} and other of length {b.shape[0]} differ")
    if a.dtype != b.dtype:
        raise RuntimeError(f"vdot: input and other must have the same dtype, got {a.dtype} and {b.dtype}")
    return ((a.conj() if a.dtype.kind == "c" else a) * b).sum()


def matrix_power(input, n):
    """input multiplied by itself n times (a batch of square matrices): the identity for n = 0,
    the inverse's power for n < 0 (fastgrad.linalg.matrix_power)."""
    from .. import linalg

    return linalg.matrix_power(_as_tensor(input), n)


def chain_matmul(*matrices, out=None):
    """The product of 2-D matrices, left to right in the cheapest order (linalg.multi_dot); one
    matrix is returned as it is."""
    from .. import linalg

    if out is not None:
        raise NotImplementedError("chain_matmul: out= is not supported; use the returned tensor")
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    if not matrices:
        raise RuntimeError("chain_matmul: expects at least one matrix")
    tensors = [_as_tensor(m) for m in matrices]
    for i, m in enumerate(tensors):
        if m.ndim != 2:
            raise RuntimeError(f"chain_matmul: matrix {i} must be 2-D, got {m.ndim}-D")
    return tensors[0] if len(tensors) == 1 else linalg.multi_dot(tensors)


def addmv(input, mat, vec, *, beta=1, alpha=1):
    """beta * input + alpha * (mat @ vec): mat (n, m), vec (m,), input broadcast to (n,)."""
    a, v = _as_tensor(mat), _as_tensor(vec)
    _dims("addmv", mat=(a, 2), vec=(v, 1))
    if a.shape[1] != v.shape[0]:
        raise RuntimeError(f"addmv: mat of shape {tuple(a.shape)} and vec of length {v.shape[0]} do not match")
    return _scaled_sum(input, a @ v, beta, alpha)


def addr(input, vec1, vec2, *, beta=1, alpha=1):
    """beta * input + alpha * outer(vec1, vec2): vec1 (n,), vec2 (m,), input broadcast to (n, m)."""
    u, v = _as_tensor(vec1), _as_tensor(vec2)
    _dims("addr", vec1=(u, 1), vec2=(v, 1))
    return _scaled_sum(input, u.unsqueeze(1) * v.unsqueeze(0), beta, alpha)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """beta * input + alpha * sum over the batch of batch1[i] @ batch2[i]: batch1 (b, n, m),
    batch2 (b, m, p), input broadcast to (n, p)."""
    b1, b2 = _as_tensor(batch1), _as_tensor(batch2)
    _dims("addbmm", batch1=(b1, 3), batch2=(b2, 3))
    if b1.shape[0] != b2.shape[0] or b1.shape[2] != b2.shape[1]:
        raise RuntimeError(f"addbmm: batch1 of shape {tuple(b1.shape)} and batch2 of shape {tuple(b2.shape)} "
                           "do not match")
    return _scaled_sum(input, b1.bmm(b2).sum(0), beta, alpha)


_SCALED = {"addmv": addmv, "addr": addr, "addbmm": addbmm, "addmm": tensor_methods.addmm,
           "baddbmm": tensor_methods.baddbmm}

_methods.bind({"addmv": addmv, "addr": addr, "addbmm": addbmm, "matrix_power": matrix_power, "vdot": vdot})
_methods.bind({f"{name}_": in_place(f"{name}_", function) for name, function in _SCALED.items()})
