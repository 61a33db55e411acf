"""The process group: which MPI processes train together, this one's rank, and failure handling.

    >>> import fastgrad.distributed as dist
    >>> dist.init_process_group(backend="mpi")     # rank and world size come from mpiexec
    >>> dist.get_rank(), dist.get_world_size()
    (0, 2)
"""
import sys
import traceback

from ._mpi import mpi

_STATE = {"comm": None, "excepthook": None}


def init_process_group(backend="mpi", *, abort_on_error=True):
    """Join the job started by `mpiexec -n N`: rank and world size come from MPI.

    backend: only "mpi".  With abort_on_error (the default), an exception that
    nothing catches on any rank prints the rank and the error and aborts the
    whole job (MPI_Abort), so the other ranks never wait for it forever."""
    if backend != "mpi":
        raise ValueError(f"init_process_group: backend must be 'mpi', got {backend!r}")
    if _STATE["comm"] is not None:
        raise RuntimeError("init_process_group: the default process group is already initialized")
    MPI = mpi()
    _STATE["comm"] = MPI.COMM_WORLD.Dup()
    if abort_on_error:
        _STATE["excepthook"] = sys.excepthook
        sys.excepthook = _abort_job


def is_initialized():
    """True between init_process_group() and destroy_process_group()."""
    return _STATE["comm"] is not None


def get_rank():
    """This process's rank, 0 .. world size - 1."""
    return communicator("get_rank").Get_rank()


def get_world_size():
    """The number of processes in the job."""
    return communicator("get_world_size").Get_size()


def destroy_process_group():
    """Leave the process group (MPI itself is finalized when the process exits)."""
    comm = communicator("destroy_process_group")
    _STATE["comm"] = None
    if _STATE["excepthook"] is not None:
        sys.excepthook = _STATE["excepthook"]
        _STATE["excepthook"] = None
    comm.Free()


def communicator(op):
    """The MPI communicator of the default group; a clear error before init_process_group()."""
    comm = _STATE["comm"]
    if comm is None:
        raise RuntimeError(f"{op}: the default process group is not initialized; "
                           "call fastgrad.distributed.init_process_group(backend='mpi') first")
    return comm


def _abort_job(kind, value, tb):
    comm = _STATE["comm"]
    rank = comm.Get_rank() if comm is not None else "?"
    text = "".join(traceback.format_exception(kind, value, tb))
    sys.stderr.write(f"fastgrad.distributed: rank {rank} failed with an uncaught exception; aborting "
                     f"the job:\n{text}")
    sys.stderr.write(f"fastgrad.distributed: rank {rank}: {kind.__name__}: {value}\n")
    sys.stderr.flush()
    sys.stdout.flush()
    mpi().COMM_WORLD.Abort(1)
