"""What a recording's slots held, kept for lowering (lowering.py): types, shapes, dtypes, node attributes."""
import numpy as np

FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


class ArrayModel:
    """What a slot held while recording, when it was an array: its type, shape and dtype
    (and, for an op's output, the backend its forward ran with)."""

    __slots__ = ("kind", "shape", "dtype", "backend")

    def __init__(self, kind, shape, dtype, backend):
        self.kind, self.shape, self.dtype, self.backend = kind, shape, dtype, backend

    @property
    def ndarray(self):
        return self.kind is np.ndarray

    def float_array(self):
        """A float32 or float64 ndarray: what the C kernels take."""
        return self.kind is np.ndarray and self.dtype in FLOATS


class ContextModel:
    """What an op's graph node held after its forward: its attributes, which inputs need a
    gradient, the backend it ran with (its saved arrays are not kept)."""

    def __init__(self, ctx, backend):
        self.attrs = dict(getattr(ctx, "__dict__", {}))
        self.needs = [p is not None for p in ctx.parents]
        self.backend = backend


def model_of(obj, backend=None):
    if isinstance(obj, (np.ndarray, np.generic)):
        return ArrayModel(type(obj), obj.shape, obj.dtype, backend)
    return obj
