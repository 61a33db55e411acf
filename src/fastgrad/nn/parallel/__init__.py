"""Parallel wrappers of modules: data parallelism over MPI processes."""
from .distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
