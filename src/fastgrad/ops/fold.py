"""unfold (im2col) and fold (col2im), PyTorch's F.unfold / F.fold, on the convolutions' patch kernels.

unfold turns (N, C, H, W) into the sliding blocks (N, C * kh * kw, L), one column per block
position (L = out_h * out_w, row-major), the rows ordered (channel, kernel row, kernel column).
fold is its adjoint: it adds each column's entries back onto the positions they came from,
so overlapping blocks sum.  Each is the other's backward.
"""
from ..autograd.primitive import Primitive as Function
from ..autograd.tensor import Tensor
from .conv import int_tuple
from .shape import squeeze, unsqueeze


def _blocks_as_columns(xp, col, n):
    """(N * L, C * k) patch rows -> (N, C * k, L)."""
    rows, width = col.shape
    return xp.permute_dims(xp.reshape(col, (n, rows // n if n else 0, width)), (0, 2, 1))


def _columns_as_blocks(xp, x):
    """(N, C * k, L) -> (N * L, C * k) patch rows."""
    n, width, blocks = x.shape
    return xp.reshape(xp.permute_dims(x, (0, 2, 1)), (n * blocks, width))


class Unfold(Function):
    @staticmethod
    def forward(ctx, b, x, geometry=None):
        ctx.geometry, ctx.input_shape = geometry, x.shape
        return _blocks_as_columns(b.xp, b.im2col_fwd(x, **geometry), x.shape[0])

    @staticmethod
    def backward(ctx, b, g):
        return b.im2col_bwd(_columns_as_blocks(b.xp, g), input_shape=ctx.input_shape, **ctx.geometry),


class Fold(Function):
    @staticmethod
    def forward(ctx, b, x, geometry=None, output_shape=None):
        ctx.geometry = geometry
        return b.im2col_bwd(_columns_as_blocks(b.xp, x), input_shape=output_shape, **geometry)

    @staticmethod
    def backward(ctx, b, g):
        return _blocks_as_columns(b.xp, b.im2col_fwd(g, **ctx.geometry), g.shape[0]),


def _geometry(op, kernel_size, dilation, padding, stride):
    return dict(kernel_size=int_tuple(op, "kernel_size", kernel_size, 2, 1),
                dilation=int_tuple(op, "dilation", dilation, 2, 1),
                padding=int_tuple(op, "padding", padding, 2, 0),
                stride=int_tuple(op, "stride", stride, 2, 1))


def _block_counts(op, size, geometry):
    counts = tuple((s + 2 * p - d * (k - 1) - 1) // st + 1 for s, p, d, k, st in
                   zip(size, geometry["padding"], geometry["dilation"], geometry["kernel_size"], geometry["stride"]))
    if any(c < 1 for c in counts):
        raise ValueError(f"{op}: with spatial size {tuple(size)}, kernel_size {geometry['kernel_size']}, dilation "
                         f"{geometry['dilation']}, padding {geometry['padding']} and stride {geometry['stride']} "
                         f"there would be {counts} sliding blocks; each count must be at least one")
    return counts


def _batched(op, input, ndim, layout):
    """(input as a Tensor of `ndim` axes, whether it came unbatched, with one axis fewer: then it
    gets a batch axis of 1); `layout` names the axes after the batch's in the error."""
    if not hasattr(input, "ndim"):
        raise TypeError(f"{op}: argument 'input' must be a Tensor or an array, got {type(input).__name__}")
    x = input if isinstance(input, Tensor) else Tensor(input)
    if x.ndim not in (ndim - 1, ndim):
        raise ValueError(f"{op}: input must be {ndim}-d (N, {layout}) or {ndim - 1}-d unbatched ({layout}), got "
                         f"shape {tuple(x.shape)}")
    unbatched = x.ndim == ndim - 1
    return (unsqueeze(x, 0) if unbatched else x), unbatched


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """The sliding (kh, kw) blocks of (N, C, H, W) (or unbatched (C, H, W)) as columns:
    out[n, (c, i, j), l] = input[n, c, oh*sh - ph + i*dh, ow*sw - pw + j*dw] (0 in the padding),
    l = oh * out_w + ow.

    >>> import fastgrad as fg
    >>> unfold(fg.ones(1, 3, 4, 4), 2).shape
    (1, 12, 9)
    """
    op = "unfold"
    x, unbatched = _batched(op, input, 4, "C, H, W")
    geometry = _geometry(op, kernel_size, dilation, padding, stride)
    geometry["out_size"] = _block_counts(op, x.shape[2:], geometry)
    out = Unfold.apply(x, geometry=geometry)
    return squeeze(out, 0) if unbatched else out


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """The adjoint of unfold: columns (N, C * kh * kw, L) (or unbatched (C * kh * kw, L)) summed back
    into (N, C, *output_size), overlapping entries added.

    >>> import fastgrad as fg
    >>> fold(fg.ones(1, 4, 4), (3, 3), 2)[0, 0].tolist()
    [[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]
    """
    op = "fold"
    x, unbatched = _batched(op, input, 3, "C * kh * kw, L")
    geometry = _geometry(op, kernel_size, dilation, padding, stride)
    output_size = int_tuple(op, "output_size", output_size, 2, 1)
    n, width, blocks = x.shape
    kh, kw = geometry["kernel_size"]
    if width % (kh * kw):
        raise ValueError(f"{op}: the input's dimension 1 ({width}) must be divisible by the product of "
                         f"kernel_size {geometry['kernel_size']} ({kh * kw})")
    counts = _block_counts(op, output_size, geometry)
    if counts[0] * counts[1] != blocks:
        raise ValueError(f"{op}: with output_size {output_size}, kernel_size {geometry['kernel_size']}, dilation "
                         f"{geometry['dilation']}, padding {geometry['padding']} and stride {geometry['stride']} "
                         f"there are {counts[0]} * {counts[1]} = {counts[0] * counts[1]} sliding blocks, but the "
                         f"input's dimension 2 is {blocks}")
    geometry["out_size"] = counts
    out = Fold.apply(x, geometry=geometry, output_shape=(n, width // (kh * kw)) + output_size)
    return squeeze(out, 0) if unbatched else out
