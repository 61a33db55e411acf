"""Optimizer: parameter groups, per-parameter state, and the step loop.

The classes hold state and parameter groups only; the arithmetic is in
functional.py, one function per algorithm over lists of arrays.  A subclass
writes three things: `_check_hyperparameters(group)`, `_new_state(p, group)`
(the state of a parameter before its first step) and `_update_group(group,
arrays, grads, states)`, which gets the lists `_gather` made of the group's
parameters that have a gradient and calls its functional form.
"""
from typing import Any, Dict, Iterable, Union

import numpy as np

from ..autograd.capture import replayed_call
from ..autograd.grad_mode import STATE as GRAD_STATE, enable_grad
from ..backend import namespace_of
from ..autograd.tensor import Tensor
from ..profiler.recording import labelled_step
from .. import _C
from . import _checks
from ._arrays import grad_array, zeros_like

# What an optimizer takes: Tensors, or dicts holding "params" and group hyperparameters.
Params = Union[Iterable[Tensor], Iterable[Dict[str, Any]]]


class _Required:
    def __repr__(self):
        return "<required parameter>"


required = _Required()


class Optimizer:
    """Base class of the optimizers (PyTorch's interface).

    `params` is an iterable of Tensors, or of dicts each holding `params` and
    per-group hyperparameters that override the defaults:

    >>> opt = SGD([{"params": model.weight}, {"params": model.bias, "lr": 1e-2}], lr=1e-3)
    """

    def __init__(self, params: Params, defaults: Dict[str, Any]) -> None:
        """`defaults`: the hyperparameters of every group; checked (foreach and fused,
        then `_check_hyperparameters`) before the parameters are."""
        _checks.foreach_and_fused(type(self).__name__, defaults.get("foreach"), defaults.get("fused"))
        self._check_hyperparameters(dict(defaults))
        self.defaults = dict(defaults)
        self.state = {}
        self._homes = {}     # parameter -> the array type its state arrays were made for
        self._gathered = {}  # id(group) -> _Gathered, the lists of its last step
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError(f"{type(self).__name__}: params must be an iterable of Tensors or dicts, "
                            "got a single Tensor (wrap it in a list)")
        param_groups = list(params)
        if not param_groups:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(k for k in group if k != "params"):
                lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)

    # ---- groups ---------------------------------------------------------------

    def add_param_group(self, param_group):
        """Add a group of parameters (a dict with 'params' and optional hyperparameters)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"add_param_group: expected a dict, got {type(param_group).__name__}")
        group = dict(param_group)
        params = group.get("params")
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("add_param_group: parameters must be an ordered collection (list or tuple), "
                            "not a set, so that their order is the same between runs")
        else:
            params = list(params)
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(f"add_param_group: params[{i}] is a {type(p).__name__}, not a Tensor")
            if not p.is_leaf:
                raise ValueError(f"add_param_group: params[{i}] is not a leaf tensor; cannot optimize it")
        group["params"] = params
        for key, default in self.defaults.items():
            if default is required and key not in group:
                raise ValueError(f"add_param_group: parameter group didn't specify a value of required "
                                 f"optimization parameter {key}")
            group.setdefault(key, default)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if len({id(p) for p in params}) != len(params):
            raise ValueError("add_param_group: a parameter appears more than once in the group")
        if any(id(p) in seen for p in params):
            raise ValueError("add_param_group: some parameters appear in more than one parameter group")
        self._check_hyperparameters(group)
        self.param_groups.append(group)

    def _check_hyperparameters(self, group):
        """Raise ValueError for invalid values in `group` (subclasses)."""

    # ---- gradients ------------------------------------------------------------

    @replayed_call
    @labelled_step("zero_grad")
    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all parameters: to None (default) or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    grad_array(p.grad)[...] = 0

    # ---- the step -------------------------------------------------------------

    @replayed_call
    @labelled_step("step")
    def step(self, closure=None):
        """Update every parameter that has a gradient, in place.

        `closure` (optional) re-evaluates the model and returns the loss; it is
        called with gradients enabled and its value returned."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        enabled = GRAD_STATE.enabled
        GRAD_STATE.enabled = False  # as `with no_grad():`, without making its object at every step
        try:
            for group in self.param_groups:
                arrays, grads, states = self._gather(group)
                if arrays:
                    self._update_group(group, arrays, grads, states)
        finally:
            GRAD_STATE.enabled = enabled
        return loss

    def _update_group(self, group, arrays, grads, states):
        """One step of the group's parameters that have a gradient, given their arrays,
        gradients and states (lists from _gather; subclasses)."""
        raise NotImplementedError

    def _new_state(self, p, group):
        """The state of a parameter before its first step (subclasses)."""
        return {}

    def _gather(self, group):
        """(arrays, grads, states) of the group's parameters that have a gradient.

        Each gradient is checked against its parameter (same shape and dtype),
        a parameter's state is made on its first step, and the parameters'
        version counters move on (the step changes them in place).  When every
        parameter of the group had a gradient and every array is a NumPy array,
        the lists are kept for the next step, which reuses them while the group's
        parameters, their arrays and their states are the same objects."""
        kept = self._gathered.get(id(group))
        if kept is not None and kept.group is group and kept.state is self.state:
            grads = kept.grads_if_unchanged(group["params"])
            if grads is not None:
                return kept.arrays, grads, kept.states
        arrays, grads, states = [], [], []
        state = self.state
        homes = self._homes
        params = group["params"]
        for p in params:
            g = p.grad
            if g is None:
                continue
            if type(g) is not np.ndarray:
                g = grad_array(g)
            data = p._data
            if g.shape != data.shape or (g.dtype is not data.dtype and g.dtype != data.dtype):
                raise ValueError(self._grad_mismatch(group, p, data, g))
            s = state.get(p)
            if not s:
                s = state[p] = self._new_state(p, group)
                homes[p] = type(data)
            elif homes.get(p) is not type(data):
                _follow_device(data, s)
                homes[p] = type(data)
            arrays.append(data)
            grads.append(g)
            states.append(s)
            p._version[0] += 1
        if len(arrays) == len(params) and all(type(a) is np.ndarray for a in arrays):
            self._gathered[id(group)] = _Gathered(group, state, list(params), arrays, states)
        else:
            self._gathered.pop(id(group), None)
        return arrays, grads, states

    def _grad_mismatch(self, group, p, data, g):
        i = next(k for k, q in enumerate(group["params"]) if q is p)
        g_index = next(k for k, other in enumerate(self.param_groups) if other is group)
        where = f"parameter {i}" + (f" of group {g_index}" if len(self.param_groups) > 1 else "")
        what = "shape" if g.shape != data.shape else "dtype"
        got, want = (tuple(g.shape), tuple(data.shape)) if what == "shape" else (g.dtype, data.dtype)
        return (f"{type(self).__name__}.step: the gradient of {where} has {what} {got}, "
                f"but the parameter has {what} {want}")

    # ---- state dict -----------------------------------------------------------

    def state_dict(self):
        """{'state': {index: {name: array or number}}, 'param_groups': [{..., 'params': [indices]}]}.

        Parameters are numbered in the order of the groups; arrays are the live
        state (not copies), as in PyTorch."""
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            ids = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                ids.append(index[id(p)])
            packed["params"] = ids
            groups.append(packed)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                s = self.state.get(p)
                if s:
                    state[index[id(p)]] = dict(s)
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore state and hyperparameters saved by `state_dict()` (arrays are copied)."""
        name = type(self).__name__
        try:
            saved_groups = list(state_dict["param_groups"])
            saved_state = state_dict["state"]
        except (KeyError, TypeError):
            raise ValueError(f"{name}.load_state_dict: expected a dict with 'state' and 'param_groups'") from None
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"{name}.load_state_dict: loaded state dict has {len(saved_groups)} parameter "
                             f"groups, the optimizer has {len(self.param_groups)}")
        by_index = {}
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            saved_ids = list(saved["params"])
            if len(saved_ids) != len(group["params"]):
                raise ValueError(f"{name}.load_state_dict: parameter group {i} has {len(saved_ids)} "
                                 f"parameters in the state dict, {len(group['params'])} in the optimizer")
            for k, p in zip(saved_ids, group["params"]):
                by_index[int(k)] = p
        new_state = {}
        for k, s in saved_state.items():
            p = by_index.get(int(k))
            if p is None:
                raise ValueError(f"{name}.load_state_dict: state for parameter {k}, which no group lists")
            new_state[p] = {key: _restore_value(name, key, value, p) for key, value in s.items()}
        new_groups = []
        for group, saved in zip(self.param_groups, saved_groups):
            g = {k: (tuple(v) if isinstance(v, list) else v) for k, v in saved.items() if k != "params"}
            g["params"] = group["params"]
            new_groups.append(g)
        for g in new_groups:
            self._check_hyperparameters(g)
        self.state = new_state
        self._homes = {p: type(p._data) for p in new_state}
        self._gathered = {}
        self.param_groups = new_groups


class _Gathered:
    """The lists one step of a group gathered, when every parameter had a gradient
    and every parameter's array is a NumPy array."""

    __slots__ = ("group", "state", "params", "arrays", "states")

    def __init__(self, group, state, params, arrays, states):
        self.group, self.state, self.params, self.arrays, self.states = group, state, params, arrays, states

    def grads_if_unchanged(self, params):
        """The gradients of a next step over the same parameters, arrays and states, checked
        like _gather's and with the version counters moved on; None when anything changed
        (a parameter added, removed or without a gradient, an array or a state replaced,
        a gradient unlike its parameter), for _gather to sort out.  The gradients'
        dtypes and shapes are compared in one C loop (_C.first_unlike)."""
        if len(params) != len(self.params):
            return None
        grads = []
        state = self.state
        for p, kept, data, s in zip(params, self.params, self.arrays, self.states):
            g = p.grad
            if p is not kept or g is None or p._data is not data or state.get(p) is not s:
                return None
            grads.append(g._data if type(g) is Tensor else g)   # other kinds: first_unlike refuses them
        if _C.first_unlike(grads, self.arrays) >= 0:
            return None
        for p in params:
            p._version[0] += 1
        return grads


