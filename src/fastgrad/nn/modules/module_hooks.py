"""Module hooks, as PyTorch's: forward pre-hooks, forward hooks and full backward hooks.

A full backward hook sees, in one call, the gradients of the module's Tensor
inputs (grad_input) and of its outputs (grad_output).  The call is wrapped in
two identity Functions: one on the outputs, whose backward keeps grad_output,
and one on the inputs, whose backward calls the hooks with both (or, when no
input requires grad, the output side calls them with grad_input all None).
"""
import itertools

from ...autograd.function import Function
from ...autograd.tensor import Tensor

_ids = itertools.count()


class RemovableHandle:
    """What register_*_hook returns: `handle.remove()` unregisters the hook."""

    def __init__(self, hooks, key):
        self.hooks = hooks
        self.id = key

    def remove(self):
        self.hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def add_hook(hooks, hook):
    if not callable(hook):
        raise TypeError(f"register hook: expected a callable, got {type(hook).__name__}")
    key = next(_ids)
    hooks[key] = hook
    return RemovableHandle(hooks, key)


def call_with_hooks(module, args, kwargs):
    for hook in list(module._forward_pre_hooks.values()):
        result = hook(module, args)
        if result is not None:
            args = result if isinstance(result, tuple) else (result,)
    state = None
    if module._backward_hooks:
        state = _HookState(module, args)
        args = state.wrap_inputs(args)
    out = module.forward(*args, **kwargs)
    for hook in list(module._forward_hooks.values()):
        result = hook(module, args, out)
        if result is not None:
            out = result
    if state is not None:
        out = state.wrap_outputs(out)
    return out


class _HookState:
    def __init__(self, module, args):
        self.module = module
        self.positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        self.inputs_need_grad = any(args[i].requires_grad for i in self.positions)
        self.grad_output = None

    def wrap_inputs(self, args):
        if not self.inputs_need_grad:
            return args
        wrapped = _InputsSide.apply(self, *[args[i] for i in self.positions])
        args = list(args)
        for i, t in zip(self.positions, wrapped):
            args[i] = t
        return tuple(args)

    def wrap_outputs(self, out):
        single = isinstance(out, Tensor)
        outs = (out,) if single else out
        if not isinstance(outs, tuple) or not all(isinstance(o, Tensor) for o in outs):
            return out
        if not any(o.requires_grad for o in outs):
            return out
        wrapped = _OutputsSide.apply(self, *outs)
        return wrapped[0] if single else wrapped

    def call_hooks(self, grad_input):
        for hook in list(self.module._backward_hooks.values()):
            result = hook(self.module, grad_input, self.grad_output)
            if result is not None:
                result = result if isinstance(result, tuple) else (result,)
                if len(result) != len(grad_input):
                    raise RuntimeError(f"backward hook: returned {len(result)} gradients, expected "
                                       f"{len(grad_input)} (one per Tensor input)")
                grad_input = result
        return grad_input


class _OutputsSide(Function):
    @staticmethod
    def forward(ctx, state, *outs):
        ctx.state = state
        ctx.set_materialize_grads(False)
        return tuple(outs)  # the same tensors: their arrays stay owned by them

    @staticmethod
    def backward(ctx, *grads):
        state = ctx.state
        state.grad_output = grads
        if not state.inputs_need_grad:
            state.call_hooks((None,) * len(state.positions))
        return (None,) + grads


class _InputsSide(Function):
    @staticmethod
    def forward(ctx, state, *inputs):
        ctx.state = state
        ctx.set_materialize_grads(False)
        return tuple(inputs)

    @staticmethod
    def backward(ctx, *grads):
        return (None,) + tuple(ctx.state.call_hooks(grads))
