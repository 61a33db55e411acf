"""isbox: HIPS autograd's test for a value that is being traced (differentiated).

    from fastgrad.tracer import isbox
    isbox(x)     # True inside grad(f) for the Tensor standing for f's input
"""
from .autograd.tensor import Tensor

__all__ = ["isbox"]


def isbox(x):
    """True for a Tensor that records a gradient (what HIPS calls a box)."""
    return isinstance(x, Tensor) and x.requires_grad
