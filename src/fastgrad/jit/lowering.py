"""The lowered tier: a verified recording turned into one generated Python function.

A replay of the recording (tape.py) runs each op's own forward and backward
rules on a list of slots.  Once a recording is verified, `lower` rewrites it
as a flat plan: the source of one function `run(leaves)` whose lines are the array
calls those rules make (the C kernel wrappers, NumPy ufuncs, gemm), with
their constant arguments folded in (shapes, activations, which inputs need a
gradient, the constants of the recording) and no rule, backend dispatch or
step closure in between.  The gradient bookkeeping of the engine (summing
over broadcast axes, casts, adding up contributions) is written out too,
and whether a gradient slot already holds a contribution is known when the
plan is made.

Buffers: an op's forward output that is only read by lowered steps (never
returned, never handed to a kept step, never a gradient) is written with
`out=` into an array allocated once, when the plan is made; an array whose
last reader has run goes back to a pool and serves a later output of the same
shape and dtype.  Everything else (gradients, results, what kept steps see)
is a new array at every call, as in eager mode.

Ops a lowering exists for are in lowerers.py; optimizer.step() calls are made
on lists kept by the plan (optimizer_steps.py).  A step that cannot be
lowered (another op, a call kept as a call, ...) stays a call of its tape
step on the same slot list; the accumulation into `.grad` and zero_grad() are
written out by leaf_grads.py.  Lowered calls are the calls the rules make, in
the same order, so
results stay equal to eager results bit for bit (tests/jit/test_jit_lowered.py).
"""
import threading

import numpy as np

from ..autograd._graph import new_tensor
from ..backend import gemm as gemm_module
from ..backend.mixed_precision import STATE as AUTOCAST
from ..ops.broadcast import unbroadcast
from . import folding, leaf_grads, lowerers, optimizer_steps
from .models import ArrayModel, model_of



class Arg:
    """One argument of a lowered op: how a replay finds it, what it was while recording,
    and (once emitted) the expression that reads it."""

    __slots__ = ("spec", "model", "expr")

    def __init__(self, spec, model):
        self.spec, self.model, self.expr = spec, model, None

    @property
    def const(self):
        return self.spec[0] == "const"


class Op:
    """An op of the recording, as a lowerer sees it: forward arguments, output, graph node,
    and the gradient its backward was given (None without a backward in the recording)."""

    def __init__(self, cls, rule, args, kwargs, out, out_model, ctx, grad):
        self.cls, self.rule, self.args, self.kwargs = cls, rule, args, kwargs
        self.out, self.out_model, self.ctx, self.grad = out, out_model, ctx, grad
        self.grad_value = None  # the gradient's value when it is the same at every call (a root gradient)

    @property
    def backend(self):
        return self.ctx.backend if self.ctx is not None else self.out_model.backend

    def bind(self, names, defaults):
        """The arguments by parameter name (`names` in order; `defaults` for the ones not given),
        each an Arg, or None when an unknown keyword was given."""
        bound = dict(zip(names, self.args))
        for k, a in self.kwargs.items():
            if k not in names or k in bound:
                return None
            bound[k] = a
        for k in names:
            if k not in bound:
                if k not in defaults:
                    return None
                bound[k] = Arg(("const", defaults[k]), defaults[k])
        return bound


class Plan:
    """A lowered recording: `run(leaves)` puts the call's dynamic inputs in a new slot list `s`, does
    the work of every step on it and returns the function's result.

    `source` is the generated code; `lowered` and `kept` name the steps written out as array
    calls and the steps kept as calls of the tape's step; `buffers` the arrays preallocated;
    `optimizer_steps` the optimizer.step() calls it makes on lists (optimizer_steps.py)."""

    def __init__(self, run, source, lowered, kept, buffers, numpy_matmul):
        self.run, self.source, self.lowered, self.kept, self.buffers = run, source, lowered, kept, buffers
        self.numpy_matmul = numpy_matmul  # calls np.matmul where gemm would (no external BLAS chosen)
        self.calls = 0               # replays that ran this plan
        self.lock = threading.Lock()  # its buffers serve one replay at a time

    def usable(self):
        """False while autocast is on, or once another BLAS than NumPy's was chosen for gemm."""
        return AUTOCAST.dtype is None and (not self.numpy_matmul or gemm_module._blas_gemm is None)

    def __repr__(self):
        return (f"<lowered plan: {len(self.lowered)} steps lowered, {len(self.kept)} kept, "
                f"{len(self.buffers)} buffers>")


