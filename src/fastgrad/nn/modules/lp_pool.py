"""LPPool1d, LPPool2d and LPPool3d: power-average pooling (F.lp_pool1d, F.lp_pool2d, F.lp_pool3d) as layers."""
from .. import functional as F
from .module import Module


class _LPPoolNd(Module):
    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        super().__init__()
        self.norm_type, self.kernel_size, self.stride, self.ceil_mode = norm_type, kernel_size, stride, ceil_mode

    def extra_repr(self):
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPoolNd):
    """(sum over each window of x^p)^(1/p) along the last axis.

    >>> LPPool1d(2, 3)(fastgrad.ones(1, 2, 9)).shape
    (1, 2, 3)
    """

    def forward(self, input):
        return F.lp_pool1d(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)


class LPPool2d(_LPPoolNd):
    """(sum over each (kH, kW) window of x^p)^(1/p) over the last two axes."""

    def forward(self, input):
        return F.lp_pool2d(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)


class LPPool3d(_LPPoolNd):
    """(sum over each (kD, kH, kW) window of x^p)^(1/p) over the last three axes.

    >>> LPPool3d(2, 2)(fastgrad.ones(1, 2, 4, 4, 4)).shape
    (1, 2, 2, 2, 2)
    """

    def forward(self, input):
        return F.lp_pool3d(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)
