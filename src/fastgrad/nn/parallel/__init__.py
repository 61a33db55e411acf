"""Parallel wrappers of modules: data parallelism over MPI processes (and DataParallel, one device)."""
from .data_parallel import DataParallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel"]
