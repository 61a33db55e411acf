"""Run with mpiexec -n 2: SyncBatchNorm over two ranks, each holding half of a batch, gives the
values, input and parameter gradients and running statistics of BatchNorm on the whole batch."""
import numpy as np

import fastgrad as fg
import fastgrad.distributed as dist
from fastgrad import nn

dist.init_process_group(backend="mpi")
rank, world = dist.get_rank(), dist.get_world_size()

rng = np.random.default_rng(0)               # the same whole batch on every rank
whole = rng.standard_normal((6, 3, 4, 2)) * 2 + 1
grad = rng.standard_normal(whole.shape)
rows = slice(rank * 3, rank * 3 + 3) if rank < 2 else slice(0, 0)

reference = nn.BatchNorm2d(3, momentum=0.2, dtype=np.float64)
synced = nn.SyncBatchNorm(3, momentum=0.2, dtype=np.float64)
for m in (reference, synced):
    m.weight._data[...] = [0.5, 1.0, 2.0]
    m.bias._data[...] = [0.1, -0.2, 0.3]

x_all = fg.tensor(whole, requires_grad=True)
y_all = reference(x_all)
y_all.backward(fg.tensor(grad))

x = fg.tensor(whole[rows], requires_grad=True)
y = synced(x)
y.backward(fg.tensor(grad[rows]))

np.testing.assert_allclose(y.detach().numpy(), y_all.detach().numpy()[rows], rtol=1e-10, atol=1e-12)
np.testing.assert_allclose(x.grad.numpy(), x_all.grad.numpy()[rows], rtol=1e-9, atol=1e-12)
for name in ("weight", "bias"):  # each rank's share; their sum is the whole batch's gradient
    share = getattr(synced, name).grad.numpy().copy()
    dist.all_reduce(share)
    np.testing.assert_allclose(share, getattr(reference, name).grad.numpy(), rtol=1e-9, atol=1e-12)
for name in ("running_mean", "running_var", "num_batches_tracked"):
    np.testing.assert_allclose(getattr(synced, name).numpy(), getattr(reference, name).numpy(), rtol=1e-10)
synced.eval()
np.testing.assert_allclose(synced(fg.tensor(whole)).numpy(), reference.eval()(fg.tensor(whole)).numpy(), rtol=1e-10)
print("sync batch norm ok", flush=True)
