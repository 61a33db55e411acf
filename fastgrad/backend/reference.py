"""Reference twins of every fused kernel, written with an array namespace `xp`.

Each function here has the same name as a kernel in csrc/ (without the dtype
suffix) and computes the same thing in plain array code.  They are:

- the test oracle for the C and CuPy kernels;
- the fallback for dtypes and array types the kernels do not take;
- the differentiable form of each kernel: called with the Tensor namespace
  (fastgrad.numpy) they build a graph, which is how higher-order derivatives
  go through fused ops.

Only the namespace's own functions and Python operators are used, so `xp` may
be numpy, cupy, an array-API namespace or fastgrad.numpy.
"""


def sigmoid_fwd(xp, x):
    # Stable form: exp of a non-positive number only.
    e = xp.exp(-xp.abs(x))
    r = 1 / (1 + e)
    return xp.where(x >= 0, r, e * r)


def sigmoid_bwd(xp, y, gy):
    return gy * y * (1 - y)


def relu_fwd(xp, x):
    # NOTE: where() keeps NaN (x <= 0 is False for NaN), as the C kernel does.
    return xp.where(x <= 0, xp.zeros_like(x), x)


def relu_bwd(xp, y, gy):
    # NOTE: relu'(0) = 0, decided from the output.
    return xp.where(y > 0, gy, xp.zeros_like(gy))
