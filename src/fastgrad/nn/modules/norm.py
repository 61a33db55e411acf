"""BatchNorm1d, BatchNorm2d, BatchNorm3d, GroupNorm, InstanceNorm1d, InstanceNorm2d and InstanceNorm3d with
PyTorch's arguments, parameters and buffers (forward: fastgrad.ops.norm, fused C kernels)."""
import warnings

import numpy as np

from ...autograd.tensor import Tensor
from ...dtypes import get_default_dtype
from ...ops import norm as N
from ..parameter import Parameter
from .module import Module


def register_affine(module, shape, dtype, affine, bias=True):
    """A norm layer's learnable scale `weight` (ones) and shift `bias` (zeros) of `shape`;
    registered as None when the layer is not affine (bias alone when bias=False)."""
    module.register_parameter("weight", Parameter(np.ones(shape, dtype=dtype)) if affine else None)
    module.register_parameter("bias", Parameter(np.zeros(shape, dtype=dtype)) if affine and bias else None)


class _NormBase(Module):
    """Affine parameters (weight 1, bias 0) and the running statistics buffers."""

    _axes = "H, W"   # the spatial axes of the (N, C, ...) input the layer takes

    def __init__(self, num_features, eps, momentum, affine, track_running_stats, dtype, device, bias=True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        dtype = np.dtype(dtype) if dtype is not None else get_default_dtype()
        register_affine(self, num_features, dtype, affine, bias)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(num_features, dtype=dtype)))
            self.register_buffer("running_var", Tensor(np.ones(num_features, dtype=dtype)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self._place_on(device)

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean._data[...] = 0
            self.running_var._data[...] = 1
            self.num_batches_tracked._data[...] = 0

    def _check_input(self, input):
        if input.ndim != 2 + len(self._axes.split(",")) or input.shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}: expected input of shape (N, {self.num_features}, "
                             f"{self._axes}), got {tuple(input.shape)}")

    def _momentum(self):
        """The running statistics' update factor this step (a cumulative average for momentum None)."""
        if self.training and self.track_running_stats:
            self.num_batches_tracked._data[...] += 1
            if self.momentum is None:
                return 1.0 / float(self.num_batches_tracked._data)
        return 0.0 if self.momentum is None else self.momentum

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None,
                 dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, dtype, device, bias)

    def forward(self, input):
        self._check_input(input)
        momentum = self._momentum()
        use_batch = self.training or not self.track_running_stats
        track = self.training and self.track_running_stats
        return N.batch_norm(input, self.running_mean if track or not use_batch else None,
                            self.running_var if track or not use_batch else None, self.weight, self.bias,
                            training=use_batch, momentum=momentum, eps=self.eps)


class BatchNorm1d(_BatchNorm):
    """Normalize each channel of (N, C) or (N, C, L) input over the batch (and length), as
    torch.nn.BatchNorm1d; see BatchNorm2d.

    >>> BatchNorm1d(16)(fastgrad.randn(8, 16)).shape
    (8, 16)
    """

    def _check_input(self, input):
        if input.ndim not in (2, 3) or input.shape[1] != self.num_features:
            raise ValueError(f"BatchNorm1d: expected input of shape (N, {self.num_features}) or "
                             f"(N, {self.num_features}, L), got {tuple(input.shape)}")


class BatchNorm2d(_BatchNorm):
    """Normalize each channel of (N, C, H, W) input over N, H and W, as torch.nn.BatchNorm2d.

    Training: the batch mean and biased variance normalize; running_mean and
    running_var (unbiased) move by `momentum` (a cumulative average when None).
    Evaluation: the running statistics normalize (the batch's, when
    track_running_stats=False).  y = (x - mean) / sqrt(var + eps) * weight + bias.

    >>> BatchNorm2d(16)(fastgrad.randn(8, 16, 5, 5)).shape
    (8, 16, 5, 5)
    """


class InstanceNorm2d(_NormBase):
    """Normalize each channel of each sample of (N, C, H, W) or (C, H, W) input over H and W, as
    torch.nn.InstanceNorm2d (affine=False and no running statistics by default).

    >>> InstanceNorm2d(3)(fastgrad.randn(2, 3, 4, 4)).shape
    (2, 3, 4, 4)
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False, device=None,
                 dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, dtype, device, bias)

    def _check_input(self, input):
        if (input.ndim == 2 + len(self._axes.split(",")) and input.shape[1] != self.num_features
                and not self.affine and not self.track_running_stats):
            # PyTorch's: num_features is not used then, so a mismatch is only warned about
            warnings.warn(f"{type(self).__name__}: the input's size at dim=1 ({input.shape[1]}) does not match "
                          f"num_features ({self.num_features}); num_features is not used because affine=False "
                          "and track_running_stats=False", UserWarning, stacklevel=3)
            return
        super()._check_input(input)

    def forward(self, input):
        unbatched = input.ndim == 1 + len(self._axes.split(","))
        if unbatched:
            input = input.unsqueeze(0)
        self._check_input(input)
        use_input_stats = self.training or not self.track_running_stats
        momentum = self.momentum if self.momentum is not None else 0.0  # PyTorch's: no batch counter here
        out = N.instance_norm(input, self.running_mean, self.running_var, self.weight, self.bias,
                              use_input_stats=use_input_stats, momentum=momentum, eps=self.eps)
        return out.squeeze(0) if unbatched else out


class BatchNorm3d(_BatchNorm):
    """Normalize each channel of (N, C, D, H, W) input over N, D, H and W, as
    torch.nn.BatchNorm3d (statistics, momentum and evaluation as BatchNorm2d).

    >>> BatchNorm3d(4)(fastgrad.randn(2, 4, 3, 5, 5)).shape
    (2, 4, 3, 5, 5)
    """

    _axes = "D, H, W"


class InstanceNorm3d(InstanceNorm2d):
    """Normalize each channel of each sample of (N, C, D, H, W) or (C, D, H, W) input over D, H
    and W, as torch.nn.InstanceNorm3d (affine=False and no running statistics by default).

    >>> InstanceNorm3d(3)(fastgrad.randn(2, 3, 4, 4, 4)).shape
    (2, 3, 4, 4, 4)
    """

    _axes = "D, H, W"


class InstanceNorm1d(InstanceNorm2d):
    """Normalize each channel of each sample of (N, C, L) or (C, L) input over L, as
    torch.nn.InstanceNorm1d (affine=False and no running statistics by default).

    >>> InstanceNorm1d(3)(fastgrad.randn(2, 3, 8)).shape
    (2, 3, 8)
    """

    _axes = "L"


class GroupNorm(Module):
    """Normalize each sample's num_groups groups of channels of (N, C, ...) input, as
    torch.nn.GroupNorm; weight (1) and bias (0) per channel when affine.

    >>> GroupNorm(2, 6)(fastgrad.randn(4, 6, 3, 3)).shape
    (4, 6, 3, 3)
    """

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        if num_groups < 1 or num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by num_groups "
                             f"({num_groups})")
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        dtype = np.dtype(dtype) if dtype is not None else get_default_dtype()
        register_affine(self, num_channels, dtype, affine, bias)
        self._place_on(device)

    def forward(self, input):
        return N.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, bias={self.bias is not None}"
