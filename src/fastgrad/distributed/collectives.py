"""Collectives on NumPy arrays and Tensors, in place: all_reduce, broadcast, all_gather,
reduce_scatter, barrier.

Every call first exchanges each rank's argument shapes and dtypes (a few bytes)
and raises the same clear error on every rank when they differ or when any
rank's arguments are wrong, so a mistake never turns into a hang or garbage.
With async_op=True a call returns a `Work` handle whose `wait()` finishes it.

    >>> g = np.full(3, float(dist.get_rank()))
    >>> dist.all_reduce(g, op=dist.ReduceOp.SUM)     # on 2 ranks: g == [1, 1, 1]
"""
import enum

import numpy as np

from ..autograd.tensor import Tensor
from ._mpi import mpi
from .process_group import communicator
from .work import Work

_TRANSFERABLE = frozenset(np.dtype(c) for c in
                          ("float32", "float64", "complex64", "complex128", "int8", "int16", "int32",
                           "int64", "uint8", "uint16", "uint32", "uint64", "bool"))


class ReduceOp(enum.Enum):
    """How all_reduce and reduce_scatter combine the ranks' values (AVG: the sum / world size)."""

    SUM = "sum"
    AVG = "avg"
    PRODUCT = "product"
    MAX = "max"
    MIN = "min"


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Replace `tensor` on every rank by op(tensor of rank 0, ..., tensor of rank N-1), in place."""
    comm = _default_group("all_reduce", group)
    target, array, error = _argument("all_reduce", "tensor", tensor, writable=True)
    error = error or _reduction_error("all_reduce", op, array)
    _agree(comm, "all_reduce", error, _signature(array))
    buf = _contiguous(array)
    finish = _finisher(target, array, buf, op, comm.Get_size())
    if async_op:
        return Work(comm.Iallreduce(mpi().IN_PLACE, buf, op=_mpi_op(op)), finish)
    comm.Allreduce(mpi().IN_PLACE, buf, op=_mpi_op(op))
    finish()
    return None


def broadcast(tensor, src, group=None, async_op=False):
    """Copy rank `src`'s tensor into `tensor` on every other rank, in place."""
    comm = _default_group("broadcast", group)
    target, array, error = _argument("broadcast", "tensor", tensor, writable=True)
    if error is None and (not isinstance(src, (int, np.integer)) or not 0 <= src < comm.Get_size()):
        error = (ValueError, f"src must be a rank in [0, {comm.Get_size()}), got {src!r}")
    _agree(comm, "broadcast", error, _signature(array))
    buf = _contiguous(array)
    finish = _finisher(target, array, buf, None, comm.Get_size())
    if async_op:
        return Work(comm.Ibcast(buf, root=int(src)), finish)
    comm.Bcast(buf, root=int(src))
    finish()
    return None


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """Fill tensor_list[i] with rank i's `tensor` on every rank.

    tensor_list: world-size arrays or Tensors of the shape and dtype of `tensor`."""
    comm = _default_group("all_gather", group)
    world = comm.Get_size()
    _, array, error = _argument("all_gather", "tensor", tensor, writable=False)
    outputs, error = _output_list("all_gather", "tensor_list", tensor_list, array, world, error)
    _agree(comm, "all_gather", error, _signature(array))
    gathered = np.empty((world,) + array.shape, dtype=array.dtype)
    send = np.ascontiguousarray(array)

    def finish():
        for (out_tensor, out_array), part in zip(outputs, gathered):
            out_array[...] = part
            _bump_version(out_tensor)

    if async_op:
        return Work(comm.Iallgather(send, gathered), finish)
    comm.Allgather(send, gathered)
    finish()
    return None


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """output on rank i = op over ranks of input_list[i].

    input_list: world-size arrays or Tensors of the shape and dtype of `output`."""
    comm = _default_group("reduce_scatter", group)
    world = comm.Get_size()
    target, array, error = _argument("reduce_scatter", "output", output, writable=True)
    inputs, error = _output_list("reduce_scatter", "input_list", input_list, array, world, error)
    error = error or _reduction_error("reduce_scatter", op, array)
    _agree(comm, "reduce_scatter", error, _signature(array))
    send = np.stack([a for _, a in inputs]) if inputs else np.empty((world,) + array.shape, array.dtype)
    buf = _contiguous(array)
    finish = _finisher(target, array, buf, op, world)
    if async_op:
        return Work(comm.Ireduce_scatter_block(send, buf, op=_mpi_op(op)), finish)
    comm.Reduce_scatter_block(send, buf, op=_mpi_op(op))
    finish()
    return None