class _Source:
    """The lines of the generated function and the names it reads (constants, kernels, buffers)."""

    def __init__(self):
        self.lines = []
        self.names = {"_np": np, "_unbroadcast": unbroadcast}
        self.requires_numpy_matmul = False
        self._by_id = {}
        self._count = 0

    def bind(self, value, hint="c"):
        """The name under which the plan reads `value` (one name per object)."""
        key = (id(value), hint)
        name = self._by_id.get(key)
        if name is None:
            self._count += 1
            name = f"_{hint}{self._count}"
            self.names[name] = value
            self._by_id[key] = name
        return name

    def local(self, hint="t"):
        self._count += 1
        return f"{hint}{self._count}"

    def line(self, text):
        self.lines.append("    " + text)


def _arg_expr(src, spec):
    """The expression reading an argument spec, or None for the kinds only the tape reads."""
    kind = spec[0]
    if kind == "slot":
        return f"s[{spec[1]}]"
    if kind == "const":
        value = spec[1]
        if value is None or type(value) in (bool, int, str):
            return repr(value)
        return src.bind(value)
    if kind == "fresh":
        return src.bind(spec[1]) + ".copy()"
    if kind == "tensor":
        return src.bind(spec[1], "p") + "._data"
    if kind == "view":  # a view of a slot's array taken outside an op: taken again
        _, slot, shape, dtype, offset, strides = spec
        if offset == 0 and strides == _c_strides(shape, dtype):
            return f"s[{slot}].reshape({src.bind(shape, 'shape')})"  # the base is C-contiguous (recorder)
        return (f"_np.ndarray({src.bind(shape, 'shape')}, {src.bind(dtype, 'dtype')}, buffer=s[{slot}], "
                f"offset={offset}, strides={src.bind(strides, 'strides')})")
    return None


def _c_strides(shape, dtype):
    strides, step = [], dtype.itemsize
    for n in reversed(shape):
        strides.append(step)
        step *= n
    return tuple(reversed(strides))


def _arg_model(spec, models):
    kind = spec[0]
    if kind == "slot":
        return models.get(spec[1])
    if kind == "const":
        return model_of(spec[1])
    if kind == "tensor":
        return model_of(spec[1]._data)
    if kind == "view":
        return ArrayModel(np.ndarray, spec[2], spec[3], None)
    return None


def _slots_named(desc, found):
    """Every slot a step description mentions through a spec (what an unlowered step reads)."""
    if (type(desc) is tuple and len(desc) >= 2 and type(desc[0]) is str
            and desc[0] in ("slot", "view", "new_tensor", "object") and type(desc[1]) is int):
        found.add(desc[1])
    if type(desc) in (tuple, list):
        for part in desc:
            _slots_named(part, found)
    elif type(desc) is dict:
        for part in desc.values():
            _slots_named(part, found)
    return found


def _build_ops(descriptions, models):
    """The forward ops that have a lowering: {ctx or out slot -> (Op, lowerer)}, and the backward
    descriptions by ctx slot."""
    backward_of = {}
    for d in descriptions:
        if d[0].endswith(" backward"):
            backward_of[d[2]] = d
    ops = {}
    for i, d in enumerate(descriptions):
        if not d[0].endswith(" forward"):
            continue
        _, cls, arg_specs, kw_specs, out, ctx_slot, parents, rule = d
        args = [Arg(spec, _arg_model(spec, models)) for spec in arg_specs]
        kwargs = {k: Arg(spec, _arg_model(spec, models)) for k, spec in kw_specs.items()}
        if any(a.model is None and not (a.spec[0] == "const" and a.spec[1] is None)
               for a in args + list(kwargs.values())):
            continue  # a view or a sequence built outside the op: the tape reads it
        ctx = models.get(ctx_slot) if ctx_slot is not None else None
        grad = None
        if ctx_slot is not None:
            bd = backward_of.get(ctx_slot)
            if bd is None:
                continue  # a node whose backward is not recorded: the tape keeps its context
            grad = models.get(bd[3])
        op = Op(cls, rule, args, kwargs, out, models.get(out), ctx, grad)
        if not isinstance(op.out_model, ArrayModel):
            continue
        lowerer = lowerers.find(op)
        if lowerer is not None:
            ops[i] = (op, lowerer, ctx_slot)
    return ops


