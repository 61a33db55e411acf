"""The recorder: watches one eager call and writes down its steps (see tape.py).

It is told about every op (the graph core), every node's backward (through the
op's class on its graph node, swapped for the recording), the engine's passes
and leaf accumulation, calls kept as calls (optimizer steps and the like) and
arrays computed outside ops (autograd/capture.py).  Each argument a step reads
is found by identity: an array made by an earlier step or passed in as an
input is that step's slot; a tensor from outside the function (a parameter) is
read anew at every replay; anything else is a constant of the recording.
"""
import collections.abc
import threading
import weakref

import numpy as np

from ..autograd import capture
from ..autograd._graph import Context, TensorBase, compiled_rule_of
from ..backend import NUMPY, backend_for
from ..backend import mixed_precision as autocast
from ..functional import _flatten
from . import tape
from .arrays import copy_array, is_array
from .models import ContextModel, model_of
from .errors import EAGER_HINT, CaptureError


class _Pass:
    """One backward pass: the gradient slot of each node and leaf it reaches, in the engine's order."""

    def __init__(self, recorder):
        self.recorder = recorder
        self.node_slots = {}   # id(Context) -> slot
        self.leaf_slots = {}   # id(leaf tensor) -> slot
        self.leaves = []       # leaf tensors in the order the engine first gives them a gradient

    def node_slot(self, ctx):
        slot = self.node_slots.get(id(ctx))
        if slot is None:
            slot = self.node_slots[id(ctx)] = self.recorder.new_slot()
        return slot

    def leaf_slot(self, leaf):
        slot = self.leaf_slots.get(id(leaf))
        if slot is None:
            slot = self.leaf_slots[id(leaf)] = self.recorder.new_slot()
            self.leaves.append(leaf)
        return slot


_RECORDING_CLASSES = {}


def _recording_class(cls):
    """`cls` with a backward that also reports the call to the recorder (set on graph nodes made
    during a recording, and put back when it ends)."""
    sub = _RECORDING_CLASSES.get(cls)
    if sub is None:
        original = cls.backward

        def backward(ctx, b, g):
            recorder = capture.recording()
            if recorder is None:
                return original(ctx, b, g)
            recorder.paused = True  # what the rule does inside is the rule's own business
            try:
                grads = original(ctx, b, g)
            finally:
                recorder.paused = False
            recorder.node_backward(cls, ctx, b, g, grads)
            return grads

        sub = type(cls.__name__, (cls,), {"backward": staticmethod(backward), "__module__": cls.__module__,
                                          "__doc__": cls.__doc__})
        _RECORDING_CLASSES[cls] = sub
    return sub


