"""Run with mpiexec -n 2: every collective on arrays and Tensors, sync and async, and their errors."""
import numpy as np

import fastgrad as fg
import fastgrad.distributed as dist
from fastgrad.distributed import ReduceOp

dist.init_process_group(backend="mpi")
rank, world = dist.get_rank(), dist.get_world_size()
assert dist.is_initialized() and world == 2, world
others = np.arange(world)


def expect_error(kind, text, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except kind as e:
        assert text in str(e), (text, str(e))
    else:
        raise AssertionError(f"{fn.__name__} did not raise {kind.__name__}")


def local_values(shape, dtype):
    return np.asarray((np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape) * (rank + 1) - rank),
                      dtype=dtype)


def values_of_every_rank(shape, dtype):
    return [np.asarray(np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape) * (r + 1) - r, dtype=dtype)
            for r in others]


# all_reduce: every op, on arrays (contiguous or not, 0-d, empty) and on Tensors, sync and async
for dtype in (np.float32, np.float64, np.int64):
    for shape in ((), (0,), (5,), (3, 4)):
        everyone = values_of_every_rank(shape, dtype)
        expected = {ReduceOp.SUM: np.sum(everyone, axis=0, dtype=dtype), ReduceOp.PRODUCT: np.prod(everyone, axis=0),
                    ReduceOp.MAX: np.max(everyone, axis=0), ReduceOp.MIN: np.min(everyone, axis=0)}
        if np.dtype(dtype).kind == "f":
            expected[ReduceOp.AVG] = np.sum(everyone, axis=0, dtype=dtype) / dtype(world)
        for op, want in expected.items():
            for async_op in (False, True):
                a = local_values(shape, dtype)
                work = dist.all_reduce(a, op=op, async_op=async_op)
                if async_op:
                    assert work.wait() is True
                    assert work.is_completed()
                else:
                    assert work is None
                np.testing.assert_array_equal(a, np.asarray(want, dtype=dtype), err_msg=f"{op} {dtype} {shape}")
                t = fg.tensor(local_values(shape, dtype))
                version = t._version[0]
                work = dist.all_reduce(t, op=op, async_op=async_op)
                if async_op:
                    work.wait()
                np.testing.assert_array_equal(t._data, np.asarray(want, dtype=dtype))
                assert t._version[0] == version + 1

base = local_values((4, 6), np.float64)
view = base[:, ::2]                       # not contiguous: the result still lands in place
dist.all_reduce(view)
np.testing.assert_array_equal(view, sum(v[:, ::2] for v in values_of_every_rank((4, 6), np.float64)))
np.testing.assert_array_equal(base[:, 1::2], local_values((4, 6), np.float64)[:, 1::2])

# broadcast from each rank
for src in others:
    for async_op in (False, True):
        a = local_values((2, 3), np.float32)
        t = fg.tensor(local_values((3,), np.float64), requires_grad=True)
        works = [dist.broadcast(a, src=src, async_op=async_op), dist.broadcast(t, src=int(src), async_op=async_op)]
        for w in works:
            if async_op:
                w.wait()
        np.testing.assert_array_equal(a, values_of_every_rank((2, 3), np.float32)[src])
        np.testing.assert_array_equal(t._data, values_of_every_rank((3,), np.float64)[src])

# all_gather into arrays and Tensors
for async_op in (False, True):
    mine = local_values((2, 2), np.float64)
    outputs = [np.zeros((2, 2)), fg.tensor(np.zeros((2, 2)))]
    work = dist.all_gather(outputs, fg.tensor(mine), async_op=async_op)
    if async_op:
        work.wait()
    for got, want in zip(outputs, values_of_every_rank((2, 2), np.float64)):
        np.testing.assert_array_equal(np.asarray(got._data if isinstance(got, fg.Tensor) else got), want)

# reduce_scatter: rank r gets op over ranks of input_list[r]
for op in (ReduceOp.SUM, ReduceOp.AVG, ReduceOp.MAX):
    for async_op in (False, True):
        inputs = [local_values((3,), np.float64) + 10 * i for i in others]
        out = fg.tensor(np.zeros(3))
        work = dist.reduce_scatter(out, inputs, op=op, async_op=async_op)
        if async_op:
            work.wait()
        parts = [v + 10 * rank for v in values_of_every_rank((3,), np.float64)]
        want = {ReduceOp.SUM: np.sum(parts, axis=0), ReduceOp.AVG: np.sum(parts, axis=0) / world,
                ReduceOp.MAX: np.max(parts, axis=0)}[op]
        np.testing.assert_array_equal(out._data, want)

assert dist.barrier() is None
dist.barrier(async_op=True).wait()

# errors: the same clear exception on every rank, raised before any data moves
a = np.ones(3 + rank)
expect_error(ValueError, "rank 0 has shape (3,) dtype float64, rank 1 has shape (4,)", dist.all_reduce, a)
np.testing.assert_array_equal(a, 1.0)     # untouched
b = np.ones(3, dtype=np.float32 if rank == 0 else np.float64)
expect_error(ValueError, "dtype float32, rank 1 has shape (3,) dtype float64", dist.broadcast, b, src=0)
expect_error(ValueError, "arrays differ across ranks", dist.all_gather, [np.zeros(3 + rank)] * 2, np.zeros(3 + rank))
bad = np.ones(3) if rank == 0 else [1.0, 2.0, 3.0]        # a list on rank 1 only
expect_error(TypeError, "tensor must be an array or a Tensor holding one, got builtins.list (on rank 1)",
             dist.all_reduce, bad)
expect_error(TypeError, "ReduceOp.AVG needs a floating dtype, got int64 (on rank 0)",
             dist.all_reduce, np.ones(2, np.int64), op=ReduceOp.AVG)
readonly = np.ones(2)
readonly.flags.writeable = False
expect_error(ValueError, "read-only", dist.all_reduce, readonly)
expect_error(TypeError, "which MPI cannot carry", dist.all_reduce, np.ones(2, np.float16))
expect_error(ValueError, "src must be a rank in [0, 2), got 5", dist.broadcast, np.ones(2), src=5)
expect_error(TypeError, "tensor_list must be a list of 2 arrays", dist.all_gather, [np.zeros(2)], np.zeros(2))
expect_error(ValueError, "input_list[1] has shape (3,)", dist.reduce_scatter, np.zeros(2), [np.zeros(2), np.zeros(3)])
expect_error(ValueError, "only the default group", dist.all_reduce, np.ones(2), group="other")

# after all that, the ranks still agree and communicate
c = np.array([float(rank)])
dist.all_reduce(c)
assert c[0] == sum(others)
dist.destroy_process_group()
assert not dist.is_initialized()
expect_error(RuntimeError, "call fastgrad.distributed.init_process_group", dist.get_rank)
print(f"rank {rank}: collectives ok")