def _follow_device(data, state):
    """Move state arrays to where the parameter now lives (after module.to(device))."""
    kind = type(data)
    for key, value in state.items():
        if type(value) is not kind and hasattr(value, "shape"):
            from ..devices import device_of, move_array

            state[key] = move_array(value, str(device_of(data)))


def new_state(p, *keys, **values):
    """A parameter's state before its first step: step 0, then `values`, then a zero
    array like the parameter for each of `keys`."""
    state = {"step": 0, **values}
    for key in keys:
        state[key] = zeros_like(p._data)
    return state


def state_lists(states, *keys):
    """For each key, [state[key] for each parameter]."""
    return [[s[key] for s in states] for key in keys]


def implementation(group):
    """The group's implementation switches, as keywords of the functional forms."""
    return {"foreach": group.get("foreach"), "fused": group.get("fused")}


def adam_options(group):
    """The keywords the Adam family's functional forms share, from a group."""
    beta1, beta2 = group["betas"]
    return {"lr": group["lr"], "beta1": beta1, "beta2": beta2, "eps": group["eps"],
            "weight_decay": group["weight_decay"], "maximize": group["maximize"], "foreach": group.get("foreach"),
            "fused": group.get("fused")}


def state_buffers(arrays, states, key, make):
    """[state[key] for each parameter], made by make(array) where a state lacks it."""
    out = []
    for a, s in zip(arrays, states):
        buf = s.get(key)
        if buf is None:
            buf = s[key] = make(a)
        out.append(buf)
    return out


