"""Gradient checkpointing: trade compute for memory by recomputing a segment's activations in backward.

    >>> from fastgrad.utils.checkpoint import checkpoint
    >>> h = checkpoint(block, h)        # block's intermediate activations are not kept

The segment runs once without recording a graph (only its inputs are kept);
the backward runs it again with the graph on and differentiates that, so the
gradients are the same as without checkpointing.
"""
from ..autograd.engine import grad as autograd_grad
from ..autograd.primitive import Primitive as Function
from ..autograd.grad_mode import enable_grad, no_grad
from ..autograd.tensor import Tensor, new_tensor
from ..creation import default_generator

__all__ = ["checkpoint", "checkpoint_sequential"]


def _module_parameters(fn):
    from ..nn.modules.module import Module

    owner = fn if isinstance(fn, Module) else getattr(fn, "__self__", None)
    if isinstance(owner, Module):
        return [p for p in owner.parameters() if p.requires_grad]
    return []


class _Checkpoint(Function):
    """Runs the segment without a graph; recomputes it with one in backward."""

    @staticmethod
    def forward(ctx, b, *arrays, run, n_inputs, params):
        ctx.run = run
        ctx.n_inputs = n_inputs
        ctx.params = params
        ctx.rng_state = default_generator().bit_generator.state
        inputs = arrays[:n_inputs]
        ctx.save_for_backward(*inputs)
        with no_grad():
            out = run([new_tensor(a, False, None) for a in inputs])
        if not isinstance(out, Tensor):
            raise TypeError(f"checkpoint: the function must return a single Tensor, got {type(out).__name__}")
        return out.data

    @staticmethod
    def backward(ctx, b, g):
        saved = ctx.saved_arrays
        needs = ctx.needs_input_grad
        leaves = [new_tensor(a, bool(needs[i]), None) for i, a in enumerate(saved)]
        rng = default_generator().bit_generator
        current = rng.state
        rng.state = ctx.rng_state          # the same dropout masks as the first run
        try:
            with enable_grad():
                out = ctx.run(leaves)
        finally:
            rng.state = current
        wanted = [t for i, t in enumerate(leaves) if needs[i]] + \
                 [p for j, p in enumerate(ctx.params) if needs[ctx.n_inputs + j]]
        if not wanted or not out.requires_grad:
            return (None,) * len(needs)
        grads = iter(autograd_grad(out, wanted, grad_outputs=g, allow_unused=True))
        result = []
        for need in needs:
            gi = next(grads) if need else None
            result.append(None if gi is None else gi.data)
        return tuple(result)


def checkpoint(function, *args, use_reentrant=None, preserve_rng_state=True, **kwargs):
    """function(*args, **kwargs), keeping only its Tensor inputs for the backward.

    Gradients reach the Tensor arguments and, when `function` is a Module or
    a Module's bound method, that module's parameters (even when no argument
    requires grad).  The function must return one Tensor.  Random draws from
    fastgrad's default generator (dropout) are replayed identically.

    >>> y = checkpoint(layer, x)
    """
    positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
    params = _module_parameters(function)

    def run(tensors):
        call_args = list(args)
        for pos, t in zip(positions, tensors):
            call_args[pos] = t
        return function(*call_args, **kwargs)

    tensor_args = [args[i] for i in positions]
    return _Checkpoint.apply(*tensor_args, *params, run=run, n_inputs=len(tensor_args), params=params)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run a Sequential (or list of modules) in `segments` checkpointed chunks."""
    modules = list(functions)
    if segments < 1:
        raise ValueError(f"checkpoint_sequential: segments must be >= 1, got {segments}")
    size = -(-len(modules) // segments)
    from ..nn.modules.container import Sequential

    for start in range(0, len(modules), size):
        input = checkpoint(Sequential(*modules[start:start + size]), input)
    return input
