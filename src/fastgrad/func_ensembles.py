"""torch.func's stack_module_state and linearize, for fastgrad.func.

stack_module_state turns M models of one class into one set of stacked parameters and buffers,
so that vmap over functional_call runs the ensemble:

    params, buffers = stack_module_state(models)
    base = copy.deepcopy(models[0])                       # any model of the class
    def call(p, b, x):
        return functional_call(base, (p, b), (x,))
    outputs = vmap(call, in_dims=(0, 0, None))(params, buffers, x)      # (M, batch, ...)

linearize(func, *primals) evaluates func once and returns (output, jvp_fn), jvp_fn(*tangents) the
Jacobian-vector product at the primals. replace_all_batch_norm_modules_ makes every BatchNorm of a
model normalize with its batch's statistics only, as vmap over models needs.
"""
from .autograd.grad_mode import no_grad
from .autograd.tensor import Tensor
from .ops.shape import stack

__all__ = ["linearize", "replace_all_batch_norm_modules_", "stack_module_state"]


def stack_module_state(models):
    """({name: parameters of every model stacked on a new first axis}, {name: buffers stacked
    the same way}). The stacked parameters are new leaves (requires_grad as the originals'),
    unrelated to the models' own, so an optimizer can train them directly.

    >>> params, buffers = stack_module_state([nn.Linear(3, 2) for _ in range(4)])
    >>> params["weight"].shape
    (4, 2, 3)
    """
    models = list(models)
    if not models:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if len({type(m) for m in models}) != 1:
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")
    if len({m.training for m in models}) != 1:
        raise RuntimeError("stack_module_state: Expected all models to have the same training/eval mode.")

    def stacked(named):
        tables = [dict(named(m)) for m in models]
        names = list(tables[0])
        if any(list(t) != names for t in tables[1:]):
            raise RuntimeError("stack_module_state: Expected all models to have the same parameters and buffers")
        result = {}
        with no_grad():
            for name in names:
                shapes = {tuple(t[name].shape) for t in tables}
                if len(shapes) != 1:
                    raise RuntimeError(f"stack_module_state: {name!r} has different shapes across the models: "
                                       f"{sorted(shapes)}")
                result[name] = stack([t[name].detach() for t in tables], 0)
        return result

    params = stacked(lambda m: m.named_parameters())
    for name, value in params.items():
        value.requires_grad_(dict(models[0].named_parameters())[name].requires_grad)
    return params, stacked(lambda m: m.named_buffers())


def linearize(func, *primals):
    """(func(*primals), jvp_fn): jvp_fn(*tangents) = J(primals) @ tangents, tangents shaped as the
    primals (computed by fastgrad.func.jvp at the fixed primals on each call).

    >>> y, push = linearize(fastgrad.sin, x)
    >>> push(v)                                   # cos(x) * v
    """
    from . import func as _func
    if not callable(func):
        raise TypeError(f"func.linearize: argument 'func' must be callable, got {type(func).__name__}")
    if not primals or not all(isinstance(p, Tensor) for p in primals):
        raise TypeError("func.linearize: the primals must be one or more Tensors")
    fixed = tuple(p.detach() for p in primals)
    output = func(*primals)

    def jvp_fn(*tangents):
        if len(tangents) != len(fixed):
            raise RuntimeError(f"func.linearize: jvp_fn expected {len(fixed)} tangents, got {len(tangents)}")
        for i, (p, t) in enumerate(zip(fixed, tangents)):
            if not isinstance(t, Tensor) or tuple(t.shape) != tuple(p.shape) or t.dtype != p.dtype:
                got = f"{type(t).__name__}" if not isinstance(t, Tensor) else f"shape {tuple(t.shape)}, {t.dtype}"
                raise RuntimeError(f"func.linearize: tangent {i} must be a Tensor of the primal's shape "
                                   f"{tuple(p.shape)} and dtype {p.dtype}, got {got}")
        return _func.jvp(func, fixed, tuple(tangents))[1]
    return output, jvp_fn


def replace_all_batch_norm_modules_(root):
    """root, changed in place: every BatchNorm in it (root included) stops tracking running
    statistics (running_mean, running_var and num_batches_tracked become None,
    track_running_stats False), so it normalizes with the batch's statistics in training and
    evaluation alike.

    >>> model = replace_all_batch_norm_modules_(model)
    """
    from .nn.modules.norm import _BatchNorm
    for module in root.modules():
        if isinstance(module, _BatchNorm) and module.track_running_stats:
            module.running_mean = module.running_var = module.num_batches_tracked = None
            module.track_running_stats = False
    return root
