"""Pooling layers with PyTorch's names and arguments (forward: fastgrad.ops.pool)."""
from ...ops import pool as P
from ...ops import pool3d as P3
from .module import Module


class _MaxPoolNd(Module):
    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """Maximum over sliding windows of the last axis of (N, C, L) or (C, L) input (F.max_pool1d)."""

    def forward(self, input):
        return P.max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                            self.return_indices)


class MaxPool2d(_MaxPoolNd):
    """Maximum over sliding (kH, kW) windows of (N, C, H, W) or (C, H, W) input (F.max_pool2d).

    >>> MaxPool2d(2)(fastgrad.randn(1, 3, 8, 8)).shape
    (1, 3, 4, 4)
    """

    def forward(self, input):
        return P.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                            self.return_indices)


class AvgPool1d(Module):
    """Mean over sliding windows of the last axis (F.avg_pool1d)."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode, self.count_include_pad = padding, ceil_mode, count_include_pad

    def forward(self, input):
        return P.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(Module):
    """Mean over sliding (kH, kW) windows (F.avg_pool2d).

    >>> AvgPool2d(2)(fastgrad.randn(1, 3, 8, 8)).shape
    (1, 3, 4, 4)
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode, self.count_include_pad = padding, ceil_mode, count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):
        return P.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AdaptivePoolNd(Module):
    """What the adaptive pools share: the output size whose windows split the input."""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(_AdaptivePoolNd):
    """Mean over the windows that split (H, W) into output_size (F.adaptive_avg_pool2d).

    >>> AdaptiveAvgPool2d((1, 1))(fastgrad.randn(2, 8, 5, 7)).shape
    (2, 8, 1, 1)
    """

    def forward(self, input):
        return P.adaptive_avg_pool2d(input, self.output_size)


class AdaptiveMaxPool2d(_AdaptivePoolNd):
    """Maximum over the windows that split (H, W) into output_size (F.adaptive_max_pool2d)."""

    def __init__(self, output_size, return_indices=False):
        super().__init__(output_size)
        self.return_indices = return_indices

    def forward(self, input):
        return P.adaptive_max_pool2d(input, self.output_size, self.return_indices)


class AdaptiveAvgPool1d(AdaptiveAvgPool2d):
    """Mean over the windows that split the last axis into output_size (F.adaptive_avg_pool1d).

    >>> AdaptiveAvgPool1d(4)(fastgrad.randn(2, 8, 10)).shape
    (2, 8, 4)
    """

    def forward(self, input):
        return P.adaptive_avg_pool1d(input, self.output_size)


class AdaptiveMaxPool1d(AdaptiveMaxPool2d):
    """Maximum over the windows that split the last axis into output_size (F.adaptive_max_pool1d)."""

    def forward(self, input):
        return P.adaptive_max_pool1d(input, self.output_size, self.return_indices)


class MaxPool3d(_MaxPoolNd):
    """Maximum over sliding (kD, kH, kW) windows of (N, C, D, H, W) or (C, D, H, W) input (F.max_pool3d).

    >>> MaxPool3d(2)(fastgrad.randn(1, 3, 8, 8, 8)).shape
    (1, 3, 4, 4, 4)
    """

    def forward(self, input):
        return P3.max_pool3d(input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                             self.return_indices)


class AvgPool3d(AvgPool2d):
    """Mean over sliding (kD, kH, kW) windows (F.avg_pool3d).

    >>> AvgPool3d(2)(fastgrad.randn(1, 3, 8, 8, 8)).shape
    (1, 3, 4, 4, 4)
    """

    def forward(self, input):
        return P3.avg_pool3d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                             self.count_include_pad, self.divisor_override)


class AdaptiveAvgPool3d(AdaptiveAvgPool2d):
    """Mean over the windows that split (D, H, W) into output_size (F.adaptive_avg_pool3d).

    >>> AdaptiveAvgPool3d(1)(fastgrad.randn(2, 8, 5, 6, 7)).shape
    (2, 8, 1, 1, 1)
    """

    def forward(self, input):
        return P3.adaptive_avg_pool3d(input, self.output_size)


class AdaptiveMaxPool3d(AdaptiveMaxPool2d):
    """Maximum over the windows that split (D, H, W) into output_size (F.adaptive_max_pool3d)."""

    def forward(self, input):
        return P3.adaptive_max_pool3d(input, self.output_size, self.return_indices)
