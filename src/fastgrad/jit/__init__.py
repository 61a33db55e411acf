"""Capture and replay: `fastgrad.jit(fn)` runs the work of `fn` without the per-op Python bookkeeping.

The first call of `fn` for a signature (the shapes, dtypes and requires_grad of
its tensor and array arguments, the values of its number and string arguments
and of those named in `static_argnums`, the grad mode and default dtype) runs it
eagerly and records every op's forward, every backward step, the engine's
gradient accumulation, and the calls that change state outside the graph
(optimizer.step(), zero_grad(), scheduler steps, gradient clipping).  The
next call with new inputs records again and checks that both recordings did
the same work (verify.py); later calls with that signature replay the
recording on the new inputs: the same
array-level forwards and backwards (the same C kernels and GEMMs, in the same
order, so results equal eager results bit for bit) without Tensor objects,
graph nodes, backend dispatch or the graph walk.

A verified recording is replayed through its lowered plan (lowering.py): one
generated function whose lines are the kernel, ufunc and GEMM calls of the
lowered ops (lowerers.py: the arithmetic operators, the fused activations,
linear, 2-d matmul, sum, cross entropy) with their constants folded, their
intermediate outputs written into buffers allocated once and reused, and
optimizer.step() run on the lists the plan keeps (optimizer_steps.py); other
steps stay calls of the recording's steps.  `jit(fn, lower=False)` replays the
recording step by step; `plans()` shows the plans (their generated source,
which steps they lowered and kept).  A plan's buffers hold one set of the
intermediate outputs of each kept signature between calls.  A call of the
signature replayed last finds its recording through one generated check of its
arguments and the recording's guards (hot_path.py).

Semantics (as for any tracing compiler):

- The recording follows the Python control flow taken on its first call.
  Reading a tensor's value on the host while recording (`float(t)`,
  `t.item()`, `bool(t)`, `if t > 0`, `np.asarray(t)`) raises HostReadError:
  pass such a value as an argument named in `static_argnums`, or run eagerly.
- Parameters, optimizer state and other tensors from outside the function are
  read at every replay (updated in place, they are shared); calls kept as calls
  read their arguments when they run, so a learning rate changed by a
  scheduler between calls is used.  Other Python values read by the function
  (closure variables, module attributes such as `training`) are constants of
  the recording: pass them as arguments to make them part of the signature.
- Draws from fastgrad's generator inside the function (dropout, randn) raise
  CaptureError: they would repeat.  So do backward with create_graph=True,
  tensor hooks, and a value computed outside fastgrad's ops from the inputs
  (NumPy on a tensor's array), which the second recording finds changed.
- A replay returns new arrays (never shared with the recording, a previous
  replay or a plan's buffers) and Tensors without a graph.
- Arrays of another library (CuPy, array-API) are recorded and replayed step by
  step through their backend (not lowered: a plan's lines call the C kernels);
  their library and device are part of the signature.

Example::

    step = fastgrad.jit(train_step)      # or @fastgrad.jit
    for x, y in loader:
        loss = step(x, y)                # first call records, later calls replay

    grad_f = fastgrad.jit(fastgrad.grad(f))
"""
from .errors import CaptureError, HostReadError
from .function import DEFAULT_CACHE_SIZE, JitFunction
from .torchscript import export, ignore, is_scripting, is_tracing, script, trace, unused


def jit(fn=None, *, static_argnums=(), cache_size=DEFAULT_CACHE_SIZE, lower=True):
    """Record `fn` once per call signature and replay the recording after (see fastgrad.jit's doc).

    `static_argnums`: positions of arguments that are part of the signature by
    value (hashable; one recording per value).  `cache_size`: how many
    recordings are kept, least recently used dropped first (default 16).
    `lower`: replay a verified recording through its lowered plan, one
    generated function of direct array calls into preallocated buffers
    (default; False replays it step by step).

    >>> fast_grad = fastgrad.jit(fastgrad.grad(lambda w: fastgrad.numpy.sum(w ** 2)))
    >>> fast_grad(np.ones(3))
    array([2., 2., 2.])
    """
    if fn is None:
        return lambda f: JitFunction(f, static_argnums, cache_size, lower)
    return JitFunction(fn, static_argnums, cache_size, lower)


__all__ = ["CaptureError", "DEFAULT_CACHE_SIZE", "HostReadError", "JitFunction", "jit", "export", "ignore",
           "is_scripting", "is_tracing", "script", "trace", "unused"]

# `fastgrad.jit` is the function; its errors are reachable from it too (fastgrad.jit.HostReadError).
jit.CaptureError = CaptureError
jit.HostReadError = HostReadError
jit.JitFunction = JitFunction
# torch.jit's TorchScript names (torchscript.py), for PyTorch scripts: they run eagerly.
for _f in (export, ignore, is_scripting, is_tracing, script, trace, unused):
    setattr(jit, _f.__name__, _f)
del _f
