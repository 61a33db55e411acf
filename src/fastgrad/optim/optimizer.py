"""Optimizer: parameter groups, per-parameter state, and the step loop.

A subclass says what state a parameter needs and how one update is made, in
two forms: `_fused_update` (one C call for a list of same-dtype NumPy
parameters) and `_reference_update` (the plain-array twin of
fastgrad/backend/reference/optim.py for one parameter).  The choice between
them is made here, once per step: float32/float64 NumPy arrays go to the C
kernels in one call per (dtype, step) bucket; anything else (other dtypes,
CuPy or array-API arrays, non-contiguous views) to the twin.
"""
import numpy as np

from ..autograd.grad_mode import enable_grad, no_grad
from ..backend import namespace_of
from ..autograd.tensor import Tensor

_FUSED_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


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

    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        self.state = {}
        self.param_groups = []
        self._plans = {}     # id(group) -> _Plan: the fast path of a group whose last step was one fused call
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
        self._plans = {}

    def _check_hyperparameters(self, group):
        """Raise ValueError for invalid values in `group` (subclasses)."""

    # ---- gradients ------------------------------------------------------------

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all parameters: to None (default) or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad[...] = 0

    # ---- the step -------------------------------------------------------------

    def step(self, closure=None):
        """Update every parameter that has a gradient, in place.

        `closure` (optional) re-evaluates the model and returns the loss; it is
        called with gradients enabled and its value returned."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                self._step_group(group)
        return loss

    def _step_group(self, group):
        params = group["params"]
        plan = self._plans.get(id(group))
        if plan is not None and plan.fits(params, group):
            key = self._next_key(plan.states, group)
            try:
                self._fused_update(params, plan.states, group, key)
            except (TypeError, ValueError):
                # A missing grad or an array the kernel does not take: the general
                # path below sorts it out (the kernel wrote nothing).
                del self._plans[id(group)]
            else:
                self._commit(plan.states, group)
                for p in params:
                    p._version[0] += 1
                return
        self._step_group_general(group)

    def _step_group_general(self, group):
        """Sort the parameters with a gradient into fused buckets and twin calls."""
        params = [p for p in group["params"] if p.grad is not None]
        if not params:
            return
        state = self.state
        buckets = {}
        slow = []
        for p in params:
            s = state.get(p)
            if not s:
                s = state[p] = self._init_state(p, group)
            else:
                _follow_device(p, s)
            key = self._advance(p, s, group)
            data = p.data
            if type(data) is np.ndarray and data.dtype in _FUSED_DTYPES:
                bucket = buckets.get((data.dtype.char, key))
                if bucket is None:
                    buckets[(data.dtype.char, key)] = bucket = []
                bucket.append(p)
            else:
                slow.append((p, key))
        fused_all = False
        for (_, key), bucket in buckets.items():
            try:
                self._fused_update(bucket, [state[p] for p in bucket], group, key)
            except (TypeError, ValueError):
                # The kernel checks everything before it writes anything; arrays
                # it does not take (a view, a grad of another dtype) go to the twin.
                slow.extend((p, key) for p in bucket)
            else:
                fused_all = len(bucket) == len(group["params"])
        for p, key in slow:
            self._reference_update(p, _plain_grad(p), state[p], group, key)
        for p in params:
            p._version[0] += 1
        if fused_all and not slow:
            self._plans[id(group)] = _Plan(group, [state[p] for p in params])
        else:
            self._plans.pop(id(group), None)

    def _next_key(self, states, group):
        """The key of the next fused call for a group in step (subclasses; see _advance)."""
        return None

    def _commit(self, states, group):
        """Count the step just made by a fused call (subclasses; e.g. step += 1)."""

    def _init_state(self, p, group):
        """The state of a parameter before its first step (subclasses)."""
        return {}

    def _advance(self, p, state, group):
        """Count a step in `state`; return what the fused call depends on (e.g. the step number)."""
        return None

    def _fused_update(self, params, states, group, key):
        raise NotImplementedError

    def _reference_update(self, p, grad, state, group, key):
        raise NotImplementedError

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
        self.param_groups = new_groups
        self._plans = {}


class _Plan:
    """A group whose parameters all went through one fused call last step, with their states.

    The next step goes straight to that call while the group's parameter list
    and option flags are unchanged; the kernel itself checks every array."""

    __slots__ = ("params", "n", "flags", "states")

    def __init__(self, group, states):
        self.params = group["params"]
        self.n = len(self.params)
        self.flags = _flags(group)
        self.states = states

    def fits(self, params, group):
        return params is self.params and len(params) == self.n and _flags(group) == self.flags


def _flags(group):
    """The options that change which state buffers a step uses."""
    return (group.get("amsgrad"), group.get("centered"), group.get("momentum", 0) > 0,
            group.get("momentum_form"))


def _follow_device(p, state):
    """Move state arrays to where the parameter now lives (after module.to(device))."""
    kind = type(p.data)
    for key, value in state.items():
        if hasattr(value, "shape") and type(value) is not kind:
            from ..device import device_of, move_array

            state[key] = move_array(value, str(device_of(p.data)))


def _plain_grad(p):
    g = p.grad
    return g.data if type(g) is Tensor else g


def _restore_value(opt, key, value, p):
    """A copy of a saved state entry: arrays take the parameter's dtype and array type."""
    if isinstance(value, Tensor):
        value = value.data
    if key == "step":
        return int(value.item() if hasattr(value, "item") else value)
    if not hasattr(value, "shape"):
        return value
    if tuple(value.shape) != tuple(p.shape):
        raise ValueError(f"{opt}.load_state_dict: state '{key}' has shape {tuple(value.shape)}, "
                         f"its parameter has shape {tuple(p.shape)}")
    xp = namespace_of(p.data)
    if xp is np:
        if not isinstance(value, np.ndarray) and hasattr(value, "get"):
            value = value.get()            # a CuPy array saved from the GPU
        return np.array(value, dtype=p.data.dtype, order="C", copy=True)
    source = value if namespace_of(value) is xp else np.asarray(value)
    return xp.asarray(source, dtype=p.data.dtype, copy=True)
