"""The engine's accumulation into `.grad`, and zero_grad(), written out as plan lines.

A recording keeps the last part of backward() (each leaf's total added to its
`.grad`, tape.leaves_step) and optimizer.zero_grad() as steps.  A plan writes
them out instead: per leaf, a `.grad` that is None gets a new Tensor on the
gradient array (copied first when the engine would copy it: a view, a
read-only array, an array already given out), otherwise a new Tensor on the
sum, as engine._accumulate_into_leaf does.  Hooks are looked at on every call:
when a leaf has a tensor hook or any tensor has a post-accumulate hook, or a
leaf has been freed, the call runs the kept step instead.  zero_grad() with
set_to_none goes over the optimizer's groups as Optimizer.zero_grad does,
without its layers of calls.
"""
import weakref

from ..autograd._graph import TensorBase, new_tensor
from ..autograd.engine import _as_owned_array
from ..autograd.tensor import POST_ACCUMULATE_GRAD_HOOKS
from ..optim.optimizer import Optimizer
from . import tape as tape_module

_ZERO_GRAD = Optimizer.zero_grad.__wrapped__  # the function a recording keeps for zero_grad()


def emit_accumulation(src, description, kept_step, fresh=()):
    """Write the lines of a 'gradient accumulation into .grad' step; False when it cannot be.
    A gradient slot in `fresh` holds a new array only it holds (lowerers.Fresh): the engine would
    keep it as it is, so it is not looked at or noted as taken."""
    _, entries, given_specs = description
    leaves = []
    for referent, grad_slot, out in entries:
        if type(referent) is tuple and referent[0] == "slot":
            leaves.append((f"s[{referent[1]}]", None, grad_slot, out))
        elif isinstance(referent, TensorBase):
            leaves.append((src.local("leaf"), src.bind(weakref.ref(referent), "leafref"), grad_slot, out))
        else:
            return False  # the leaf was freed before the plan was made
    names = [name for name, _, _, _ in leaves]
    for name, ref, _, _ in leaves:
        if ref is not None:
            src.line(f"{name} = {ref}()")
    alive = [f"{name} is not None" for name, ref, _, _ in leaves if ref is not None]
    hooks = " or ".join([f"{name}._hooks" for name in names] + [src.bind(POST_ACCUMULATE_GRAD_HOOKS, "post_hooks")])
    src.line(f"if {' and '.join(alive + [f'not ({hooks})'])}:")
    taken = src.local("taken")
    if given_specs:
        src.line(f"    {taken} = {src.bind(_taken_ids(given_specs), 'taken_ids')}(s)")
    elif any(grad_slot not in fresh for _, _, grad_slot, _ in leaves):
        src.line(f"    {taken} = set()")
    new, owned = src.bind(new_tensor, "new_tensor"), src.bind(_as_owned_array, "owned")
    g = src.local("g")
    for name, _, grad_slot, out in leaves:
        src.line(f"    {g} = s[{grad_slot}]")
        src.line(f"    if {name}._grad is None:")
        if grad_slot not in fresh:
            src.line(f"        {g} = {owned}({g}, {taken})")
            src.line(f"        {taken}.add(id({g}))")
        src.line(f"        {name}._grad = {new}({g}, False, None)")
        src.line("    else:")
        src.line(f"        {g} = {name}._grad._data + {g}")
        src.line(f"        {name}._grad = {new}({g}, False, None)")
        src.line(f"    s[{out}] = {g}")
    src.line("else:")
    src.line(f"    {src.bind(kept_step, 'step')}(s)  # a hook or a freed leaf: the engine's own way")
    return True


def _taken_ids(given_specs):
    """slot list -> the ids of the arrays given to backward() (the engine copies a gradient that is one)."""
    getters = [tape_module.getter(spec) for spec in given_specs]

    def taken(s):
        ids = set()
        for get in getters:
            value = get(s)
            ids.add(id(value._data if isinstance(value, TensorBase) else value))
        return ids

    return taken


def lowered_zero_grad(fn, args, kwargs):
    """A function doing what the kept call fn(*args, **kwargs) does when it is Optimizer.zero_grad with
    set_to_none, or None."""
    if fn is not _ZERO_GRAD or not args or len(args) > 2 or set(kwargs) - {"set_to_none"}:
        return None
    opt = args[0]
    set_to_none = args[1] if len(args) == 2 else kwargs.get("set_to_none", True)
    if set_to_none is not True or type(opt).zero_grad is not Optimizer.zero_grad:
        return None

    def zero_grad():
        for group in opt.param_groups:
            for p in group["params"]:
                if p._grad is not None:
                    p.grad = None

    return zero_grad
