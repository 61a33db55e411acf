"""Run with mpiexec -n 2: collectives on arrays of another library (array-api-strict, on its
second device), staged through host memory; results land on the array's own device."""
import array_api_strict as xp
import numpy as np

import fastgrad as fg
import fastgrad.distributed as dist
from fastgrad.distributed import ReduceOp

dist.init_process_group(backend="mpi")
rank, world = dist.get_rank(), dist.get_world_size()
device = xp.Device("device1")

a = xp.asarray(np.arange(6.0).reshape(2, 3) * (rank + 1), device=device)
dist.all_reduce(a, op=ReduceOp.AVG)
assert a.device == device
np.testing.assert_array_equal(np.asarray(xp.asarray(a, device=xp.Device("CPU_DEVICE"))),
                              np.arange(6.0).reshape(2, 3) * 1.5)

t = fg.Tensor(xp.asarray(np.full(3, float(rank), dtype=np.float32), device=device))
version = t._version[0]
dist.all_reduce(t, op=ReduceOp.MAX, async_op=True).wait()
assert t._data.device == device and t._version[0] == version + 1
np.testing.assert_array_equal(np.asarray(xp.asarray(t._data, device=xp.Device("CPU_DEVICE"))), [1.0, 1.0, 1.0])

b = xp.asarray(np.full(2, 10.0 * (rank + 1)), device=device)
dist.broadcast(b, src=1)
np.testing.assert_array_equal(np.asarray(xp.asarray(b, device=xp.Device("CPU_DEVICE"))), [20.0, 20.0])

outputs = [xp.zeros(2, dtype=xp.float64, device=device) for _ in range(world)]
dist.all_gather(outputs, xp.asarray(np.full(2, float(rank)), device=device))
for r, out in enumerate(outputs):
    assert out.device == device
    np.testing.assert_array_equal(np.asarray(xp.asarray(out, device=xp.Device("CPU_DEVICE"))), [r, r])

c = xp.ones(3 + rank, device=device)
try:
    dist.all_reduce(c)
except ValueError as e:
    assert "rank 0 has shape (3,)" in str(e), str(e)
else:
    raise AssertionError("different shapes must be refused")
print(f"rank {rank}: device-array collectives ok")
