"""Data-parallel training over MPI, with PyTorch's `torch.distributed` names.

Run a script on N processes with `mpiexec -n N python train.py`; in it:

    >>> import fastgrad.distributed as dist
    >>> dist.init_process_group(backend="mpi")
    >>> model = fastgrad.nn.parallel.DistributedDataParallel(model)
    >>> dist.all_reduce(array, op=dist.ReduceOp.AVG)

Needs mpi4py and an MPI library (`pip install 'fastgrad[distributed]'`);
importing this module does not, only init_process_group() does.
"""
from ._mpi import is_available
from .collectives import ReduceOp, all_gather, all_reduce, barrier, broadcast, reduce_scatter
from .process_group import (destroy_process_group, get_rank, get_world_size, init_process_group,
                            is_initialized)
from .work import Work

__all__ = ["ReduceOp", "Work", "all_gather", "all_reduce", "barrier", "broadcast", "destroy_process_group",
           "get_rank", "get_world_size", "init_process_group", "is_available", "is_initialized",
           "reduce_scatter"]