def lower(tape, name):
    """A Plan for a verified tape (its `fingerprints` describe its steps, `models` what its slots
    held), or None when no step can be lowered."""
    descriptions = tape.fingerprints[:-1]
    result_desc = tape.fingerprints[-1]
    models = tape.models
    ops = _build_ops(descriptions, models)
    lowered_ctx = {ctx_slot: i for i, (_, _, ctx_slot) in ops.items() if ctx_slot is not None}
    lowered_steps = set(ops)
    backward_op = {}
    for i, d in enumerate(descriptions):
        if d[0].endswith(" backward") and d[2] in lowered_ctx:
            lowered_steps.add(i)
            backward_op[i] = ops[lowered_ctx[d[2]]]
        elif d[0] == "root gradient of backward" and _arg_expr(_Source(), d[1]) is not None:
            lowered_steps.add(i)
    if not ops:
        return None

    # Which forward outputs can live in preallocated buffers, and until which step each is read.
    candidates = {op.out: i for i, (op, lowerer, _) in ops.items()
                  if lowerer.buffered(op) and op.out_model.ndarray}
    last_read = {}
    escaping = _slots_named(result_desc, set())
    for i, d in enumerate(descriptions):
        if i in ops:
            op = ops[i][0]
            read = {a.spec[1] for a in op.args + list(op.kwargs.values()) if a.spec[0] in ("slot", "view")}
        elif i in backward_op:
            op = backward_op[i][0]
            read = {a.spec[1] for a in op.args + list(op.kwargs.values())
                    if a.spec[0] in ("slot", "view")} | {op.out}
        else:
            escaping |= _slots_named(d, set())
            continue
        for slot in read:
            last_read[slot] = i
    buffered = {slot: i for slot, i in candidates.items() if slot not in escaping}

    src = _Source()
    pool = {}
    buffers = []
    release_after = {}
    for slot, made in buffered.items():
        release_after.setdefault(max(last_read.get(slot, made), made), []).append(slot)
    buffer_of = {}
    has_grad = set()
    fresh = set()  # gradient slots holding a new array only they hold (lowerers.Fresh), while no kept step ran
    known = {}     # gradient slots holding a copy of a constant of the recording (a root gradient): its value
    kept_any = False
    lowered_names, kept_names = [], []
    optimizer_step_objects = []
    for i, d in enumerate(descriptions):
        if i in ops:
            op, lowerer, _ = ops[i]
            _emit_args(src, op, models)
            buf = None
            if op.out in buffered:
                shape, dtype = lowerer.buffer_shape(op), op.out_model.dtype
                key = (shape, dtype.str)
                free = pool.get(key)
                array = free.pop() if free else None
                if array is None:
                    array = np.empty(shape, dtype)
                    buffers.append(array)
                buffer_of[op.out] = array
                buf = src.bind(array, "buf")
            lowerer.forward(src, op, buf)
            lowered_names.append(d[0])
        elif i in backward_op:
            op, lowerer, _ = backward_op[i]
            _, _, _, grad_slot, targets, _ = d
            fresh.discard(grad_slot)  # a backward may pass its gradient on as it is (x + y)
            op.grad_value = known.get(grad_slot)
            grads = lowerer.backward(src, op, f"s[{grad_slot}]")
            _emit_targets(src, targets, grads, has_grad, fresh)
            for target in targets:
                if target is not None:
                    known.pop(target[0], None)
            lowered_names.append(d[0])
        elif i in lowered_steps:  # a root gradient
            _, spec, slot = d
            value = _arg_expr(src, spec)
            src.line(f"s[{slot}] = s[{slot}] + {value}" if slot in has_grad else f"s[{slot}] = {value}")
            if slot not in has_grad and spec[0] in ("fresh", "const") and type(spec[1]) is np.ndarray:
                known[slot] = spec[1]
            else:
                known.pop(slot, None)
            has_grad.add(slot)
            fresh.discard(slot)
            lowered_names.append(d[0])
        elif d[0].endswith(" outside an op") and _emit_array_step(src, d):
            lowered_names.append(d[0])
            known.clear()  # a function of arrays may write into its arguments
        elif d[0] == "gradient accumulation into .grad" and leaf_grads.emit_accumulation(
                src, d, tape.steps[i], () if kept_any else fresh):
            lowered_names.append(d[0])
        elif d[0].endswith(" call") and (zero := leaf_grads.lowered_zero_grad(d[1], d[2], d[3])) is not None:
            src.line(f"{src.bind(zero, 'zero_grad')}()  # {d[0]}, set_to_none")
            lowered_names.append(d[0])
        elif d[0].endswith(" call") and (step := optimizer_steps.lowered(d[1], d[2], d[3])) is not None:
            src.line(f"{src.bind(step.run, 'optimizer_step')}()  # {d[0]}, on the lists gathered when lowered")
            optimizer_step_objects.append(step)
            lowered_names.append(d[0])
        else:
            src.line(f"{src.bind(tape.steps[i], 'step')}(s)  # {d[0]}")
            if d[0].endswith(" backward"):
                has_grad.update(t[0] for t in d[4] if t is not None)
            elif d[0] == "root gradient of backward":
                has_grad.add(d[2])
            kept_names.append(d[0])
            kept_any = True
            known.clear()  # a kept step may write into any slot's array
        for slot in release_after.get(i, ()):
            array = buffer_of[slot]
            pool.setdefault((array.shape, array.dtype.str), []).append(array)

    lines = folding.fold(src.lines, src.names, escaping, tape.nslots, src.bind)
    body = "\n".join(_input_lines(tape) + lines + [_result_line(src, tape.outputs)])
    source = f"def run(leaves):\n{body}\n"
    namespace = dict(src.names)
    exec(compile(source, f"<fastgrad.jit plan of {name}>", "exec"), namespace)
    plan = Plan(namespace["run"], source, lowered_names, kept_names, buffers, src.requires_numpy_matmul)
    plan.optimizer_steps = optimizer_step_objects
    return plan


