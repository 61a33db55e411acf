"""Optimizer steps in a plan: a kept `optimizer.step()` call made without its layers of Python.

A recording keeps `optimizer.step()` as a call (capture.replayed_call).  When
the optimizer uses the base class's step (no closure), a plan calls an
`OptimizerStep` instead: it holds, from when the plan was made, the lists the
step gathers (each group's parameters, their arrays and their states) and at
every call checks that they are still what Optimizer._gather would gather
(the same groups, parameters, arrays and states, every parameter with a
gradient of its shape and dtype); then it moves the versions on and runs the
group's update.  For Adam and AdamW without amsgrad and with the default
foreach/fused switches, the update is one `adam_step` kernel call on those
lists with the scalars functional.adam computes.  When a check fails the call
is Optimizer.step itself, which sorts out whatever changed.

The checks and the update are one generated function, written for the number
of groups and parameters the optimizer had (`OptimizerStep.source`): a replay
pays for a few identity tests per parameter and one kernel call per group.
"""
import math

import numpy as np

from .. import _C
from ..autograd.tensor import Tensor
from ..optim import _lists
from ..optim.adam import Adam, AdamW
from ..optim.optimizer import Optimizer, by_step

_STEP = Optimizer.step.__wrapped__  # the function a recording keeps for optimizer.step()
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


class _Group:
    __slots__ = ("group", "params", "param_list", "arrays", "states", "adam")

    def __init__(self, opt, group):
        self.group = group
        self.param_list = group["params"]
        self.params = list(self.param_list)
        self.arrays = [p._data for p in self.params]
        self.states = [opt.state.get(p) for p in self.params]
        self.adam = (type(opt) in (Adam, AdamW) and not group["amsgrad"] and group.get("foreach") is None
                     and group.get("fused") is None
                     and all(type(a) is np.ndarray and a.dtype in _FLOATS for a in self.arrays))


def lowered(fn, args, kwargs):
    """An OptimizerStep doing what the kept call fn(*args, **kwargs) does, or None."""
    if fn is not _STEP or kwargs or len(args) != 1:
        return None
    opt = args[0]
    if type(opt).step is not Optimizer.step or type(opt)._gather is not Optimizer._gather:
        return None
    groups = [_Group(opt, group) for group in opt.param_groups]
    if not groups or any(not g.params or any(s is None for s in g.states) for g in groups):
        return None
    return OptimizerStep(opt, groups)


class OptimizerStep:
    """optimizer.step() on the lists gathered when the plan was made (see the module's doc).
    `run()` is the step; `fast_calls` counts the calls that did not need Optimizer.step."""

    def __init__(self, opt, groups):
        self.opt = opt
        self.groups = groups
        self.fast_calls = 0
        self.source, names = _step_source(opt, groups)
        names["_self"] = self
        exec(compile(self.source, "<fastgrad.jit optimizer step>", "exec"), names)
        self.run = names["run"]


