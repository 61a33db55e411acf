"""The library's own differentiable primitives: `Primitive` subclasses and the graph node `Context`.

This is the array-level protocol behind every op in fastgrad/ops (users write
custom operations with `fastgrad.autograd.Function`, PyTorch's protocol on
Tensors, in function.py).  A primitive defines, side by side:

    class Exp(Primitive):
        @staticmethod
        def forward(ctx, b, x):          # b: the backend; x: a raw array
            y = b.xp.exp(x)
            ctx.save_for_backward(y)     # save the output: exp' = exp
            return y

        @staticmethod
        def backward(ctx, b, g):         # g: gradient of the output
            (y,) = ctx.saved_arrays
            return g * y                 # one gradient per forward argument

`Primitive.apply(*args)` unwraps Tensors, picks the backend once, runs forward,
and, when a graph is being recorded, keeps the Context as the output's node.
Backward rules use only operators, `b.xp` and `b`'s kernels, so the same rule
runs on arrays (ordinary backward) and on Tensors (create_graph=True).  A rule
may return a gradient of the broadcast shape: the engine sums it back to the
input's shape with the shared `unbroadcast`.
"""
from ._graph import Context, apply_function
from ._graph import ScratchContext as _ScratchContext  # noqa: F401  (used by ops that reuse a forward)


class Primitive:
    """Base of every primitive; see the module docstring."""

    # Index of the argument whose storage the output views (shares its version counter).
    view_of = None

    @staticmethod
    def forward(ctx, b, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, b, grad):
        raise NotImplementedError

    # Primitive.apply(*args, **kwargs): unwrap Tensors, choose the backend once,
    # run forward, and keep a Context as the output's node when a graph is
    # recorded.  Compiled, in _graph.pyx: it runs for every op.
    apply = classmethod(apply_function)
