"""MaxUnpool1d, MaxUnpool2d and MaxUnpool3d: max pooling's values put back at their indices (F.max_unpool1d/2d/3d)."""
from ...ops.conv import int_tuple
from .. import functional as F
from .module import Module


class _MaxUnpoolNd(Module):
    dims = 1

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        name = type(self).__name__
        self.kernel_size = int_tuple(name, "kernel_size", kernel_size, self.dims, 1)
        self.stride = int_tuple(name, "stride", stride if stride is not None else kernel_size, self.dims, 1)
        self.padding = int_tuple(name, "padding", padding, self.dims, 0)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """(N, C, L) values and MaxPool1d's indices -> (N, C, L_out), zeros where nothing was picked."""
    dims = 1

    def forward(self, input, indices, output_size=None):
        return F.max_unpool1d(input, indices, self.kernel_size, self.stride, self.padding, output_size)


class MaxUnpool2d(_MaxUnpoolNd):
    """(N, C, H, W) values and MaxPool2d's indices -> (N, C, H_out, W_out), zeros where nothing was picked.

    >>> pool, unpool = fastgrad.nn.MaxPool2d(2, return_indices=True), MaxUnpool2d(2)
    >>> unpool(*pool(fastgrad.randn(1, 1, 4, 4))).shape
    (1, 1, 4, 4)
    """
    dims = 2

    def forward(self, input, indices, output_size=None):
        return F.max_unpool2d(input, indices, self.kernel_size, self.stride, self.padding, output_size)


class MaxUnpool3d(_MaxUnpoolNd):
    """(N, C, D, H, W) values and MaxPool3d's indices -> (N, C, D_out, H_out, W_out), zeros where
    nothing was picked.

    >>> pool, unpool = fastgrad.nn.MaxPool3d(2, return_indices=True), MaxUnpool3d(2)
    >>> unpool(*pool(fastgrad.randn(1, 1, 4, 4, 4))).shape
    (1, 1, 4, 4, 4)
    """
    dims = 3

    def forward(self, input, indices, output_size=None):
        return F.max_unpool3d(input, indices, self.kernel_size, self.stride, self.padding, output_size)
