"""Collectives on arrays and Tensors, in place: all_reduce, broadcast, all_gather,
reduce_scatter, barrier.

NumPy arrays are sent from and received into their own memory; arrays of other
libraries (CuPy arrays, array-API arrays) are staged through host memory and
the result is copied back onto their device.

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
from .staging import to_host, write_back
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
    x = _Operand("tensor", tensor, writable=True)
    _agree(comm, "all_reduce", x.error or _reduction_error(op, x.host), x.signature())
    finish = _storing(x, op, comm.Get_size())
    if async_op:
        return Work(comm.Iallreduce(mpi().IN_PLACE, x.host, op=_mpi_op(op)), finish)
    comm.Allreduce(mpi().IN_PLACE, x.host, op=_mpi_op(op))
    finish()
    return None


def broadcast(tensor, src, group=None, async_op=False):
    """Copy rank `src`'s tensor into `tensor` on every other rank, in place."""
    comm = _default_group("broadcast", group)
    x = _Operand("tensor", tensor, writable=True)
    error = x.error
    if error is None and (not isinstance(src, (int, np.integer)) or not 0 <= src < comm.Get_size()):
        error = (ValueError, f"src must be a rank in [0, {comm.Get_size()}), got {src!r}")
    _agree(comm, "broadcast", error, x.signature())
    finish = _storing(x, None, comm.Get_size())
    if async_op:
        return Work(comm.Ibcast(x.host, root=int(src)), finish)
    comm.Bcast(x.host, root=int(src))
    finish()
    return None


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """Fill tensor_list[i] with rank i's `tensor` on every rank.

    tensor_list: world-size arrays or Tensors of the shape and dtype of `tensor`."""
    comm = _default_group("all_gather", group)
    world = comm.Get_size()
    x = _Operand("tensor", tensor, writable=False)
    outputs, error = _operand_list("tensor_list", tensor_list, x, world, writable=True)
    _agree(comm, "all_gather", error, x.signature())
    gathered = np.empty((world,) + x.host.shape, dtype=x.host.dtype)

    def finish():
        for out, part in zip(outputs, gathered):
            out.host[...] = part
            out.store()

    if async_op:
        return Work(comm.Iallgather(x.host, gathered), finish)
    comm.Allgather(x.host, gathered)
    finish()
    return None


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """output on rank i = op over ranks of input_list[i].

    input_list: world-size arrays or Tensors of the shape and dtype of `output`."""
    comm = _default_group("reduce_scatter", group)
    world = comm.Get_size()
    x = _Operand("output", output, writable=True)
    inputs, error = _operand_list("input_list", input_list, x, world, writable=False)
    _agree(comm, "reduce_scatter", error or _reduction_error(op, x.host), x.signature())
    send = np.stack([i.host for i in inputs]) if inputs else np.empty((world,) + x.host.shape, x.host.dtype)
    finish = _storing(x, op, world)
    if async_op:
        return Work(comm.Ireduce_scatter_block(send, x.host, op=_mpi_op(op)), finish)
    comm.Reduce_scatter_block(send, x.host, op=_mpi_op(op))
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


class _Operand:
    """One array argument: `host`, the contiguous NumPy array MPI sends and receives, and
    `store()`, which puts a result received into `host` back where the caller sees it.

    `host` is the caller's own array when it is a C-contiguous NumPy array;
    otherwise a copy (a non-contiguous view, or an array of another library such
    as a CuPy array, which is staged through host memory)."""

    def __init__(self, name, x, writable):
        self.tensor = x if isinstance(x, Tensor) else None
        self.original = x._data if self.tensor is not None else x
        self.host, self.error = _host_array(name, self.original, writable)

    def signature(self):
        return (tuple(self.host.shape), self.host.dtype.str)

    def store(self):
        if self.host is not self.original:
            write_back(self.original, self.host)
        if self.tensor is not None:
            # an in-place change: the autograd engine must see it if a graph saved this tensor
            self.tensor._version[0] += 1


def _host_array(name, array, writable):
    """(contiguous NumPy array to communicate, error or None)."""
    if isinstance(array, np.ndarray):
        host = array if array.flags.c_contiguous else np.ascontiguousarray(array)
        if writable and not array.flags.writeable:
            return host, (ValueError, f"{name} is read-only, but the result is written into it in place")
    elif hasattr(array, "shape") and hasattr(array, "dtype") and not isinstance(array, np.generic):
        try:
            host = to_host(array)
        except (TypeError, ValueError, RuntimeError) as e:
            return np.empty(0), (TypeError, f"{name}: cannot copy a {_kind(array)} to host memory ({e})")
    else:
        return np.empty(0), (TypeError, f"{name} must be an array or a Tensor holding one, got {_kind(array)}")
    if host.dtype not in _TRANSFERABLE:
        return host, (TypeError, f"{name} has dtype {host.dtype}, which MPI cannot carry")
    return host, None


def _kind(x):
    return type(x).__module__ + "." + type(x).__name__


def _operand_list(name, items, like, world, writable):
    """[_Operand] for a list of world-size arrays shaped like the operand `like`; (list, error)."""
    if like.error is not None:
        return [], like.error
    if not isinstance(items, (list, tuple)) or len(items) != world:
        got = len(items) if isinstance(items, (list, tuple)) else type(items).__name__
        return [], (TypeError, f"{name} must be a list of {world} arrays (one per rank), got {got}")
    operands = []
    for i, item in enumerate(items):
        x = _Operand(f"{name}[{i}]", item, writable)
        if x.error is not None:
            return [], x.error
        if x.signature() != like.signature():
            return [], (ValueError, f"{name}[{i}] has shape {x.host.shape} and dtype {x.host.dtype}; "
                                    f"expected shape {like.host.shape} and dtype {like.host.dtype}")
        operands.append(x)
    return operands, None


def _reduction_error(reduce_op, array):
    if not isinstance(reduce_op, ReduceOp):
        return TypeError, f"op must be a ReduceOp (SUM, AVG, PRODUCT, MAX, MIN), got {reduce_op!r}"
    if array.dtype == np.bool_:
        return TypeError, "cannot reduce bool arrays; cast them to an integer dtype first"
    if reduce_op is ReduceOp.AVG and array.dtype.kind not in "fc":
        return TypeError, f"ReduceOp.AVG needs a floating dtype, got {array.dtype}"
    if reduce_op in (ReduceOp.MAX, ReduceOp.MIN) and array.dtype.kind == "c":
        return TypeError, f"ReduceOp.{reduce_op.name} is not defined for complex dtype {array.dtype}"
    return None


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


def _storing(x, op, world):
    """What to do once the result is in x.host: average (AVG), then store it."""

    def finish():
        if op is ReduceOp.AVG:
            np.divide(x.host, world, out=x.host)
        x.store()

    return finish


def _mpi_op(op):
    MPI = mpi()
    return {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD,
            ReduceOp.MAX: MPI.MAX, ReduceOp.MIN: MPI.MIN}[op]
