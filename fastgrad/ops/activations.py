"""Activations with fused kernels: the backend's `<op>_fwd` / `<op>_bwd` do the work.

Each saves only what its backward needs (the output), so the input can be freed.
"""
from ..autograd.function import Function


class Sigmoid(Function):
    @staticmethod
    def forward(ctx, b, x):
        y = b.sigmoid_fwd(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, b, g):
        (y,) = ctx.saved_arrays
        return b.sigmoid_bwd(y, g)


class Relu(Function):
    @staticmethod
    def forward(ctx, b, x):
        y = b.relu_fwd(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, b, g):
        (y,) = ctx.saved_arrays
        return b.relu_bwd(y, g)


def sigmoid(x):
    """1 / (1 + exp(-x)), computed stably; d/dx = y (1 - y)."""
    return Sigmoid.apply(x)


def relu(x):
    """max(x, 0); relu'(0) = 0."""
    return Relu.apply(x)
