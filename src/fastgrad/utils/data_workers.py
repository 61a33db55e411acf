"""DataLoader worker processes: batches loaded in parallel, delivered in the sampler's order.

The main process draws the batch indices (so the order, shuffled or not, is
the same as with num_workers=0), hands them round-robin to the workers, keeps
`prefetch_factor` batches per worker in flight, and yields the results in
order.  A worker's exception is raised in the main process with the worker's
traceback; a worker that dies is reported by its exit code; workers stop when
the epoch ends, when the loop is left early (break, an exception, garbage
collection) or when the loader goes (persistent_workers=True).

NumPy arrays of a batch travel through shared memory (a file in /dev/shm that
the main process maps and unlinks at once), not through the pipe; smaller
ones, and everything on systems without /dev/shm, are pickled.
"""
import itertools
import mmap
import os
import queue
import random
import tempfile
import time
import traceback
import weakref
from collections import namedtuple

import numpy as np

from ..autograd.tensor import Tensor

WorkerInfo = namedtuple("WorkerInfo", ["id", "num_workers", "seed", "dataset"])
_worker_info = None

_SHARED_DIR = "/dev/shm"
_SHARED_MIN_BYTES = 1 << 16   # smaller arrays are cheaper to pickle
_POLL_SECONDS = 0.5           # how often a waiting main process checks that its workers are alive


def get_worker_info():
    """Inside a DataLoader worker: its (id, num_workers, seed, dataset); None in the main process."""
    return _worker_info


# ---- what a worker runs -------------------------------------------------------------------------

def _worker_loop(dataset, fetch, index_queue, result_queue, stop, worker_id, num_workers, seed, worker_init_fn,
                 shared_dir):
    """Load the batches named in `index_queue` until it yields None or `stop` is set; put (task, batch
    or error) in `result_queue`."""
    global _worker_info
    from .. import set_num_threads
    from ..creation import manual_seed

    # One kernel thread: the OpenMP runtime of a forked parent is not usable in the child
    # (worker_init_fn may raise it again under a start method other than fork).
    set_num_threads(1)
    _worker_info = WorkerInfo(worker_id, num_workers, seed, dataset)
    random.seed(seed)
    np.random.seed(seed % 2 ** 32)
    manual_seed(seed)
    try:
        if worker_init_fn is not None:
            worker_init_fn(worker_id)
    except Exception as e:   # reported with the first task, so the main process raises it in order
        init_error = _WorkerError(e, worker_id, "in worker_init_fn")
    else:
        init_error = None
    while True:
        try:
            task = index_queue.get()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if task is None or stop.is_set():
            return
        key, indices = task
        if init_error is not None:
            result_queue.put((key, init_error))
            continue
        try:
            result = _pack(fetch(dataset, indices), shared_dir)
        except Exception as e:
            result = _WorkerError(e, worker_id, "while loading a batch")
        result_queue.put((key, result))


class _WorkerError:
    """An exception raised in a worker, carried to the main process with its traceback."""

    def __init__(self, error, worker_id, where):
        self.type = type(error)
        self.message = (f"DataLoader worker {worker_id}: {type(error).__name__} {where}:\n"
                        + "".join(traceback.format_exception(error)))

    def reraise(self):
        try:
            error = self.type(self.message)
        except Exception:   # an exception type that takes other arguments
            error = RuntimeError(self.message)
        raise error


# ---- shared-memory transport of arrays ----------------------------------------------------------

class _SharedArray:
    """An array written to a file in shared memory; the receiver maps it and removes the file."""

    def __init__(self, array, shared_dir):
        fd, self.path = tempfile.mkstemp(prefix="fastgrad-batch-", dir=shared_dir)
        try:
            os.ftruncate(fd, array.nbytes)
            with mmap.mmap(fd, array.nbytes) as buffer:
                np.frombuffer(buffer, dtype=array.dtype).reshape(array.shape)[...] = array
        except BaseException:
            os.unlink(self.path)
            raise
        finally:
            os.close(fd)
        self.shape, self.dtype = array.shape, array.dtype

    def open(self):
        fd = os.open(self.path, os.O_RDWR)
        try:
            buffer = mmap.mmap(fd, 0)
        finally:
            os.close(fd)
            os.unlink(self.path)
        return np.frombuffer(buffer, dtype=self.dtype).reshape(self.shape)

    def discard(self):
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


class _TensorOf:
    """A Tensor's array on its way to the main process."""

    def __init__(self, array):
        self.array = array


def _map_leaves(batch, leaf):
    """`batch` with `leaf(value)` in place of every value that is not a dict, list or tuple."""
    if isinstance(batch, dict):
        return {k: _map_leaves(v, leaf) for k, v in batch.items()}
    if isinstance(batch, list):
        return [_map_leaves(v, leaf) for v in batch]
    if type(batch) is tuple:
        return tuple(_map_leaves(v, leaf) for v in batch)
    if isinstance(batch, tuple) and hasattr(batch, "_fields"):   # a namedtuple
        return type(batch)(*(_map_leaves(v, leaf) for v in batch))
    return leaf(batch)


