"""Shape and type changes: reshape, permute, broadcast_to, concatenate, astype."""
from ..autograd.primitive import Primitive as Function
from .broadcast import unbroadcast


def _to_shape(ctx, change, x, shape, refusal):
    """change(x, shape), keeping x's shape for the backward; a ValueError says refusal()."""
    ctx.in_shape = x.shape
    try:
        return change(x, shape)
    except ValueError:
        raise ValueError(refusal()) from None


class Reshape(Function):
    view_of = 0

    @staticmethod
    def forward(ctx, b, x, shape):
        return _to_shape(ctx, b.xp.reshape, x, shape, lambda: f"reshape: cannot reshape a tensor of shape "
                         f"{tuple(x.shape)} ({x.size} elements) into shape {tuple(shape)}")

    @staticmethod
    def backward(ctx, b, g):
        return b.xp.reshape(g, ctx.in_shape)


class Permute(Function):
    view_of = 0

    @staticmethod
    def forward(ctx, b, x, axes):
        axes = tuple(int(a) % x.ndim if x.ndim else int(a) for a in axes)
        if sorted(axes) != list(range(x.ndim)):
            raise ValueError(f"permute: axes {axes} are not a permutation of {x.ndim} dimensions")
        ctx.axes = axes
        return b.xp.permute_dims(x, axes)

    @staticmethod
    def backward(ctx, b, g):
        inverse = tuple(sorted(range(len(ctx.axes)), key=ctx.axes.__getitem__))
        return b.xp.permute_dims(g, inverse)


class BroadcastTo(Function):
    view_of = 0

    @staticmethod
    def forward(ctx, b, x, shape):
        return _to_shape(ctx, b.xp.broadcast_to, x, shape,
                         lambda: f"broadcast_to: cannot broadcast shape {tuple(x.shape)} to {tuple(shape)}")

    @staticmethod
    def backward(ctx, b, g):
        return unbroadcast(b.xp, g, ctx.in_shape)


class Concatenate(Function):
    @staticmethod
    def forward(ctx, b, *xs, axis=0):
        if not xs:
            raise ValueError("concatenate: need at least one tensor")
        ndim = xs[0].ndim
        if ndim == 0:
            raise ValueError("concatenate: zero-dimensional tensors cannot be concatenated")
        axis = axis % ndim
        ctx.axis = axis
        ctx.sizes = [x.shape[axis] for x in xs]
        return b.xp.concat(xs, axis=axis) if not hasattr(b.xp, "concatenate") else b.xp.concatenate(xs, axis=axis)

    @staticmethod
    def backward(ctx, b, g):
        grads = []
        start = 0
        lead = (slice(None),) * ctx.axis
        for need, size in zip(ctx.needs_input_grad, ctx.sizes):
            grads.append(g[lead + (slice(start, start + size), ...)] if need else None)
            start += size
        return tuple(grads)


class Astype(Function):
    @staticmethod
    def forward(ctx, b, x, dtype):
        ctx.in_dtype = x.dtype
        return x.astype(dtype) if hasattr(x, "astype") else b.xp.astype(x, dtype)

    @staticmethod
    def backward(ctx, b, g):
        return g.astype(ctx.in_dtype) if hasattr(g, "astype") else b.xp.astype(g, ctx.in_dtype)


def reshape(x, shape):
    """Same data, new shape (one dimension may be -1)."""
    if isinstance(shape, int):
        shape = (shape,)
    return Reshape.apply(x, tuple(shape))


def permute(x, axes):
    """Reorder the axes: output axis i is input axis axes[i]."""
    return Permute.apply(x, tuple(axes))


def transpose(x, axes=None):
    """Reverse the axes, or permute them as `axes` says (np.transpose)."""
    ndim = len(x.shape)
    return Permute.apply(x, tuple(range(ndim))[::-1] if axes is None else tuple(axes))


def swapaxes(x, axis1, axis2):
    """Exchange two axes."""
    ndim = len(x.shape)
    axes = list(range(ndim))
    a, b = axis1 % ndim, axis2 % ndim
    axes[a], axes[b] = axes[b], axes[a]
    return Permute.apply(x, tuple(axes))


def broadcast_to(x, shape):
    """A read-only broadcast view; the gradient sums over the stretched axes."""
    return BroadcastTo.apply(x, tuple(shape))


def squeeze(x, axis=None):
    """Remove axes of length 1 (all of them, or those named)."""
    shape = x.shape
    if axis is None:
        new = tuple(n for n in shape if n != 1)
    else:
        axes = {a % len(shape) for a in ((axis,) if isinstance(axis, int) else axis)}
        for a in axes:
            if shape[a] != 1:
                raise ValueError(f"squeeze: cannot select axis {a} of length {shape[a]}")
        new = tuple(n for i, n in enumerate(shape) if i not in axes)
    return Reshape.apply(x, new)


def unsqueeze(x, axis):
    """Insert an axis of length 1 at position `axis`."""
    shape = list(x.shape)
    ndim = len(shape) + 1
    if not -ndim <= axis < ndim:
        raise ValueError(f"unsqueeze: axis {axis} is out of range for {ndim} dimensions")
    shape.insert(axis % ndim, 1)
    return Reshape.apply(x, tuple(shape))


expand_dims = unsqueeze


def flatten(x, start_dim=0, end_dim=-1):
    """Merge axes start_dim..end_dim into one (PyTorch's flatten)."""
    shape = x.shape
    if len(shape) == 0:
        return Reshape.apply(x, (1,))
    s, e = start_dim % len(shape), end_dim % len(shape)
    merged = 1
    for n in shape[s:e + 1]:
        merged *= n
    return Reshape.apply(x, tuple(shape[:s]) + (merged,) + tuple(shape[e + 1:]))


def concatenate(tensors, axis=0):
    """Join tensors along an existing axis."""
    return Concatenate.apply(*tensors, axis=axis)


def stack(tensors, axis=0):
    """Join tensors along a new axis."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("stack: need at least one tensor")
    shape = tensors[0].shape
    for i, t in enumerate(tensors):
        if t.shape != shape:
            raise ValueError(f"stack: tensor {i} has shape {tuple(t.shape)}, expected {tuple(shape)}")
    return Concatenate.apply(*[unsqueeze(t, axis) for t in tensors], axis=axis)


def split(x, split_size_or_sections, axis=0):
    """Split into pieces of `split_size` along `axis`, or of the given sizes (torch.split)."""
    n = x.shape[axis]
    if isinstance(split_size_or_sections, int):
        if split_size_or_sections <= 0:
            raise ValueError(f"split: split_size must be positive, got {split_size_or_sections}")
        sizes = [split_size_or_sections] * (n // split_size_or_sections)
        if n % split_size_or_sections:
            sizes.append(n % split_size_or_sections)
    else:
        sizes = list(split_size_or_sections)
        if builtins_sum(sizes) != n:
            raise ValueError(f"split: sizes {sizes} do not add up to {n} along axis {axis}")
    lead = (slice(None),) * (axis % x.ndim)
    pieces, start = [], 0
    for size in sizes:
        pieces.append(x[lead + (slice(start, start + size), ...)])
        start += size
    return tuple(pieces)


def astype(x, dtype):
    """Cast to dtype; the gradient is cast back."""
    return Astype.apply(x, dtype)


import builtins as _builtins  # noqa: E402

builtins_sum = _builtins.sum