def _step_source(opt, groups):
    """The source of `run()` for `groups` of `opt`, and the names it reads."""
    names = {"_opt": opt, "_state": opt.state, "_groups": opt.param_groups, "_STEP": _STEP, "_Tensor": Tensor,
             "_first_unlike": _C.first_unlike, "_adam_step": _C.adam_step, "_lists_run": _lists.run,
             "_adam_by_step": _adam_by_step, "_sqrt": math.sqrt, "_decoupled": getattr(opt, "_decoupled", False)}
    checks = ["    opt = _opt",
              "    groups = opt.param_groups",
              f"    if opt.state is not _state or groups is not _groups or len(groups) != {len(groups)}:",
              "        return _STEP(opt)",
              "    get = _state.get"]
    updates = ["    _self.fast_calls += 1"]
    for k, g in enumerate(groups):
        n = len(g.params)
        names.update({f"_g{k}": g.group, f"_l{k}": g.param_list, f"_arrays{k}": g.arrays,
                      f"_states{k}": g.states, f"_group{k}": g})
        p = [f"_p{k}_{i}" for i in range(n)]
        a = [f"_a{k}_{i}" for i in range(n)]
        s = [f"_s{k}_{i}" for i in range(n)]
        for i in range(n):
            names.update({p[i]: g.params[i], a[i]: g.arrays[i], s[i]: g.states[i]})
        grad = [f"G{k}_{i}" for i in range(n)]
        checks += [f"    g{k} = groups[{k}]",
                   f"    l{k} = g{k}['params']",
                   f"    if g{k} is not _g{k} or l{k} is not _l{k} or len(l{k}) != {n}:",
                   "        return _STEP(opt)"]
        if g.adam:  # read at every call: a switch turned on after the plan was made leaves this path
            checks += [f"    if g{k}['amsgrad'] or g{k}.get('foreach') is not None or g{k}.get('fused') is not None:",
                       "        return _STEP(opt)"]
        same = [f"l{k}[{i}] is not {p[i]} or {p[i]}._data is not {a[i]} or get({p[i]}) is not {s[i]}"
                for i in range(n)]
        checks += ["    if (" + "\n            or ".join(same) + "):",
                   "        return _STEP(opt)"]
        checks += [f"    {grad[i]} = {p[i]}._grad" for i in range(n)]
        checks += ["    if (" + "\n            or ".join(f"type({G}) is not _Tensor" for G in grad) + "):",
                   "        return _STEP(opt)",
                   f"    grads{k} = [{', '.join(f'{G}._data' for G in grad)}]",
                   f"    if _first_unlike(grads{k}, _arrays{k}) >= 0:",
                   "        return _STEP(opt)"]
        updates += [f"    {p[i]}._version[0] += 1" for i in range(n)]
        if g.adam:
            # Optimizer.step -> Adam._update_group -> by_step -> functional.adam -> _lists.run -> adam_step
            exp_avgs = ", ".join(f'{x}["exp_avg"]' for x in s)
            exp_avg_sqs = ", ".join(f'{x}["exp_avg_sq"]' for x in s)
            updates += [f"    step = {s[0]}['step'] + 1",
                        "    if " + " and ".join([f"{x}['step'] + 1 == step" for x in s[1:]] or ["True"]) + ":"]
            updates += [f"        {x}['step'] = step" for x in s]
            updates += [f"        lr = g{k}['lr']",
                        f"        beta1, beta2 = g{k}['betas']",
                        f"        exp_avgs, exp_avg_sqs = [{exp_avgs}], [{exp_avg_sqs}]",
                        f"        eps, weight_decay, maximize = g{k}['eps'], g{k}['weight_decay'], g{k}['maximize']",
                        "        step_size, bias_correction2_sqrt = lr / (1.0 - beta1 ** step), _sqrt(1.0 - beta2 ** step)",
                        "        try:",
                        f"            _adam_step(_arrays{k}, grads{k}, exp_avgs, exp_avg_sqs, None, lr=lr, beta1=beta1, "
                        "beta2=beta2, eps=eps,",
                        "                       weight_decay=weight_decay, step_size=step_size, "
                        "bias_correction2_sqrt=bias_correction2_sqrt,",
                        "                       maximize=maximize, decoupled=_decoupled)",
                        "        except (TypeError, ValueError):  # arrays the kernel refuses (it checks all first)",
                        f"            _lists_run('adam_step', [_arrays{k}, grads{k}, exp_avgs, exp_avg_sqs, None],",
                        "                       dict(lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay,",
                        "                            step_size=step_size, bias_correction2_sqrt=bias_correction2_sqrt,",
                        "                            maximize=maximize, decoupled=_decoupled))",
                        "    else:",
                        f"        _adam_by_step(opt, _group{k}, grads{k})"]
        else:
            updates.append(f"    opt._update_group(g{k}, _arrays{k}, grads{k}, _states{k})")
    source = "def run():\n" + "\n".join(checks + updates) + "\n"
    return source, names


def _adam_by_step(opt, g, grads):
    """Adam._update_group for one group whose parameters are at different step numbers: one kernel
    call per step number (by_step counts the step of each)."""
    group = g.group
    states = g.states
    exp_avgs = [s["exp_avg"] for s in states]
    exp_avg_sqs = [s["exp_avg_sq"] for s in states]
    lr, (beta1, beta2) = group["lr"], group["betas"]
    for step, lists in by_step(states, g.arrays, grads, exp_avgs, exp_avg_sqs, None):
        scalars = dict(lr=lr, beta1=beta1, beta2=beta2, eps=group["eps"], weight_decay=group["weight_decay"],
                       step_size=lr / (1.0 - beta1 ** step), bias_correction2_sqrt=math.sqrt(1.0 - beta2 ** step),
                       maximize=group["maximize"], decoupled=opt._decoupled)
        try:
            _C.adam_step(*lists, **scalars)
        except (TypeError, ValueError):  # arrays the C kernel refuses (it checks all before writing any)
            _lists.run("adam_step", list(lists), scalars)