def barrier(group=None, async_op=False):
    """Wait until every rank has reached this call."""
    comm = _default_group("barrier", group)
    if async_op:
        return Work(comm.Ibarrier())
    comm.Barrier()
    return None


# ---- checks -----------------------------------------------------------------


def _default_group(op, group):
    if group is not None:
        raise ValueError(f"{op}: only the default group is supported; pass group=None")
    return communicator(op)


def _argument(op, name, x, writable):
    """(Tensor or None, its NumPy array, error text or None) for a collective's argument."""
    target = x if isinstance(x, Tensor) else None
    array = x.data if target is not None else x
    if not isinstance(array, np.ndarray):
        kind = type(array).__module__ + "." + type(array).__name__
        return target, np.empty(0), (TypeError, f"{name} must be a NumPy array or a Tensor holding one, got {kind}")
    if array.dtype not in _TRANSFERABLE:
        return target, array, (TypeError, f"{name} has dtype {array.dtype}, which MPI cannot carry")
    if writable and not array.flags.writeable:
        return target, array, (ValueError, f"{name} is read-only, but the result is written into it in place")
    return target, array, None


def _output_list(op, name, items, like, world, error):
    """[(Tensor or None, array)] for a list of world-size arrays shaped like `like`."""
    if error is not None:
        return [], error
    if not isinstance(items, (list, tuple)) or len(items) != world:
        got = len(items) if isinstance(items, (list, tuple)) else type(items).__name__
        return [], (TypeError, f"{name} must be a list of {world} arrays (one per rank), got {got}")
    pairs = []
    for i, item in enumerate(items):
        target, array, error = _argument(op, f"{name}[{i}]", item, writable=op == "all_gather")
        if error is not None:
            return [], error
        if array.shape != like.shape or array.dtype != like.dtype:
            return [], (ValueError, f"{name}[{i}] has shape {array.shape} and dtype {array.dtype}; "
                                    f"expected shape {like.shape} and dtype {like.dtype}")
        pairs.append((target, array))
    return pairs, None


def _reduction_error(op, reduce_op, array):
    if not isinstance(reduce_op, ReduceOp):
        return TypeError, f"op must be a ReduceOp (SUM, AVG, PRODUCT, MAX, MIN), got {reduce_op!r}"
    if array.dtype == np.bool_:
        return TypeError, "cannot reduce bool arrays; cast them to an integer dtype first"
    if reduce_op is ReduceOp.AVG and array.dtype.kind not in "fc":
        return TypeError, f"ReduceOp.AVG needs a floating dtype, got {array.dtype}"
    if reduce_op in (ReduceOp.MAX, ReduceOp.MIN) and array.dtype.kind == "c":
        return TypeError, f"ReduceOp.{reduce_op.name} is not defined for complex dtype {array.dtype}"
    return None


def _signature(array):
    return (tuple(array.shape), array.dtype.str)


def _agree(comm, op, error, signature):
    """Exchange every rank's error and (shape, dtype); raise on all ranks if any is wrong."""
    everyone = comm.allgather((error, signature))
    for rank, (rank_error, _) in enumerate(everyone):
        if rank_error is not None:
            kind, message = rank_error
            raise kind(f"{op}: {message} (on rank {rank})")
    signatures = [s for _, s in everyone]
    if any(s != signatures[0] for s in signatures):
        described = ", ".join(f"rank {r} has shape {shape} dtype {np.dtype(dtype)}"
                              for r, (shape, dtype) in enumerate(signatures))
        raise ValueError(f"{op}: the arrays differ across ranks ({described}); every rank must pass "
                         "the same shape and dtype")


# ---- moving results into place ------------------------------------------------


def _contiguous(array):
    return array if array.flags.c_contiguous else np.ascontiguousarray(array)


def _finisher(target, array, buf, op, world):
    """What to do once the data has arrived: average, copy back a non-contiguous array, count a version."""

    def finish():
        if op is ReduceOp.AVG:
            np.divide(buf, world, out=buf)
        if buf is not array:
            array[...] = buf
        _bump_version(target)

    return finish


def _bump_version(target):
    # an in-place change: the autograd engine must see it if a graph saved this tensor
    if target is not None:
        target._version[0] += 1


def _mpi_op(op):
    MPI = mpi()
    return {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD,
            ReduceOp.MAX: MPI.MAX, ReduceOp.MIN: MPI.MIN}[op]
