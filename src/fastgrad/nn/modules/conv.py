"""Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d and ConvTranspose3d with PyTorch's arguments,
initialisation and state_dict keys."""
import math

from ...ops.conv import conv_transpose1d, conv_transpose2d, convolution
from ...ops.conv3d import conv3d
from ...ops.conv_transpose3d import conv_transpose3d
from .activation import ReLU
from .container import FUSED_PAIRS, runs_as_written
from .linear import add_weight_and_bias, reset_weight_and_bias
from .module import Module


def _tuple(value, n):
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * n


class _ConvNd(Module):
    _dims = 2
    _op = "conv2d"

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__()
        name = type(self).__name__
        if groups < 1 or in_channels % groups or out_channels % groups:
            raise ValueError(f"{name}: in_channels ({in_channels}) and out_channels ({out_channels}) must be "
                             f"divisible by groups ({groups})")
        if padding_mode != "zeros":
            raise NotImplementedError(f"{name}: padding_mode {padding_mode!r} is not supported; only 'zeros' is")
        if isinstance(padding, str) and padding not in ("same", "valid"):
            raise ValueError(f"{name}: padding must be 'same', 'valid', an int or a tuple, got {padding!r}")
        n = self._dims
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _tuple(kernel_size, n)
        self.stride = _tuple(stride, n)
        if padding == "same" and any(s != 1 for s in self.stride):
            raise ValueError(f"{name}: padding='same' is not supported for strided convolutions")
        self.padding = padding if isinstance(padding, str) else _tuple(padding, n)
        self.dilation = _tuple(dilation, n)
        self.groups = groups
        self.padding_mode = padding_mode
        add_weight_and_bias(self, self._weight_shape(), out_channels if bias else None, dtype)
        self.reset_parameters()
        self._place_on(device)

    def _weight_shape(self):
        return (self.out_channels, self.in_channels // self.groups) + self.kernel_size

    def _fan_in(self):
        return (self.in_channels // self.groups) * math.prod(self.kernel_size)

    def reset_parameters(self):
        reset_weight_and_bias(self.weight, self.bias, self._fan_in())

    def forward(self, input):
        return self._convolve(input, None)

    def _convolve(self, input, activation):
        return convolution(self._op, input, self.weight, self.bias, self.stride, self.padding, self.dilation,
                           self.groups, activation)

    def extra_repr(self):
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0,) * self._dims:
            text += f", padding={self.padding!r}" if isinstance(self.padding, str) else f", padding={self.padding}"
        if self.dilation != (1,) * self._dims:
            text += f", dilation={self.dilation}"
        if getattr(self, "output_padding", (0,) * self._dims) != (0,) * self._dims:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text


class Conv1d(_ConvNd):
    """1-d convolution (cross-correlation) over (N, C_in, L) or (C_in, L) input.

    weight (out_channels, in_channels / groups, kernel_size), bias (out_channels,),
    both ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in_channels / groups * kernel_size.

    >>> conv = Conv1d(3, 8, kernel_size=5, padding="same")
    >>> conv(fastgrad.randn(2, 3, 20)).shape
    (2, 8, 20)
    """

    _dims = 1
    _op = "conv1d"


class Conv2d(_ConvNd):
    """2-d convolution (cross-correlation) over (N, C_in, H, W) or (C_in, H, W) input.

    weight (out_channels, in_channels / groups, kH, kW), bias (out_channels,), both
    ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in_channels / groups * kH * kW.
    Computed by oneDNN's convolution (float32, when installed) or as im2col (C) + one GEMM per
    group + the fused bias epilogue; in a Sequential, a ReLU right after it is fused into that pass.

    >>> conv = Conv2d(1, 16, kernel_size=5)
    >>> conv(fastgrad.randn(4, 1, 28, 28)).shape
    (4, 16, 24, 24)
    """


class Conv3d(_ConvNd):
    """3-d convolution (cross-correlation) over (N, C_in, D, H, W) or (C_in, D, H, W) input.

    weight (out_channels, in_channels / groups, kD, kH, kW), bias (out_channels,), both
    ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in_channels / groups * kD * kH * kW.
    Computed as one 2-d convolution over the stacked depth slices (see fastgrad.ops.conv3d).

    >>> conv = Conv3d(1, 8, kernel_size=3, padding=1)
    >>> conv(fastgrad.randn(2, 1, 8, 16, 16)).shape
    (2, 8, 8, 16, 16)
    """

    _dims = 3
    _op = "conv3d"

    def _convolve(self, input, activation):
        return conv3d(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class ConvTranspose2d(_ConvNd):
    """2-d transposed convolution over (N, C_in, H, W) or (C_in, H, W) input (the gradient of
    Conv2d with respect to its input), as torch.nn.ConvTranspose2d.

    weight (in_channels, out_channels / groups, kH, kW), bias (out_channels,), both
    ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with PyTorch's fan_in = out_channels / groups * kH * kW.

    >>> up = ConvTranspose2d(8, 4, kernel_size=2, stride=2)
    >>> up(fastgrad.randn(1, 8, 5, 5)).shape
    (1, 4, 10, 10)
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        if isinstance(padding, str):
            raise ValueError(f"{type(self).__name__}: padding must be an int or a tuple, got {padding!r}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, device, dtype)
        self.output_padding = _tuple(output_padding, self._dims)

    def _weight_shape(self):
        return (self.in_channels, self.out_channels // self.groups) + self.kernel_size

    def _fan_in(self):
        return (self.out_channels // self.groups) * math.prod(self.kernel_size)

    def forward(self, input, output_size=None):
        transpose = {1: conv_transpose1d, 2: conv_transpose2d, 3: conv_transpose3d}[self._dims]
        output_padding = self.output_padding if output_size is None else self._output_padding(input, output_size)
        return transpose(input, self.weight, self.bias, self.stride, self.padding, output_padding, self.groups,
                         self.dilation)

    def _output_padding(self, input, output_size):
        """The output_padding that makes the output's spatial size `output_size` (which may also
        name the batch and channel sizes), as PyTorch's: each size between the smallest output and
        that plus stride - 1."""
        name, n = type(self).__name__, self._dims
        output_size = tuple(output_size)
        if len(output_size) == input.ndim:
            output_size = output_size[-n:]
        if len(output_size) != n:
            raise ValueError(f"{name}: output_size must have {n} or {input.ndim} elements, got {output_size}")
        smallest = [(size - 1) * s - 2 * p + d * (k - 1) + 1 for size, s, p, d, k in
                    zip(input.shape[-n:], self.stride, self.padding, self.dilation, self.kernel_size)]
        for want, low, s in zip(output_size, smallest, self.stride):
            if not low <= want <= low + s - 1:
                raise ValueError(f"{name}: requested output_size {output_size} is not reachable: each size must lie "
                                 f"between {tuple(smallest)} and that plus stride - 1 ({self.stride})")
        return tuple(want - low for want, low in zip(output_size, smallest))


class ConvTranspose1d(ConvTranspose2d):
    """1-d transposed convolution over (N, C_in, L) or (C_in, L) input (the gradient of Conv1d
    with respect to its input), as torch.nn.ConvTranspose1d.

    weight (in_channels, out_channels / groups, kernel_size), bias (out_channels,), both
    ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with PyTorch's fan_in = out_channels / groups * kernel_size.

    >>> up = ConvTranspose1d(8, 4, kernel_size=2, stride=2)
    >>> up(fastgrad.randn(1, 8, 5)).shape
    (1, 4, 10)
    """

    _dims = 1


class ConvTranspose3d(ConvTranspose2d):
    """3-d transposed convolution over (N, C_in, D, H, W) or (C_in, D, H, W) input (the gradient
    of Conv3d with respect to its input), as torch.nn.ConvTranspose3d.

    weight (in_channels, out_channels / groups, kD, kH, kW), bias (out_channels,), both
    ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with PyTorch's fan_in = out_channels / groups * kD * kH * kW.
    Computed as one 2-d transposed convolution over the depth planes (see fastgrad.ops.conv_transpose3d).

    >>> up = ConvTranspose3d(8, 4, kernel_size=2, stride=2)
    >>> up(fastgrad.randn(1, 8, 3, 5, 5)).shape
    (1, 4, 6, 10, 10)
    """

    _dims = 3


def _conv_then_relu(conv, following, x):
    """relu(conv(x)) with relu fused into the convolution's output pass, for a Sequential whose
    convolution is followed by a ReLU; None (run them one by one) when either has hooks or its own
    forward, or the next module is not exactly ReLU."""
    if type(following) is not ReLU or not (runs_as_written(conv) and runs_as_written(following)):
        return None
    return conv._convolve(x, "relu")


FUSED_PAIRS[Conv1d] = FUSED_PAIRS[Conv2d] = _conv_then_relu