def _input_lines(tape):
    """The slot list of a replay, with the dynamic inputs in their slots (as Tape.replay puts them)."""
    lines = [f"    s = [None] * {tape.nslots}"]
    for i, (array_slot, object_slot) in enumerate(tape.input_slots):
        if object_slot is None:
            lines.append(f"    s[{array_slot}] = leaves[{i}]")
        else:
            lines.append(f"    s[{object_slot}] = x = leaves[{i}]")
            lines.append(f"    s[{array_slot}] = x._data")
    return lines


def _result_line(src, outputs):
    """The return of the function's result, built as tape.output_builder builds it."""
    parts = []
    for spec in outputs.specs:
        kind = spec[0]
        if kind == "new_tensor":
            parts.append(f"{src.bind(new_tensor, 'new_tensor')}(s[{spec[1]}], False, None)")
        elif kind == "object":
            parts.append(f"s[{spec[1]}]")
        elif kind == "same":
            parts.append(src.bind(spec[1], "same"))
        else:
            parts.append(_arg_expr(src, spec))
    return f"    return {src.bind(outputs.rebuild, 'rebuild')}([{', '.join(parts)}])"


def _emit_array_step(src, description):
    """An array computed outside an op (tape.array_step) as one call; False when an argument is one
    only the tape reads."""
    _, fn, specs, out = description
    args = [_arg_expr(src, spec) for spec in specs]
    if any(a is None for a in args):
        return False
    call = f"{src.bind(fn, 'fn')}({', '.join(args)})"
    src.line(f"s[{out}] = {call}" if out is not None else call)
    return True


def _emit_args(src, op, models):
    """Each argument's expression.  A lowered op only reads its arguments, so a view that is its whole
    base (`target.reshape(-1)` of a 1-d target) is read as the base itself."""
    for a in op.args + list(op.kwargs.values()):
        spec = a.spec
        if spec[0] == "view" and _whole_base(spec, models.get(spec[1])):
            a.expr = f"s[{spec[1]}]"
        else:
            a.expr = _arg_expr(src, spec)


def _whole_base(view_spec, base):
    _, _, shape, dtype, offset, strides = view_spec
    return (isinstance(base, ArrayModel) and base.ndarray and base.shape == shape and base.dtype == dtype
            and offset == 0 and strides == _c_strides(shape, dtype))


def _emit_targets(src, targets, grads, has_grad, fresh):
    """The engine's handling of a backward's input gradients: summed over broadcast axes, cast to
    the input's dtype, added to what the input has so far (tape.backward_step).  A slot set to a
    lowerers.Fresh expression as it is goes into `fresh`."""
    for target, gi in zip(targets, grads):
        if target is None or gi is None:
            continue
        slot, shape, dtype, reduce, cast = target
        if not reduce and not cast and slot not in has_grad and isinstance(gi, lowerers.Fresh):
            fresh.add(slot)
        else:
            fresh.discard(slot)
        if reduce:
            gi = f"_unbroadcast(_np, {gi}, {src.bind(shape, 'shape')})"
        if cast:
            gi = f"{gi}.astype({src.bind(dtype, 'dtype')})"
        src.line(f"s[{slot}] = s[{slot}] + {gi}" if slot in has_grad else f"s[{slot}] = {gi}")
        has_grad.add(slot)