def _pack(batch, shared_dir):
    """The batch ready for the result queue: large NumPy arrays moved to shared memory."""
    def leaf(value):
        if isinstance(value, Tensor):
            return _TensorOf(leaf(value._data))
        if type(value) is np.ndarray and shared_dir is not None and value.nbytes >= _SHARED_MIN_BYTES \
                and value.dtype != object:
            return _SharedArray(value, shared_dir)
        return value

    return _map_leaves(batch, leaf)


def _unpack(batch, open_array=True):
    """The batch with shared arrays mapped (or, with open_array=False, only their files removed)."""
    def leaf(value):
        if isinstance(value, _TensorOf):
            array = leaf(value.array)
            return Tensor(array) if open_array else None
        if isinstance(value, _SharedArray):
            if open_array:
                return value.open()
            value.discard()
            return None
        return value

    return _map_leaves(batch, leaf)


# ---- the main process's side --------------------------------------------------------------------

class WorkerPool:
    """`num_workers` processes loading the batches that `run(tasks)` names, in order."""

    def __init__(self, dataset, fetch, num_workers, *, seed, worker_init_fn, prefetch_factor, timeout,
                 context):
        import multiprocessing

        ctx = multiprocessing.get_context(context) if isinstance(context, (str, type(None))) else context
        self.prefetch = prefetch_factor * num_workers
        self.timeout = timeout
        self.result_queue = ctx.Queue()
        self.stop = ctx.Event()
        self.index_queues = []
        self.workers = []
        shared_dir = _SHARED_DIR if os.path.isdir(_SHARED_DIR) and os.access(_SHARED_DIR, os.W_OK) else None
        self._epoch = itertools.count()
        self._closed = False
        try:
            for i in range(num_workers):
                index_queue = ctx.Queue()
                worker = ctx.Process(
                    target=_worker_loop, name=f"fastgrad-DataLoader-worker-{i}", daemon=True,
                    args=(dataset, fetch, index_queue, self.result_queue, self.stop, i, num_workers, seed + i,
                          worker_init_fn, shared_dir))
                worker.start()
                self.index_queues.append(index_queue)
                self.workers.append(worker)
        except BaseException:
            self.close()
            raise
        # Workers stop with the pool, also when it is dropped without close() (a loop left by break).
        self._finalizer = weakref.finalize(self, _stop, self.workers, self.index_queues, self.result_queue,
                                          self.stop)

    def run(self, tasks):
        """Yield the loaded batch of each index list in `tasks`, in order."""
        epoch = next(self._epoch)
        tasks = iter(tasks)
        sent = received = 0
        waiting = {}
        exhausted = False
        try:
            while True:
                while not exhausted and sent - received < self.prefetch:
                    indices = next(tasks, None)
                    if indices is None:
                        exhausted = True
                        break
                    self.index_queues[sent % len(self.workers)].put(((epoch, sent), indices))
                    sent += 1
                if received == sent:
                    return
                while received not in waiting:
                    (task_epoch, number), result = self._get()
                    if task_epoch != epoch:   # left over from an epoch that was not finished
                        _unpack(result, open_array=False)
                        continue
                    waiting[number] = result
                result = waiting.pop(received)
                received += 1
                if isinstance(result, _WorkerError):
                    self.close()
                    result.reraise()
                yield _unpack(result)
        finally:
            for result in waiting.values():
                _unpack(result, open_array=False)

    def _get(self):
        waited = 0.0
        while True:
            try:
                return self.result_queue.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                waited += _POLL_SECONDS
            dead = [w for w in self.workers if not w.is_alive()]
            if dead:
                self.close()
                names = ", ".join(f"{w.name} (pid {w.pid}, exit code {w.exitcode})" for w in dead)
                raise RuntimeError(f"DataLoader: worker process(es) exited unexpectedly: {names}")
            if self.timeout and waited >= self.timeout:
                self.close()
                raise RuntimeError(f"DataLoader: timed out after {self.timeout} s waiting for a batch from the "
                                   "worker processes")

    @property
    def closed(self):
        return self._closed

    def close(self):
        """Stop the workers (idempotent)."""
        if not self._closed:
            self._closed = True
            finalizer = getattr(self, "_finalizer", None)
            if finalizer is not None:
                finalizer()
            else:
                _stop(self.workers, self.index_queues, self.result_queue, self.stop)


def _stop(workers, index_queues, result_queue, stop, grace_seconds=5.0):
    stop.set()
    for q in index_queues:
        try:
            q.put(None)
        except (OSError, ValueError):
            pass
    # Read what the workers still send (a worker cannot exit while its results fill the pipe),
    # removing the shared-memory files of results nobody will use.
    deadline = time.monotonic() + grace_seconds
    while any(w.is_alive() for w in workers) and time.monotonic() < deadline:
        _discard_results(result_queue, wait=0.05)
    for w in workers:
        if w.is_alive():
            w.terminate()
        w.join(timeout=grace_seconds)
    _discard_results(result_queue, wait=0)
    for q in index_queues + [result_queue]:
        q.cancel_join_thread()
        q.close()


def _discard_results(result_queue, wait):
    while True:
        try:
            _, result = result_queue.get(timeout=wait) if wait else result_queue.get_nowait()
        except (queue.Empty, OSError, ValueError, EOFError):
            return
        _unpack(result, open_array=False)
