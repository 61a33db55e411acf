"""pixel_shuffle, pixel_unshuffle and channel_shuffle: reshapes and axis permutations only, so
their gradients are the inverse rearrangements (made by the reshape and permute ops)."""
import numbers

from ..autograd.tensor import Tensor


def _tensor(op, x):
    if not hasattr(x, "ndim"):
        raise TypeError(f"{op}: argument 'input' must be a Tensor or an array, got {type(x).__name__}")
    return x if isinstance(x, Tensor) else Tensor(x)


def _positive_int(op, name, value):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{op}: argument '{name}' must be a positive int, got {value!r}")
    return int(value)


def pixel_shuffle(input, upscale_factor):
    """(*, C * r^2, H, W) -> (*, C, H * r, W * r):
    out[..., c, h * r + i, w * r + j] = input[..., c * r^2 + i * r + j, h, w].

    >>> import fastgrad as fg
    >>> pixel_shuffle(fg.ones(1, 8, 2, 3), 2).shape
    (1, 2, 4, 6)
    """
    op = "pixel_shuffle"
    r = _positive_int(op, "upscale_factor", upscale_factor)
    x = _tensor(op, input)
    if x.ndim < 3:
        raise ValueError(f"{op}: the input must have at least 3 dimensions (*, C, H, W), got shape {tuple(x.shape)}")
    *batch, c, h, w = x.shape
    if c % (r * r):
        raise ValueError(f"{op}: the channels ({c}) must be divisible by upscale_factor squared ({r * r})")
    lead = len(batch)
    y = x.reshape(*batch, c // (r * r), r, r, h, w)
    y = y.permute(*range(lead), lead, lead + 3, lead + 1, lead + 4, lead + 2)
    return y.reshape(*batch, c // (r * r), h * r, w * r)


def pixel_unshuffle(input, downscale_factor):
    """The inverse of pixel_shuffle: (*, C, H * r, W * r) -> (*, C * r^2, H, W)."""
    op = "pixel_unshuffle"
    r = _positive_int(op, "downscale_factor", downscale_factor)
    x = _tensor(op, input)
    if x.ndim < 3:
        raise ValueError(f"{op}: the input must have at least 3 dimensions (*, C, H, W), got shape {tuple(x.shape)}")
    *batch, c, h, w = x.shape
    if h % r or w % r:
        raise ValueError(f"{op}: the height ({h}) and width ({w}) must be divisible by downscale_factor ({r})")
    lead = len(batch)
    y = x.reshape(*batch, c, h // r, r, w // r, r)
    y = y.permute(*range(lead), lead, lead + 2, lead + 4, lead + 1, lead + 3)
    return y.reshape(*batch, c * r * r, h // r, w // r)


def channel_shuffle(input, groups):
    """(N, C, *) with the channels read as (groups, C / groups) and transposed:
    out[:, k * groups + g] = input[:, g * (C / groups) + k]."""
    op = "channel_shuffle"
    g = _positive_int(op, "groups", groups)
    x = _tensor(op, input)
    if x.ndim < 3:
        raise ValueError(f"{op}: the input must have at least 3 dimensions (N, C, *), got shape {tuple(x.shape)}")
    n, c, *rest = x.shape
    if c % g:
        raise ValueError(f"{op}: the channels ({c}) must be divisible by groups ({g})")
    y = x.reshape(n, g, c // g, *rest)
    return y.permute(0, 2, 1, *range(3, y.ndim)).reshape(n, c, *rest)
