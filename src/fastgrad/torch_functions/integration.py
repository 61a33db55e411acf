"""PyTorch's trapezoid rule: trapezoid (alias trapz) integrates samples y along a dimension,
cumulative_trapezoid gives the running integral.  The spacing is dx (1 by default) or the
differences of sample points x (1-D along `dim`, or broadcastable to y).  Differentiable in y and x.

    import fastgrad as torch
    torch.trapezoid(y, x)               # sum((y[1:] + y[:-1]) / 2 * diff(x)) over the last dim
    torch.cumulative_trapezoid(y, dx=0.1, dim=0)
"""
from .everyday import _axis, narrow
from .tensor_methods import _as_tensor, cumsum, diff, sum as _sum

__all__ = ["cumulative_trapezoid", "trapezoid", "trapz"]


def _areas(op, y, x, dx, dim):
    y = _as_tensor(y)
    if x is not None and dx is not None:
        raise TypeError(f"{op}: pass sample points 'x' or a spacing 'dx', not both")
    if y.ndim == 0:
        raise RuntimeError(f"{op}: argument 'y' must have at least one dimension")
    axis = _axis(y, dim, op)
    n = y.shape[axis]
    pairs = max(n - 1, 0)
    heights = (narrow(y, axis, min(n, 1), pairs) + narrow(y, axis, 0, pairs)) * 0.5
    if x is None:
        return heights if dx is None or dx == 1 else heights * dx, axis
    x = _as_tensor(x)
    if x.ndim == 1:
        if x.shape[0] != n:
            raise RuntimeError(f"{op}: argument 'x' has {x.shape[0]} points but 'y' has {n} along dim {dim}")
        x = x.reshape(tuple(-1 if i == axis else 1 for i in range(y.ndim)))
        return heights * diff(x, dim=axis), axis
    if x.ndim != y.ndim:
        raise RuntimeError(f"{op}: argument 'x' must be 1-D or have y's {y.ndim} dimensions, got {x.ndim}")
    return heights * diff(x, dim=axis), axis


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The trapezoid-rule integral of y along `dim` (0 where there are fewer than two samples)."""
    areas, axis = _areas("trapezoid", y, x, dx, dim)
    return _sum(areas, dim=axis)


trapz = trapezoid


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running trapezoid-rule integral of y along `dim` (one element fewer than y there)."""
    areas, axis = _areas("cumulative_trapezoid", y, x, dx, dim)
    return cumsum(areas, dim=axis)
