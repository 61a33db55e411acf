"""The gradient reducer of DistributedDataParallel: buckets, hooks and the all-reduce.

Parameters are packed, in reverse registration order (roughly the order in
which backward finishes them), into flat per-dtype buckets of about
`bucket_cap_mb`.  When backward has completed a parameter's gradient, a hook
copies it into its bucket; a full bucket starts a non-blocking MPI all-reduce
at once, so the transfer overlaps the rest of backward.  Buckets start strictly
in index order, so every rank issues the same collectives in the same order
even when gradients finish in another order.  When the last bucket has started,
the reducer waits for all of them and writes the average back into `.grad`.
"""
import weakref

import numpy as np

from ...autograd.tensor import Tensor
from ...distributed._mpi import mpi


def grad_array(p):
    """The array of p.grad, whether .grad holds an array or a Tensor wrapping one (None if no grad)."""
    g = p.grad
    return g._data if isinstance(g, Tensor) else g


class _Bucket:
    """One flat buffer holding the gradients of a few same-dtype parameters."""

    def __init__(self, indices, params):
        self.indices = indices
        self.slots = {}
        offset = 0
        for i in indices:
            size = params[i]._data.size
            self.slots[i] = (offset, offset + size)
            offset += size
        self.flat = np.zeros(offset, dtype=params[indices[0]]._data.dtype)
        self.pending = len(indices)
        self.request = None

    def view(self, i, shape):
        start, stop = self.slots[i]
        return self.flat[start:stop].reshape(shape)


def build_buckets(params, cap_bytes):
    """Parameter indices grouped into buckets of at most cap_bytes (a larger parameter gets its own)."""
    open_buckets = {}
    buckets = []
    for i in reversed(range(len(params))):
        data = params[i]._data
        current = open_buckets.setdefault(data.dtype, [[], 0])
        if current[0] and current[1] + data.nbytes > cap_bytes:
            buckets.append(current[0])
            current[0], current[1] = [], 0
        current[0].append(i)
        current[1] += data.nbytes
    buckets.extend(indices for indices, _ in open_buckets.values() if indices)
    return [_Bucket(indices, params) for indices in buckets]


class Reducer:
    """Averages the gradients of `params` over the ranks of `comm` during backward."""

    def __init__(self, params, names, comm, bucket_cap_bytes, find_unused_parameters):
        self.params = params
        self.names = names
        self.comm = comm
        self.world = comm.Get_size()
        self.find_unused_parameters = find_unused_parameters
        self.buckets = build_buckets(params, bucket_cap_bytes)
        self.bucket_of = {i: b for b in self.buckets for i in b.indices}
        self.index = {id(p): i for i, p in enumerate(params)}
        self.armed = False
        self.started = False      # a gradient of this iteration has arrived
        self.ready = [False] * len(params)
        self.launched = 0
        myself = weakref.ref(self)   # hooks must not keep the reducer (and the model) alive

        def on_grad_ready(p):
            reducer = myself()
            if reducer is not None:
                reducer.grad_ready(p)

        self.handles = [p.register_post_accumulate_grad_hook(on_grad_ready) for p in params]

    def __del__(self):
        for handle in getattr(self, "handles", ()):
            handle.remove()

    # ---- one iteration ------------------------------------------------------

    def prepare(self, outputs):
        """Expect one backward that reduces every gradient (called at each synchronized forward)."""
        self.check_finished()
        for b in self.buckets:
            if b.request is not None:     # left from a forward that had no backward
                b.request.Wait()
            b.pending = len(b.indices)
            b.request = None
        self.armed = True
        self.started = False
        self.ready = [False] * len(self.params)
        self.launched = 0
        if self.find_unused_parameters:
            reached = _leaves_reached(outputs)
            for i, p in enumerate(self.params):
                if id(p) not in reached:
                    self._mark_ready(i, p)

    def disarm(self):
        """The next backward only accumulates gradients locally (no_sync, or no grad mode)."""
        self.check_finished()
        self.armed = False

    def check_finished(self):
        if self.armed and self.started and not all(self.ready):
            missing = [self.names[i] for i, done in enumerate(self.ready) if not done]
            self.armed = False
            raise RuntimeError(
                "DistributedDataParallel: the previous backward did not produce gradients for "
                f"{', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}, so their reduction "
                "never finished. If some parameters are not used in every forward, wrap the model with "
                "find_unused_parameters=True; and run backward on every output of forward.")

    def grad_ready(self, p):
        if not self.armed:
            return
        i = self.index[id(p)]
        if self.ready[i]:
            raise RuntimeError(f"DistributedDataParallel: parameter {self.names[i]} received a gradient twice "
                               "in one iteration (backward run twice without a forward in between)")
        self.started = True
        self._mark_ready(i, p)
        for b in self.buckets[:self.launched]:   # MPI progresses the transfers in flight when asked
            if b.request is not None:
                b.request.Test()

    def _mark_ready(self, i, p):
        bucket = self.bucket_of[i]
        g = grad_array(p)
        if g is None:
            bucket.view(i, p._data.shape)[...] = 0
        else:
            bucket.view(i, p._data.shape)[...] = g
        self.ready[i] = True
        bucket.pending -= 1
        if bucket.pending == 0:
            self._launch_in_order()

    def _launch_in_order(self):
        MPI = mpi()
        while self.launched < len(self.buckets) and self.buckets[self.launched].pending == 0:
            b = self.buckets[self.launched]
            b.request = self.comm.Iallreduce(MPI.IN_PLACE, b.flat, op=MPI.SUM)
            self.launched += 1
        if self.launched == len(self.buckets):
            self._finish()

    def _finish(self):
        """Wait for every bucket, then write the average into each parameter's .grad."""
        mpi().Request.Waitall([b.request for b in self.buckets])
        used = None
        if self.find_unused_parameters:
            # a parameter that no rank gave a gradient keeps .grad None, as without data parallelism
            used = np.array([grad_array(p) is not None for p in self.params], dtype=np.int32)
            self.comm.Allreduce(mpi().IN_PLACE, used, op=mpi().SUM)
        for b in self.buckets:
            np.divide(b.flat, self.world, out=b.flat)
            for i in b.indices:
                if used is not None and used[i] == 0:
                    continue
                p = self.params[i]
                g = grad_array(p)
                average = b.view(i, p._data.shape)
                if g is None:
                    p.grad = average.copy()
                else:
                    g[...] = average
        self.armed = False


def _leaves_reached(outputs):
    """ids of the leaf tensors that the graphs of `outputs` (Tensors in any nesting) lead to."""
    stack = []
    _collect_nodes(outputs, stack)
    seen = set()
    leaves = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for parent in node.parents or ():
            if parent is None:
                continue
            if isinstance(parent, Tensor):
                leaves.add(id(parent))
            else:
                stack.append(parent)
    return leaves


def _collect_nodes(x, stack):
    if isinstance(x, Tensor):
        if x._node is not None:
            stack.append(x._node)
    elif isinstance(x, (list, tuple)):
        for item in x:
            _collect_nodes(item, stack)
    elif isinstance(x, dict):
        for item in x.values():
            _collect_nodes(item, stack)
