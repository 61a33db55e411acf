"""share_memory_ / is_shared: a tensor's data in memory that processes forked after the call
share, as PyTorch's Tensor.share_memory_ (Hogwild training: child processes update one model).

The data moves into an anonymous shared mapping (mmap(-1, n) is MAP_SHARED): a process forked
afterwards (multiprocessing's 'fork' start method, Linux's default) writes the same memory.  Such a
tensor cannot be pickled (what 'spawn' and 'forkserver' do to a child's arguments, and what
Queues do): the child would get a private copy and the updates would be lost silently, so
pickling refuses it by name.
"""
import mmap

import numpy as np


def _mapping_of(data):
    """The mmap under an array (through its views and np.frombuffer's memoryview), or None."""
    base = data
    while isinstance(base, (np.ndarray, memoryview)):
        base = base.base if isinstance(base, np.ndarray) else base.obj
    return base if isinstance(base, mmap.mmap) else None


def is_shared(self):
    """True when the tensor's data is in shared memory (after share_memory_())."""
    return isinstance(self._data, np.ndarray) and _mapping_of(self._data) is not None


def share_memory_(self):
    """Move the data into shared memory (in place: the tensor keeps its identity); returns self."""
    data = self._data
    if not isinstance(data, np.ndarray):
        raise TypeError(f"share_memory_: the tensor holds a {type(data).__module__} array; only host (NumPy) data "
                        "can be shared between processes")
    if is_shared(self):
        return self
    mapping = mmap.mmap(-1, max(data.nbytes, 1))
    shared = np.frombuffer(mapping, dtype=data.dtype, count=data.size).reshape(data.shape)
    shared[...] = data
    self._data = shared
    return self


def refuse_pickling_if_shared(self, protocol):
    """Tensor.__reduce_ex__: a shared tensor reaches other processes by fork only."""
    if is_shared(self):
        raise TypeError("pickling a tensor in shared memory (share_memory_()) would give the other process a "
                        "private copy; shared tensors reach child processes by fork (start method 'fork')")
    return object.__reduce_ex__(self, protocol)