class Recorder:
    def __init__(self, name):
        self.name = name
        self.thread = threading.get_ident()
        self.paused = False
        self.steps = []
        self.fingerprints = []
        self.nslots = 0
        self.slot_of = {}          # id(array or object) -> slot
        self.keep = []             # what slot_of names, kept alive so that ids stay unique
        self.ctx_slots = {}        # id(Context) -> slot of its replay context
        self.ctx_rules = {}        # id(Context) -> the compiled rule its replay runs (0: none)
        self.swapped = []          # (Context, class) whose class was swapped for the recording one
        self.outside = {}          # id(tensor) -> (tensor, its array when first read)
        self.input_objects = {}    # id(input Tensor) -> object slot
        self.input_arrays = []     # (input Tensor, its array)
        self.backward_ran = set()  # ids of Contexts whose backward ran
        self.current_pass = None
        self.finished_pass = None
        self.models = {}           # slot -> what it held in this recording, for lowering (models.py)
        self.on_numpy = True       # every input array a NumPy one, every op run by the NumPy backend

    # ---- slots and sources ---------------------------------------------------------------------

    def new_slot(self, obj=None):
        slot = self.nslots
        self.nslots += 1
        if obj is not None:
            self.name_slot(obj, slot)
        return slot

    def name_slot(self, obj, slot):
        self.slot_of[id(obj)] = slot
        self.keep.append(obj)
        self.models[slot] = model_of(obj)

    def add_input(self, value):
        """(array slot, object slot) of one dynamic input leaf."""
        data = value._data if isinstance(value, TensorBase) else value
        if not isinstance(data, (np.ndarray, np.generic)):
            self.on_numpy = False
        if isinstance(value, TensorBase):
            array_slot = self.new_slot(value._data)
            object_slot = self.new_slot()
            self.input_objects[id(value)] = object_slot
            self.input_arrays.append((value, value._data))
            self.keep.append(value)
            return array_slot, object_slot
        return self.new_slot(value), None

    def source(self, a):
        """How a replay finds argument `a` of a step (see tape.getter)."""
        if isinstance(a, TensorBase):
            data = a._data
            slot = self.slot_of.get(id(data))
            if slot is not None:
                return ("slot", slot)
            view = self._view_spec(data)
            if view is not None:
                return view
            if id(a) not in self.outside:
                self.outside[id(a)] = (a, data)
            return ("tensor", a)
        kind = type(a)
        if kind is tuple or kind is list:
            parts = [self.source(x) for x in a]
            if all(p[0] == "const" for p in parts):
                return ("const", a)
            return ("seq", kind, parts)
        slot = self.slot_of.get(id(a))
        if slot is not None:
            return ("slot", slot)
        if kind is np.ndarray:
            view = self._view_spec(a)
            if view is not None:
                return view
        return ("const", a)

    def _view_spec(self, a):
        """A view (reshape, transpose, slice) of an array a step makes, taken outside an op: taken
        again from that step's array at replay.  None when `a` is no such view."""
        base = getattr(a, "base", None)
        while base is not None and id(base) not in self.slot_of:
            base = getattr(base, "base", None)
        if base is None or type(base) is not np.ndarray or not base.flags.c_contiguous:
            return None
        offset = a.__array_interface__["data"][0] - base.__array_interface__["data"][0]
        return ("view", self.slot_of[id(base)], a.shape, a.dtype, offset, a.strides)

    def _add(self, step, fingerprint):
        """Append a step and what identifies it (compared between two recordings: see same_work)."""
        self.steps.append(step)
        self.fingerprints.append(fingerprint)

    def here(self):
        return not self.paused and self.thread == threading.get_ident()

    # ---- forward ---------------------------------------------------------------------------------

    def op(self, cls, args, kwargs, result):
        """Primitive.apply(cls, *args, **kwargs) returned `result` (called by the graph core);
        True when it is recorded."""
        if not self.here():
            return False
        arg_specs = [self.source(a) for a in args]
        kw_specs = {k: self.source(v) for k, v in (kwargs or {}).items()}
        ctx = result._node if result._requires_grad else None
        ctx_slot = parents = None
        rule = 0 if kwargs else compiled_rule_of(cls)
        if rule and not all(type(d) is np.ndarray or type(d) in _NUMBERS for d in _datas(args)):
            rule = 0  # the engine runs compiled rules on NumPy arrays and numbers only
        if ctx is not None:
            self.ctx_rules[id(ctx)] = rule
            backend = ctx.backend
            ctx_slot = self.new_slot()
            self.ctx_slots[id(ctx)] = ctx_slot
            self.models[ctx_slot] = ContextModel(ctx, backend if autocast.STATE.dtype is None else "autocast")
            self.keep.append(ctx)
            parents = [None if p is None else True for p in ctx.parents]
            ctx.fn = _recording_class(cls)
            self.swapped.append((ctx, cls))
        else:
            backend = backend_for(*_datas(args))
        if backend is not NUMPY:
            self.on_numpy = False
        out = self.new_slot(result._data)
        # An op run under autocast has no lowering: its backend is marked as such.
        self.models[out] = model_of(result._data, backend if autocast.STATE.dtype is None else "autocast")
        self._add(tape.forward_step(cls, backend, arg_specs, kw_specs, out, ctx_slot, parents, rule),
                  (cls.__name__ + " forward", cls, arg_specs, kw_specs, out, ctx_slot, parents, rule))
        return True

    # ---- backward ----------------------------------------------------------------------------

    def backward_started(self, create_graph, per_leaf_hooks):
        if create_graph:
            raise CaptureError(
                f"jit: backward with create_graph=True (a derivative of a derivative: hessian, grad of grad) "
                f"inside {self.name!r} is not recorded; jit the outer transform's result only when it "
                f"needs first derivatives, {EAGER_HINT}")
        if per_leaf_hooks:
            raise CaptureError(
                f"jit: {self.name!r} runs backward with post-accumulate-grad hooks registered (e.g. "
                f"DistributedDataParallel); they are not recorded, {EAGER_HINT}")
        if self.current_pass is not None:
            raise CaptureError(f"jit: a backward inside another backward in {self.name!r} is not recorded, "
                               f"{EAGER_HINT}")
        self.current_pass = _Pass(self)

    def root_gradient(self, t, g):
        p = self.current_pass
        spec = self.source(g)
        if spec[0] == "const" and is_array(g):
            spec = ("fresh", g)  # the engine's ones: each replay gets its own array, as eager does
        if t._node is not None and id(t._node) not in self.ctx_slots:
            self._outside_graph(t._node.fn)
        slot = p.leaf_slot(t) if t._node is None else p.node_slot(t._node)
        self._add(tape.accumulate_step(spec, slot), ("root gradient of backward", spec, slot))

    def node_backward(self, cls, ctx, backend, g, grads):
        p = self.current_pass
        ctx_slot = self.ctx_slots.get(id(ctx))
        if p is None or ctx_slot is None:
            self._outside_graph(cls)
        if ctx.hooks:
            raise CaptureError(f"jit: tensor hooks (register_hook) inside {self.name!r} are not recorded, "
                               f"{EAGER_HINT}")
        grad_slot = p.node_slot(ctx)
        self.name_slot(g, grad_slot)
        self.backward_ran.add(id(ctx))
        if type(grads) is not tuple:
            grads = (grads,)
        targets = []
        for parent, gi in zip(ctx.parents, grads):
            if parent is None or gi is None:
                targets.append(None)
                continue
            if type(parent) is Context:
                if id(parent) not in self.ctx_slots:
                    self._outside_graph(parent.fn)
                slot, shape, dtype = p.node_slot(parent), parent.shape, parent.dtype
            else:
                slot, shape, dtype = p.leaf_slot(parent), parent._data.shape, parent._data.dtype
            reduce = tuple(gi.shape) != tuple(shape)
            cast = gi.dtype != dtype
            targets.append((slot, shape, dtype, reduce, cast))
        rule = self.ctx_rules[id(ctx)]
        self._add(tape.backward_step(cls, backend, ctx_slot, grad_slot, targets, rule),
                  (cls.__name__ + " backward", cls, ctx_slot, grad_slot, targets, rule))

    def _outside_graph(self, cls):
        raise CaptureError(
            f"jit: backward in {self.name!r} reaches {cls.__name__}, an op computed before the recording "
            f"started (a graph built outside the function); build the graph inside the function, {EAGER_HINT}")

    def backward_finished(self, leaf_grads):
        p, self.current_pass = self.current_pass, None
        if [id(leaf) for leaf in leaf_grads] != [id(leaf) for leaf in p.leaves]:
            raise CaptureError(f"jit: the backward pass in {self.name!r} reached its leaves in an order the "
                               f"recording did not follow, {EAGER_HINT}")
        for leaf, g in leaf_grads.items():
            if leaf._hooks:
                raise CaptureError(f"jit: tensor hooks (register_hook) inside {self.name!r} are not "
                                   f"recorded, {EAGER_HINT}")
            self.name_slot(g, p.leaf_slots[id(leaf)])
        self.finished_pass = p

    def leaves_accumulated(self, leaf_grads, given):
        p, self.finished_pass = self.finished_pass, None
        entries = []
        for leaf in leaf_grads:
            object_slot = self.input_objects.get(id(leaf))
            if object_slot is not None:
                leaf_spec = ("slot", object_slot)
            elif id(leaf._data) in self.slot_of and id(leaf) not in self.outside:
                raise CaptureError(
                    f"jit: {self.name!r} makes a tensor that requires grad inside the function and fills its "
                    ".grad with backward(); a replay could not give it a fresh .grad.  Pass the tensor as an "
                    f"argument, use fastgrad.grad / value_and_grad, {EAGER_HINT}")
            else:
                leaf_spec = ("object", weakref.ref(leaf))
            out = self.new_slot(leaf._grad._data)
            entries.append((leaf_spec, p.leaf_slots[id(leaf)], out))
        given_specs = [self.source(g) for g in given if g is not None]
        self._add(tape.leaves_step(entries, given_specs),
                  ("gradient accumulation into .grad", [(_referent(e[0]), e[1], e[2]) for e in entries], given_specs))

    # ---- calls and arrays outside ops ------------------------------------------------------------

    def grad_assigned(self, tensor, value):
        """`tensor.grad = value` (the .grad setter; called by the graph core)."""
        if not self.here():
            return
        object_slot = self.input_objects.get(id(tensor))
        target = ("slot", object_slot) if object_slot is not None else ("const", tensor)
        spec = ("const", None) if value is None else self.source(value)
        self._add(tape.grad_assignment_step(target, spec), ("assignment to .grad", target, spec))

    def host_call(self, fn, args, kwargs):
        args = tuple(_materialized(a) for a in args)
        kwargs = {k: _materialized(v) for k, v in kwargs.items()}
        for a in list(args) + list(kwargs.values()):
            for t in _tensors_in(a):
                if id(t._data) in self.slot_of and id(t) not in self.input_objects:
                    raise CaptureError(
                        f"jit: {fn.__qualname__} is given a tensor computed inside {self.name!r}; a replay "
                        f"would give it the tensor of the recording.  Call it outside the function, {EAGER_HINT}")
        self.paused = True
        try:
            result = fn(*args, **kwargs)
        finally:
            self.paused = False
        out = None
        if isinstance(result, TensorBase):
            out = self.new_slot(result._data)
        elif isinstance(result, (np.ndarray, np.generic)):
            out = self.new_slot(result)
        self._add(tape.call_step(fn, args, kwargs, out), (fn.__qualname__ + " call", fn, args, kwargs, out))
        return result

    def host_array(self, fn, args, result):
        specs = [self.source(a) for a in args]
        out = None
        if result is not None:
            out = self.new_slot(result._data if isinstance(result, TensorBase) else result)
        self._add(tape.array_step(fn, specs, out), (getattr(fn, "__qualname__", repr(fn)) + " outside an op", fn, specs, out))

    # ---- the end -------------------------------------------------------------------------------

    def close(self):
        """Put the graph nodes' classes back (also when the call failed)."""
        for ctx, cls in self.swapped:
            ctx.fn = cls
        self.swapped = []

    def finish(self, result, input_slots):
        """The Tape of the recorded call that returned `result`."""
        for t, first in list(self.outside.values()) + self.input_arrays:
            if t._data is not first:
                raise CaptureError(
                    f"jit: {self.name!r} points a tensor it did not make at a new array (an in-place op "
                    f"while recording a graph, or `.data = ...`); a replay would not repeat that, {EAGER_HINT}")
        leaves, rebuild = _flatten(result)
        specs = [self._output_spec(x) for x in leaves]
        guards = [(t, type(t._data), t._data.shape, t._data.dtype, t._requires_grad) for t, _ in self.outside.values()]
        recorded = tape.Tape(self.nslots, input_slots, self.steps, tape.output_builder(rebuild, specs), guards)
        recorded.fingerprints = self.fingerprints + [("the function's result", specs)]
        recorded.models = self.models
        recorded.on_numpy = self.on_numpy
        return recorded

    def _output_spec(self, x):
        if isinstance(x, TensorBase):
            if id(x) in self.input_objects:
                return ("object", self.input_objects[id(x)])
            slot = self.slot_of.get(id(x._data))
            if slot is None:
                return ("same", x)  # a tensor from outside the function (a parameter): itself
            if x._requires_grad and x._node is not None and id(x._node) not in self.backward_ran:
                raise CaptureError(
                    f"jit: {self.name!r} returns a tensor that requires grad and whose backward it does not "
                    "run; a replay returns tensors without a graph.  Run backward inside the function, call "
                    f"it under fastgrad.no_grad(), {EAGER_HINT}")
            return ("new_tensor", slot)
        slot = self.slot_of.get(id(x))
        if slot is not None:
            return ("slot", slot)
        if is_array(x):
            return ("fresh", copy_array(x))  # the caller owns the array returned now
        return ("const", x)


_NUMBERS = (float, int, bool, type(None))


def _datas(args):
    return [a._data if isinstance(a, TensorBase) else a for a in args]


def _referent(leaf_spec):
    return leaf_spec[1]() if leaf_spec[0] == "object" else leaf_spec


def _materialized(a):
    """Iterators (model.parameters()) become lists, so that every replay can go through them again."""
    if isinstance(a, collections.abc.Iterator):
        return list(a)
    return a


def _tensors_in(a):
    if isinstance(a, TensorBase):
        return [a]
    if isinstance(a, (list, tuple)):
        return [x for x in a if isinstance(x, TensorBase)]
    return []
