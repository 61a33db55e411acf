"""Reference twins of the activation kernels (csrc/activations.c)."""


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