def by_step(states, *lists, also=None):
    """Count one step in each state; [(step, lists)] with the parameters grouped by step number.

    Parameters added to a group later, or skipped on some steps, are at other
    step numbers than the rest: each step number gets its own call.  With
    `also` (a state key), parameters are grouped by (step, state[also]) and
    that pair is returned in place of the step."""
    same = True
    first = states[0]["step"] + 1
    for s in states:
        step = s["step"] = s["step"] + 1
        if step != first:
            same = False
    if also is None and same:
        return [(first, lists)]
    key = (lambda s: s["step"]) if also is None else (lambda s: (s["step"], s[also]))
    groups = {}
    for i, s in enumerate(states):
        groups.setdefault(key(s), []).append(i)
    if len(groups) == 1:
        return [(key(states[0]), lists)]
    return [(k, tuple(None if l is None else [l[i] for i in idx] for l in lists)) for k, idx in groups.items()]


def _restore_value(opt, key, value, p):
    """A copy of a saved state entry: arrays take the parameter's dtype and array type."""
    if isinstance(value, Tensor):
        value = value._data
    if key == "step":
        return int(value.item() if hasattr(value, "item") else value)
    if not hasattr(value, "shape"):
        return value
    if tuple(value.shape) != tuple(p.shape):
        raise ValueError(f"{opt}.load_state_dict: state '{key}' has shape {tuple(value.shape)}, "
                         f"its parameter has shape {tuple(p.shape)}")
    xp = namespace_of(p._data)
    if xp is np:
        if not isinstance(value, np.ndarray) and hasattr(value, "get"):
            value = value.get()            # a CuPy array saved from the GPU
        return np.array(value, dtype=p._data.dtype, order="C", copy=True)
    source = value if namespace_of(value) is xp else np.asarray(value)
    return xp.asarray(source, dtype=p._data.dtype, copy=True)
