"""A recording and its replay: a list of steps over numbered slots.

A slot holds what one step made during a replay: an op's output array, the
saved state of an op for its backward, a gradient, a Python object.  A step
reads its inputs through getters (a slot, the current array of a tensor that
lives outside the function such as a parameter, or a constant) and writes its
result into its slot.  The steps call exactly what the eager call called (each
op's array-level forward and backward, the same unbroadcast and casts, the
engine's leaf accumulation, optimizer steps), in the same order, so a replay
gives the eager results bit for bit; what it leaves out is the Python
bookkeeping around them: Tensor objects, graph nodes, backend choice, the
graph walk.
"""
import operator

import numpy as np

from ..autograd._graph import (Context, ScratchContext, TensorBase, compiled_backward, compiled_forward,
                               new_tensor)
from ..autograd.engine import _accumulate_into_leaf
from ..ops.broadcast import unbroadcast
from .arrays import copy_array

_ndarray = np.ndarray
_generic = np.generic
_scratch = ScratchContext


def replay_context(cls, backend, parents):
    """A graph node for one op's forward and backward during a replay (never linked into a graph:
    `parents` only marks which inputs need a gradient)."""
    ctx = Context.__new__(Context)
    ctx.fn = cls
    ctx.backend = backend
    ctx.parents = parents
    ctx.saved_arrays = ()
    return ctx


# ---- getters: how a step finds one of its arguments --------------------------------------------

def getter(spec):
    """A function of the slot list for a source spec made by the recorder."""
    kind = spec[0]
    if kind == "slot":
        return operator.itemgetter(spec[1])
    if kind == "const":
        value = spec[1]
        return lambda s: value
    if kind == "fresh":  # a constant array the caller or a later step may write into: a new copy
        value = spec[1]
        return lambda s: copy_array(value)
    if kind == "tensor":  # a tensor from outside the function: its array now
        tensor = spec[1]
        return lambda s: tensor._data
    if kind == "view":
        _, slot, shape, dtype, offset, strides = spec
        return lambda s: np.ndarray(shape, dtype, buffer=s[slot], offset=offset, strides=strides)
    if kind == "seq":
        make, parts = spec[1], [getter(p) for p in spec[2]]
        return lambda s: make(g(s) for g in parts)
    raise ValueError(f"jit: unknown source kind {kind!r}")


# ---- steps ---------------------------------------------------------------------------------------

def forward_step(cls, backend, arg_specs, kw_specs, out, ctx_slot, parents, rule=0):
    """One op's forward, as Primitive.apply runs it, minus the Tensor and graph bookkeeping
    (`rule`: the engine's compiled rule the eager call ran, 0 for the class's own forward)."""
    forward = cls.forward
    read = _reader(arg_specs)
    kws = [(k, getter(v)) for k, v in kw_specs.items()]
    if rule:
        return _compiled_forward_step(cls, backend, read, out, ctx_slot, parents, rule)

    def step(s):
        ctx = _scratch() if ctx_slot is None else replay_context(cls, backend, parents)
        if kws:
            y = forward(ctx, backend, *read(s), **{k: g(s) for k, g in kws})
        else:
            y = forward(ctx, backend, *read(s))
        if type(y) is not _ndarray and isinstance(y, _generic):
            raw = y
            y = np.asarray(y)
            if ctx_slot is not None and ctx.saved_arrays:
                ctx.saved_arrays = tuple(y if a is raw else a for a in ctx.saved_arrays)
        s[out] = y
        if ctx_slot is not None:
            ctx.dtype = y.dtype
            ctx.shape = y.shape
            s[ctx_slot] = ctx

    return step


def _compiled_forward_step(cls, backend, read, out, ctx_slot, parents, rule):
    if ctx_slot is None:
        def step(s):
            s[out] = compiled_forward(rule, read(s))
    else:
        def step(s):
            s[out], s[ctx_slot] = compiled_forward(rule, read(s), cls, backend, parents)

    return step


def _reader(specs):
    """slot list -> the tuple of a step's positional arguments (one C call when all are slots)."""
    if specs and all(spec[0] == "slot" for spec in specs):
        if len(specs) == 1:
            slot = specs[0][1]
            return lambda s: (s[slot],)
        return operator.itemgetter(*[spec[1] for spec in specs])
    if len(specs) == 2 and {specs[0][0], specs[1][0]} == {"slot", "const"}:  # x * 1.01, 2 - x
        (kind, a), (_, b) = specs
        return (lambda s: (s[a], b)) if kind == "slot" else (lambda s: (a, s[b]))
    getters = [getter(spec) for spec in specs]
    return lambda s: tuple([g(s) for g in getters])


def backward_step(cls, backend, ctx_slot, grad_slot, targets, rule=0):
    """One node's backward as the engine runs it: the rule, then each input's gradient summed back
    over broadcast axes, cast to the input's dtype and added to what that input has so far."""
    backward = cls.backward

    def step(s):
        if rule:
            grads = compiled_backward(s[ctx_slot], s[grad_slot])
        else:
            grads = backward(s[ctx_slot], backend, s[grad_slot])
        if type(grads) is not tuple:
            grads = (grads,)
        for target, gi in zip(targets, grads):
            if target is None or gi is None:
                continue
            slot, shape, dtype, reduce, cast = target
            if reduce:
                gi = unbroadcast(backend.xp, gi, shape)
            if cast:
                gi = gi.astype(dtype)
            prev = s[slot]
            s[slot] = gi if prev is None else prev + gi

    return step


