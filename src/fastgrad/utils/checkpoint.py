"""Gradient checkpointing: trade compute for memory by recomputing a segment's activations in backward.

    >>> from fastgrad.utils.checkpoint import checkpoint
    >>> h = checkpoint(block, h)        # block's intermediate activations are not kept

The segment runs once (its graph is dropped as soon as it has shown which
tensors it differentiates; only its inputs and output are kept); the backward
runs it again with the graph on and differentiates that, so the gradients are
the same as without checkpointing.
"""
from ..autograd.engine import grad as autograd_grad
from ..autograd.grad_mode import STATE, enable_grad, no_grad
from ..autograd.primitive import Primitive
from ..autograd.tensor import Tensor, new_tensor
from ..creation import default_generator

__all__ = ["checkpoint", "checkpoint_sequential"]


def _module_parameters(fn):
    """The parameters requiring grad of a Module or a Module's bound method; None for other functions."""
    from ..nn.modules.module import Module

    owner = fn if isinstance(fn, Module) else getattr(fn, "__self__", None)
    if isinstance(owner, Module):
        return [p for p in owner.parameters() if p.requires_grad]
    return None


def _leaves_reached(out, inputs):
    """The leaf tensors requiring grad that `out`'s graph reaches, other than `inputs`:
    the parameters and captured tensors the segment differentiates."""
    node = out._node
    if node is None:
        return []
    inputs = {id(t) for t in inputs}
    found, seen, stack = {}, {id(node)}, [node]
    while stack:
        for parent in stack.pop().parents:
            if parent is None:
                continue
            if isinstance(parent, Tensor):
                if id(parent) not in inputs:
                    found.setdefault(id(parent), parent)
            elif id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    return list(found.values())


class _Checkpoint(Primitive):
    """The segment's output, computed already; recomputed with a graph in backward."""

    @staticmethod
    def forward(ctx, b, *arrays, run, n_inputs, params, out_data, rng_state, retain):
        ctx.retain = retain
        ctx.run = run
        ctx.n_inputs = n_inputs
        ctx.params = params
        ctx.rng_state = rng_state
        ctx.save_for_backward(*arrays[:n_inputs])
        return out_data

    @staticmethod
    def backward(ctx, b, g):
        saved = ctx.saved_arrays
        needs = ctx.needs_input_grad
        leaves = [new_tensor(a, bool(needs[i]), None) for i, a in enumerate(saved)]
        rng = default_generator().bit_generator
        current = rng.state
        if ctx.rng_state is not None:
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
        # A plain function may use a non-leaf tensor it captured, whose graph lies outside the
        # segment: retain_graph keeps that graph for the main backward.  A Module's needs not.
        grads = iter(autograd_grad(out, wanted, grad_outputs=g, allow_unused=True, retain_graph=ctx.retain))
        result = []
        for need in needs:
            gi = next(grads) if need else None
            result.append(None if gi is None else gi._data)
        return tuple(result)


def checkpoint(function, *args, use_reentrant=None, preserve_rng_state=True, **kwargs):
    """function(*args, **kwargs), keeping only its Tensor inputs for the backward.

    Gradients reach the Tensor arguments and every tensor requiring grad that
    the function uses (a Module's parameters, tensors captured by a closure),
    even when no argument requires grad: PyTorch's use_reentrant=False
    semantics, which fastgrad gives for either value of `use_reentrant`.  The
    function runs once with a graph to find those tensors; only its output
    is kept, and backward runs it again.  With preserve_rng_state=True (the
    default) random draws from fastgrad's default generator (dropout) are
    replayed identically; with False the recomputation draws anew.  The
    function must return one Tensor.

    >>> y = checkpoint(layer, x)
    """
    if use_reentrant not in (None, True, False):
        raise ValueError(f"checkpoint: use_reentrant must be True, False or None, got {use_reentrant!r}")
    positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]

    def run(tensors):
        call_args = list(args)
        for pos, t in zip(positions, tensors):
            call_args[pos] = t
        return function(*call_args, **kwargs)

    if not STATE.enabled:
        return run([args[i] for i in positions])
    tensor_args = [args[i] for i in positions]
    rng_state = default_generator().bit_generator.state if preserve_rng_state else None
    inputs = [new_tensor(t._data, t._requires_grad, None) for t in tensor_args]
    params = _module_parameters(function)
    plain_function = params is None
    if plain_function:
        # A plain function: one run with a graph shows which tensors it differentiates.
        out = run(inputs)
        params = _leaves_reached(out, inputs) if isinstance(out, Tensor) else []
    else:
        # A Module (or its method): its parameters are known, so the first run keeps no graph.
        with no_grad():
            out = run(inputs)
    if not isinstance(out, Tensor):
        raise TypeError(f"checkpoint: the function must return a single Tensor, got {type(out).__name__}")
    if not params and not any(t._requires_grad for t in tensor_args):
        return new_tensor(out._data, False, None)
    return _Checkpoint.apply(*tensor_args, *params, run=run, n_inputs=len(tensor_args), params=params,
                             out_data=out._data, rng_state=rng_state, retain=plain_function)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run a Sequential (or list of modules) in `segments` checkpointed chunks; use_reentrant
    and preserve_rng_state (a keyword) are checkpoint's."""
    preserve_rng_state = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise TypeError(f"checkpoint_sequential: unexpected keyword arguments: {', '.join(sorted(kwargs))}")
    modules = list(functions)
    if segments < 1:
        raise ValueError(f"checkpoint_sequential: segments must be >= 1, got {segments}")
    size = -(-len(modules) // segments)
    from ..nn.modules.container import Sequential

    for start in range(0, len(modules), size):
        input = checkpoint(Sequential(*modules[start:start + size]), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve_rng_state)
    return input
