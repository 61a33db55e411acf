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
    """optimizer.step() on the lists gathered when the plan was made (see the module's doc)."""

    def __init__(self, opt, groups):
        self.opt = opt
        self.state = opt.state
        self.group_list = opt.param_groups
        self.groups = groups
        self.fast_calls = 0  # calls that did not need Optimizer.step

    def __call__(self):
        opt = self.opt
        grads = self._gradients(opt)
        if grads is None:
            return _STEP(opt)
        self.fast_calls += 1
        for g, group_grads in zip(self.groups, grads):
            for p in g.params:
                p._version[0] += 1
            if g.adam:
                _adam(opt, g, group_grads)
            else:
                opt._update_group(g.group, g.arrays, group_grads, g.states)
        return None

    def _gradients(self, opt):
        """Each group's gradient arrays, or None when Optimizer._gather would gather other lists."""
        state = opt.state
        groups = opt.param_groups
        if state is not self.state or groups is not self.group_list or len(groups) != len(self.groups):
            return None
        out = []
        for g, group in zip(self.groups, groups):
            if group is not g.group or group["params"] is not g.param_list or len(g.param_list) != len(g.params):
                return None
            grads = []
            for p, kept, data, s in zip(g.param_list, g.params, g.arrays, g.states):
                grad = p.grad
                if p is not kept or type(grad) is not Tensor or p._data is not data or state.get(p) is not s:
                    return None
                grads.append(grad._data)
            if _C.first_unlike(grads, g.arrays) >= 0:
                return None
            out.append(grads)
        return out


def _adam(opt, g, grads):
    """Adam._update_group for one group on float arrays without amsgrad: adam_step per step number,
    with the scalars functional.adam computes."""
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