def accumulate_step(spec, slot):
    """A root gradient of a backward pass, added to its node's (or leaf's) gradient slot."""
    get = getter(spec)

    def step(s):
        value = get(s)
        prev = s[slot]
        s[slot] = value if prev is None else prev + value

    return step


def leaves_step(entries, given_specs):
    """The engine's last part of backward(): each leaf's total added to its `.grad`."""
    given = [getter(g) for g in given_specs]

    def step(s):
        taken = set()
        for g in given:
            value = g(s)
            taken.add(id(value._data if isinstance(value, TensorBase) else value))
        for leaf_spec, grad_slot, out in entries:
            if leaf_spec[0] == "slot":
                leaf = s[leaf_spec[1]]
            else:
                # A leaf made inside the function and dropped after the recording: a new one, as
                # the eager call would make; otherwise (a parameter) the leaf itself.
                leaf = leaf_spec[1]()
                if leaf is None:
                    leaf = new_tensor(None, True, None)
            _accumulate_into_leaf(leaf, s[grad_slot], taken)
            s[out] = leaf._grad._data

    return step


def call_step(fn, args, kwargs, out):
    """A call kept as a call (optimizer.step(), zero_grad(), a scheduler step, clipping)."""

    def step(s):
        result = fn(*args, **kwargs)
        if out is not None:
            s[out] = result._data if isinstance(result, TensorBase) else result

    return step


def grad_assignment_step(target_spec, value_spec):
    """`tensor.grad = value`, done again."""
    target, value = getter(target_spec), getter(value_spec)

    def step(s):
        target(s).grad = value(s)

    return step


def array_step(fn, arg_specs, out):
    """An array computed outside an op (autograd.capture.run), computed again."""
    args = [getter(a) for a in arg_specs]

    def step(s):
        result = fn(*[g(s) for g in args])
        if out is not None:
            s[out] = result

    return step


# ---- the whole recording -------------------------------------------------------------------------

class Tape:
    """The steps of one recorded call, replayed on new inputs of the same signature."""

    def __init__(self, nslots, input_slots, steps, outputs, guards):
        self.nslots = nslots
        self.input_slots = input_slots  # per dynamic input: (array slot, object slot or None)
        self.steps = steps
        self.outputs = outputs          # slot list -> the function's result
        self.guards = guards            # (tensor, array type, shape, dtype, requires_grad) of outside tensors read
        self.verified = False           # True once a second recording on other inputs agreed (verify.py)
        self.checked_on = None          # the inputs a second recording agreed on, when they were the same
        self.first_inputs = None        # copies of the inputs of this recording, until verified
        self.fingerprints = []
        self.models = None              # what each slot held while recording, until lowered (lowering.py)
        self.plan = None                # the lowered plan (lowering.Plan) once verified, or None
        self.hot_checks = {}            # fast key -> hot_path.hot_check for it (function.py)
        self.on_numpy = True            # False when any array or op was of another library (CuPy):
        #                                 lowered plans call the C kernels, so such a recording is
        #                                 replayed step by step

    def still_valid(self):
        """False when a tensor from outside the function (a parameter) changed type, shape, dtype or
        requires_grad since the recording: then the function is recorded again."""
        for tensor, kind, shape, dtype, requires_grad in self.guards:
            data = tensor._data
            if (type(data) is not kind or data.shape != shape or (data.dtype is not dtype and data.dtype != dtype)
                    or tensor._requires_grad != requires_grad):
                return False
        return True

    def replay(self, leaves):
        plan = self.plan
        # The plan's buffers serve one replay at a time (another thread, or a call made again from
        # inside a kept step, replays step by step); so does a plan that is not usable now.
        if plan is not None and plan.usable() and plan.lock.acquire(False):
            try:
                result = plan.run(leaves)
                plan.calls += 1
            finally:
                plan.lock.release()
            return result
        s = [None] * self.nslots
        for value, (array_slot, object_slot) in zip(leaves, self.input_slots):
            if object_slot is None:
                s[array_slot] = value
            else:
                s[array_slot] = value._data
                s[object_slot] = value
        for step in self.steps:
            step(s)
        return self.outputs(s)

    def __len__(self):
        return len(self.steps)


def output_builder(rebuild, specs):
    """slot list -> the function's result: `rebuild` (the structure) over the output leaves."""
    makers = []
    for spec in specs:
        kind = spec[0]
        if kind == "new_tensor":
            slot = spec[1]
            makers.append(lambda s, slot=slot: new_tensor(s[slot], False, None))
        elif kind == "object":
            slot = spec[1]
            makers.append(operator.itemgetter(slot))
        elif kind == "same":
            value = spec[1]
            makers.append(lambda s, value=value: value)
        else:
            makers.append(getter(spec))

    def outputs(s):
        return rebuild([m(s) for m in makers])

    outputs.rebuild, outputs.specs = rebuild, specs  # what a lowered plan builds its result from
    return outputs
