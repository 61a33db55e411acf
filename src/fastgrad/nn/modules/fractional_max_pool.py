"""FractionalMaxPool2d and FractionalMaxPool3d: max pooling over pseudo-random windows
(F.fractional_max_pool2d / 3d), fresh windows drawn at every call unless _random_samples is fixed."""
import numbers

from .. import functional as F
from .module import Module


class _FractionalMaxPoolNd(Module):
    _dims = 2

    def __init__(self, kernel_size, output_size=None, output_ratio=None, return_indices=False, _random_samples=None):
        super().__init__()
        name = type(self).__name__
        if output_size is None and output_ratio is None:
            raise ValueError(f"{name} requires specifying either an output size, or a pooling ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError(f"{name}: only one of output_size and output_ratio may be specified")
        if output_ratio is not None:
            ratios = (output_ratio,) * self._dims if isinstance(output_ratio, numbers.Real) else tuple(output_ratio)
            if not all(0 < r < 1 for r in ratios):
                raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")
            output_ratio = ratios
        self.kernel_size, self.output_size, self.output_ratio = kernel_size, output_size, output_ratio
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)

    def forward(self, input):
        pool = F.fractional_max_pool2d if self._dims == 2 else F.fractional_max_pool3d
        return pool(input, self.kernel_size, self.output_size, self.output_ratio, self.return_indices,
                    _random_samples=self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """Max pooling of (N, C, H, W) input over pseudo-random (kH, kW) windows to output_size or
    int(input size * output_ratio) (F.fractional_max_pool2d).

    >>> FractionalMaxPool2d(3, output_ratio=0.5)(fastgrad.randn(2, 4, 10, 10)).shape
    (2, 4, 5, 5)
    """

    _dims = 2


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """Max pooling of (N, C, T, H, W) input over pseudo-random (kT, kH, kW) windows (F.fractional_max_pool3d)."""

    _dims = 3
