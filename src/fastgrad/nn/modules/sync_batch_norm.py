"""SyncBatchNorm: batch normalization whose batch statistics cover every process of the default
process group (fastgrad.distributed, over MPI), as torch.nn.SyncBatchNorm.

In one process (or when no process group is initialized, or in evaluation) it is BatchNorm over
(N, C, ...) input.  While training over several ranks, each channel's mean and biased variance
are those of all ranks' batches together:

    mean_c = all_reduce(sum x_c) / M,   var_c = all_reduce(sum (x_c - mean_c)^2) / M

(M the number of values per channel over all ranks).  The sums go through a differentiable
all-reduce (its backward all-reduces the gradient), so each rank's input gradient is the one
of the whole global batch; every rank must run the backward, as with DistributedDataParallel.
"""
import numpy as np

from ...autograd.grad_mode import no_grad
from ...autograd.primitive import Primitive as Function
from .module import Module
from .norm import _BatchNorm


def _several_ranks(process_group):
    """Whether the statistics must be synchronized: a process group of more than one rank."""
    from ... import distributed as dist

    if process_group is not None:
        raise ValueError("SyncBatchNorm: only the default process group is supported; pass process_group=None")
    return dist.is_initialized() and dist.get_world_size() > 1


def _summed_over_ranks(array):
    from ... import distributed as dist

    total = np.array(array, copy=True)
    dist.all_reduce(total)
    return total


class AllReduceSum(Function):
    """y = the sum over ranks of x (every rank gets it); the gradient is the sum over ranks of the
    output gradients, since every rank's output depends on each rank's input."""

    @staticmethod
    def forward(ctx, b, x):
        return b.xp.asarray(_summed_over_ranks(x))

    @staticmethod
    def backward(ctx, b, g):
        return (b.xp.asarray(_summed_over_ranks(g._data if hasattr(g, "_data") else g)),)


class SyncBatchNorm(_BatchNorm):
    """Normalize each channel of (N, C, ...) input over the batch of every process, as
    torch.nn.SyncBatchNorm; in one process, BatchNorm (see BatchNorm2d for the statistics and
    momentum).

    >>> SyncBatchNorm(3)(fastgrad.randn(4, 3, 5)).shape
    (4, 3, 5)
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 process_group=None, device=None, dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)
        self.process_group = process_group

    def _check_input(self, input):
        if input.ndim < 2:
            raise ValueError(f"SyncBatchNorm: expected at least 2-d input (N, C, ...), got shape {tuple(input.shape)}")
        if input.shape[1] != self.num_features:
            raise ValueError(f"SyncBatchNorm: expected input of shape (N, {self.num_features}, ...), got "
                             f"{tuple(input.shape)}")

    def forward(self, input):
        if self.training and _several_ranks(self.process_group):
            self._check_input(input)
            return self._synchronized(input)
        return super().forward(input)

    def _synchronized(self, x):
        axes = (0,) + tuple(range(2, x.ndim))
        shape = (1, -1) + (1,) * (x.ndim - 2)
        count = int(_summed_over_ranks(np.array([x.shape[0] * int(np.prod(x.shape[2:]))], dtype=np.int64))[0])
        if count <= 1:
            raise ValueError(f"SyncBatchNorm: expected more than 1 value per channel over all ranks when training, "
                             f"got input of shape {tuple(x.shape)}")
        mean = AllReduceSum.apply(x.sum(axes)) / count
        centered = x - mean.reshape(shape)
        var = AllReduceSum.apply((centered * centered).sum(axes)) / count
        out = centered / (var.reshape(shape) + self.eps).sqrt()
        if self.weight is not None:
            out = out * self.weight.reshape(shape)
        if self.bias is not None:
            out = out + self.bias.reshape(shape)
        momentum = self._momentum()
        if self.track_running_stats:
            with no_grad():
                for buffer, value in ((self.running_mean, mean), (self.running_var, var * (count / (count - 1)))):
                    moved = (1 - momentum) * buffer._data + momentum * value._data.astype(buffer._data.dtype)
                    buffer._data[...] = moved
                    buffer._version[0] += 1
        return out

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """`module` with every BatchNorm1d/2d/3d in it replaced by a SyncBatchNorm holding the same
        parameters and running statistics (a BatchNorm passed itself is returned converted).

        >>> net = fastgrad.nn.Sequential(fastgrad.nn.Conv2d(3, 4, 3), fastgrad.nn.BatchNorm2d(4))
        >>> type(SyncBatchNorm.convert_sync_batchnorm(net)[1]).__name__
        'SyncBatchNorm'
        """
        converted = module
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
            converted = cls.__new__(cls)
            Module.__init__(converted)
            for key in ("num_features", "eps", "momentum", "affine", "track_running_stats"):
                object.__setattr__(converted, key, getattr(module, key))
            converted.process_group = process_group
            for name, p in module._parameters.items():
                converted.register_parameter(name, p)
            for name, b in module._buffers.items():
                converted.register_buffer(name, b, name not in module._non_persistent_buffers)
            converted.training = module.training
        for name, child in module._modules.items():
            if child is not None:
                converted.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return converted
