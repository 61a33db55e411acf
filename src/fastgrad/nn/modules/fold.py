"""Fold and Unfold: F.fold (col2im) and F.unfold (im2col) as layers."""
from .. import functional as F
from .module import Module


class _SlidingBlocks(Module):
    """What Fold and Unfold share: the blocks' kernel_size, dilation, padding and stride."""

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, stride={self.stride}"


class Fold(_SlidingBlocks):
    """Columns (N, C * kh * kw, L) summed back into (N, C, *output_size) (F.fold)."""

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__(kernel_size, dilation, padding, stride)
        self.output_size = output_size

    def forward(self, input):
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return f"output_size={self.output_size}, " + super().extra_repr()


class Unfold(_SlidingBlocks):
    """The sliding blocks of (N, C, H, W) as columns (N, C * kh * kw, L) (F.unfold).

    >>> Unfold(2)(fastgrad.ones(1, 3, 4, 4)).shape
    (1, 12, 9)
    """

    def forward(self, input):
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)
