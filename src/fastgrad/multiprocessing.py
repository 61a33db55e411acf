"""PyTorch's torch.multiprocessing: Python's multiprocessing, plus spawn().

Tensors made shared with share_memory_() (Module.share_memory()) are seen by processes started
with the 'fork' method (Linux's default) afterwards, which is how Hogwild training shares one
model; pickling such a tensor (the 'spawn' and 'forkserver' methods, Queues) is refused, since
the other process would get a private copy.
"""
import multiprocessing as _mp
from multiprocessing import (Array, Barrier, Condition, Event, JoinableQueue, Lock, Manager, Pipe, Pool,  # noqa: F401
                             Process, Queue, RLock, Semaphore, SimpleQueue, Value, active_children, cpu_count,
                             current_process, get_all_start_methods, get_context, get_start_method,
                             set_start_method)


class ProcessExitedException(RuntimeError):
    """A process started by spawn() exited with a non-zero code."""

    def __init__(self, message, error_index, exit_code):
        super().__init__(message)
        self.error_index, self.exit_code = error_index, exit_code


class ProcessContext:
    """The processes spawn(join=False) started; join() waits for them all."""

    def __init__(self, processes):
        self.processes = processes

    def pids(self):
        return [p.pid for p in self.processes]

    def join(self, timeout=None):
        """Wait for every process; True when all have exited.  A non-zero exit code raises
        ProcessExitedException naming the process."""
        for p in self.processes:
            p.join(timeout)
        for i, p in enumerate(self.processes):
            if p.exitcode not in (0, None):
                for other in self.processes:
                    if other.is_alive():
                        other.terminate()
                raise ProcessExitedException(f"process {i} terminated with exit code {p.exitcode}", i, p.exitcode)
        return all(p.exitcode is not None for p in self.processes)


def spawn(fn, args=(), nprocs=1, join=True, daemon=False, start_method="spawn"):
    """Run fn(i, *args) in nprocs new processes (i = 0 .. nprocs - 1), as torch.multiprocessing.spawn.
    join=True waits for all of them (and raises if one fails); join=False returns a ProcessContext."""
    if not isinstance(nprocs, int) or isinstance(nprocs, bool) or nprocs < 1:
        raise ValueError(f"spawn: argument 'nprocs' must be a positive int, got {nprocs!r}")
    context = _mp.get_context(start_method)
    processes = [context.Process(target=fn, args=(i, *args), daemon=daemon) for i in range(nprocs)]
    for p in processes:
        p.start()
    handle = ProcessContext(processes)
    if not join:
        return handle
    handle.join()
    return None


def start_processes(fn, args=(), nprocs=1, join=True, daemon=False, start_method="spawn"):
    """spawn() with a choice of start method (PyTorch's name for it)."""
    return spawn(fn, args, nprocs, join, daemon, start_method)
