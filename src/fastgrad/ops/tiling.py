"""Repeating and cutting whole tensors, with PyTorch's meanings: repeat (NumPy's tile) and chunk."""
from .shape import broadcast_to, reshape, split


def repeat(x, *sizes):
    """x repeated sizes[i] times along each dimension (torch.Tensor.repeat, NumPy's tile).

    `sizes` may have more entries than x has dimensions: x gains leading ones.

    >>> fg.tensor([1.0, 2.0]).repeat(2, 2).shape    # (2, 4)
    """
    if len(sizes) == 1 and not isinstance(sizes[0], int):
        sizes = tuple(sizes[0])
    sizes = tuple(int(n) for n in sizes)
    if len(sizes) < x.ndim:
        raise RuntimeError(f"repeat: got {len(sizes)} repeat counts for a tensor of dimension {x.ndim}; "
                           "give at least one per dimension")
    if any(n < 0 for n in sizes):
        raise RuntimeError(f"repeat: repeat counts must be non-negative, got {sizes}")
    shape = (1,) * (len(sizes) - x.ndim) + tuple(x.shape)
    # (1, s0, 1, s1, ...) -> broadcast to (r0, s0, r1, s1, ...) -> (r0*s0, r1*s1, ...)
    interleaved = tuple(d for s in shape for d in (1, s))
    expanded = tuple(d for r, s in zip(sizes, shape) for d in (r, s))
    out = broadcast_to(reshape(x, interleaved), expanded)
    return reshape(out, tuple(r * s for r, s in zip(sizes, shape)))


def chunk(x, chunks, dim=0):
    """Split into `chunks` pieces of ceil(n / chunks) along dim (the last may be smaller)."""
    if not isinstance(chunks, int) or chunks <= 0:
        raise RuntimeError(f"chunk: chunks must be a positive integer, got {chunks!r}")
    n = x.shape[dim]
    size = max(-(-n // chunks), 1)
    return split(x, size, axis=dim)
