"""DistributedDataParallel: one model replica per MPI process, gradients averaged during backward."""
import contextlib
import itertools

import numpy as np

from ...autograd.grad_mode import is_grad_enabled
from ...distributed.collectives import broadcast
from ...distributed.process_group import communicator
from ..modules.module import Module
from ._reducer import Reducer


class DistributedDataParallel(Module):
    """Data parallelism: each rank runs `module` on its share of the batch; backward averages the gradients.

    At wrap time rank 0's parameters and buffers are copied to every rank.
    During backward, gradients are packed into buckets of about `bucket_cap_mb`
    megabytes, and each full bucket is all-reduced (non-blocking MPI) while the
    rest of backward runs; when backward returns, every rank's `.grad` holds
    the average over ranks, so any optimizer then makes the same step on every
    rank.  For a loss that is a mean over the batch, training on N ranks with
    batch B each equals training one process on batch N*B.

    find_unused_parameters: set it when some parameters may get no gradient in
    a forward (they are found from the forward's graph and contribute zeros).
    broadcast_buffers: copy rank 0's buffers to all ranks before each forward.
    `no_sync()` skips the averaging, for gradient accumulation.

    >>> dist.init_process_group(backend="mpi")
    >>> model = DistributedDataParallel(nn.Sequential(nn.Linear(10, 10), nn.ReLU(), nn.Linear(10, 1)))
    >>> loss = F.mse_loss(model(x_shard), y_shard)
    >>> loss.backward()            # .grad now holds the average over ranks
    >>> optimizer.step()
    """

    def __init__(self, module, *, bucket_cap_mb=25, find_unused_parameters=False, broadcast_buffers=True):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: module must be a Module, got {type(module).__name__}")
        if not bucket_cap_mb > 0:
            raise ValueError(f"DistributedDataParallel: bucket_cap_mb must be > 0, got {bucket_cap_mb!r}")
        self.module = module
        self.find_unused_parameters = bool(find_unused_parameters)
        self.broadcast_buffers = bool(broadcast_buffers)
        self.require_backward_grad_sync = True
        named = [(name, p) for name, p in module.named_parameters() if p.requires_grad]
        for name, p in named:
            if not isinstance(p._data, np.ndarray):
                raise TypeError(f"DistributedDataParallel: parameter {name} holds a {type(p._data).__module__} "
                                "array; gradients are averaged for NumPy parameters only (move the model to "
                                "the CPU with module.to('cpu'))")
        comm = communicator("DistributedDataParallel")
        _check_same_model(comm, module)
        for t in list(module.parameters()) + list(module.buffers()):
            broadcast(t, src=0)
        object.__setattr__(self, "_reducer", Reducer([p for _, p in named], [name for name, _ in named], comm,
                                                     bucket_cap_mb * 1024 * 1024, self.find_unused_parameters))

    def forward(self, *args, **kwargs):
        if self.broadcast_buffers:
            for b in self.module.buffers():
                broadcast(b, src=0)
        out = self.module(*args, **kwargs)
        if is_grad_enabled() and self.require_backward_grad_sync:
            self._reducer.prepare(out)
        else:
            self._reducer.disarm()
        return out

    @contextlib.contextmanager
    def no_sync(self):
        """Inside this block backward accumulates gradients locally, without averaging.

        The first backward after the block averages the accumulated sum:

        >>> with model.no_sync():
        ...     F.mse_loss(model(x1), y1).backward()
        >>> F.mse_loss(model(x2), y2).backward()   # averages the gradients of both batches
        """
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous


def _check_same_model(comm, module):
    """Every rank must wrap the same architecture: names, shapes and dtypes of parameters and buffers."""
    mine = [(name, tuple(t.shape), str(t.dtype)) for name, t in
            list(module.named_parameters()) + list(module.named_buffers())]
    everyone = comm.allgather(mine)
    for rank, theirs in enumerate(everyone):
        if theirs != everyone[0]:
            ours, other = next((a, b) for a, b in itertools.zip_longest(everyone[0], theirs) if a != b)
            raise ValueError(f"DistributedDataParallel: the model differs between rank 0 and rank {rank}: "
                             f"rank 0 has {_describe(ours)}, rank {rank} has {_describe(other)}")


def _describe(entry):
    if entry is None:
        return "nothing there"
    name, shape, dtype = entry
    return f"{name} of shape {shape} and dtype {dtype}"
