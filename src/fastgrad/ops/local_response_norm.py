"""local_response_norm: each value divided by (k + alpha * mean of the squares of its `size`
neighbouring channels)^beta, the window zero-padded (size // 2 channels before, (size - 1) // 2
after) and always divided by `size`, as PyTorch does."""
import numbers

from ..autograd.tensor import Tensor
from .padding import pad


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """x / (k + alpha / size * sum_{c' in window(c)} x[:, c']^2)^beta over the channel axis 1 of (N, C, *).

    >>> import fastgrad as fg
    >>> local_response_norm(fg.ones(1, 3, 2), 2, alpha=1.0, beta=1.0, k=0.0)[0, :, 0].tolist()
    [2.0, 1.0, 1.0]
    """
    op = "local_response_norm"
    if not isinstance(size, numbers.Integral) or isinstance(size, bool) or size < 1:
        raise ValueError(f"{op}: argument 'size' must be a positive int, got {size!r}")
    if not hasattr(input, "ndim"):
        raise TypeError(f"{op}: argument 'input' must be a Tensor or an array, got {type(input).__name__}")
    x = input if isinstance(input, Tensor) else Tensor(input)
    if x.ndim < 3:
        raise ValueError(f"{op}: expected an input of 3 or more dimensions (N, C, *), got shape {tuple(x.shape)}")
    if x.numel() == 0:
        return x
    channels = x.shape[1]
    squares = pad(x * x, (0, 0) * (x.ndim - 2) + (size // 2, (size - 1) // 2))
    total = squares[:, 0:channels]
    for shift in range(1, size):
        total = total + squares[:, shift:shift + channels]
    return x / (total * (alpha / size) + k) ** beta
