"""DataLoader with num_workers > 0: order, seeds, worker_init_fn, errors, dead workers, timeouts, shutdown."""
import glob
import multiprocessing
import os
import time

import numpy as np
import pytest

import fastgrad as fg
from fastgrad.utils.data import DataLoader, Dataset, TensorDataset, get_worker_info

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the tests' datasets are defined in the test "
                                                                "module, which only fork can share")


def _leftover_shared_files():
    return glob.glob("/dev/shm/fastgrad-batch-*")


def _no_workers_left(seconds=10.0):
    deadline = time.monotonic() + seconds
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    return not multiprocessing.active_children()


def _xy(n=103, width=300):
    # 300 float32 columns x 16 rows is 19 KB; batches of 64 rows go through shared memory.
    return np.arange(n * width, dtype=np.float32).reshape(n, width), np.arange(n)


@pytest.mark.parametrize("kwargs", [
    {"batch_size": 16, "shuffle": True, "seed": 3},
    {"batch_size": 64, "drop_last": True},
    {"batch_size": 7, "num_workers": 3, "prefetch_factor": 1},
    {"batch_size": None},
])
def test_batches_and_order_match_loading_in_process(kwargs):
    x, y = _xy()
    workers = {"num_workers": 2, **kwargs}
    plain = {k: v for k, v in kwargs.items() if k not in ("num_workers", "prefetch_factor")}
    got = list(DataLoader((x, y), **workers))
    want = list(DataLoader((x, y), **plain))
    assert len(got) == len(want) > 0
    for (xa, ya), (xb, yb) in zip(got, want):
        assert isinstance(xa, fg.Tensor) and xa.dtype == xb.dtype and xa.shape == xb.shape
        np.testing.assert_array_equal(xa.numpy(), xb.numpy())
        np.testing.assert_array_equal(ya.numpy(), yb.numpy())
    assert _no_workers_left() and not _leftover_shared_files()


class Records(Dataset):
    """Samples that are dicts of several kinds of values, to check collation in the workers."""

    def __len__(self):
        return 10

    def __getitem__(self, i):
        return {"x": np.full((2, 3), i, np.float64), "label": i, "t": fg.tensor([float(i)])}


def test_custom_samples_and_collate_fn():
    batches = list(DataLoader(Records(), batch_size=4, num_workers=2))
    assert [b["label"].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert batches[1]["x"].shape == (4, 2, 3) and batches[1]["t"].numpy()[:, 0].tolist() == [4, 5, 6, 7]
    sums = list(DataLoader(Records(), batch_size=5, num_workers=2, collate_fn=lambda s: sum(r["label"] for r in s)))
    assert sums == [10, 35]


class WhoLoads(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        info = get_worker_info()
        return np.array([i, info.id, info.num_workers, info.seed % 1000003, np.random.randint(1 << 30)])


def test_worker_info_seeds_and_init_fn():
    loader = DataLoader(WhoLoads(), batch_size=1, num_workers=2, shuffle=True, seed=5,
                        worker_init_fn=lambda worker_id: np.random.seed(1000 + worker_id))
    rows = np.concatenate([b.numpy() for b in loader])
    assert sorted(rows[:, 0]) == list(range(8))
    assert rows[:, 1].tolist() == [0, 1] * 4          # batches go to the workers in turn
    assert set(rows[:, 2]) == {2}
    first = {w: rows[rows[:, 1] == w][0, 4] for w in (0, 1)}
    assert first == {w: np.random.RandomState(1000 + w).randint(1 << 30) for w in (0, 1)}  # init_fn ran first
    seeds = {w: rows[rows[:, 1] == w][0, 3] for w in (0, 1)}
    assert seeds[1] == (seeds[0] + 1) % 1000003
    again = np.concatenate([b.numpy() for b in DataLoader(WhoLoads(), batch_size=1, num_workers=2, shuffle=True,
                                                           seed=5)])
    np.testing.assert_array_equal(again[:, :4], rows[:, :4])   # the same order and seeds from the same seed
    assert get_worker_info() is None


class FailsAt(Dataset):
    def __init__(self, bad, how="raise"):
        self.bad, self.how = bad, how

    def __len__(self):
        return 12

    def __getitem__(self, i):
        if i == self.bad:
            if self.how == "exit":
                os._exit(3)
            if self.how == "sleep":
                time.sleep(60)
            raise ValueError(f"sample {i} is broken")
        return np.float32(i)


def test_a_worker_error_is_raised_with_its_traceback_after_the_batches_before_it():
    seen = []
    with pytest.raises(ValueError, match=r"(?s)DataLoader worker 0: ValueError while loading a batch.*"
                                         r"in __getitem__.*sample 5 is broken"):
        for b in DataLoader(FailsAt(5), batch_size=2, num_workers=2):
            seen.append(b.numpy().tolist())
    assert seen == [[0, 1], [2, 3]]
    assert _no_workers_left() and not _leftover_shared_files()


def test_a_failing_worker_init_fn_is_raised():
    def init(worker_id):
        raise OSError(f"no resource for worker {worker_id}")

    with pytest.raises(OSError, match="(?s)worker_init_fn.*no resource for worker 0"):
        list(DataLoader(FailsAt(-1), batch_size=2, num_workers=2, worker_init_fn=init))
    assert _no_workers_left()


def test_a_worker_that_dies_is_reported_not_waited_for():
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="worker process.* exited unexpectedly.*exit code 3"):
        list(DataLoader(FailsAt(4, "exit"), batch_size=2, num_workers=2))
    assert time.monotonic() - started < 30
    assert _no_workers_left()


def test_timeout_bounds_the_wait_for_a_batch():
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="timed out after 1 s"):
        list(DataLoader(FailsAt(2, "sleep"), batch_size=2, num_workers=2, timeout=1))
    assert time.monotonic() - started < 30   # the sleeping worker is terminated, not waited for
    assert _no_workers_left()


def test_leaving_the_loop_early_stops_the_workers_and_frees_shared_memory():
    x, _ = _xy(400)
    for i, _batch in enumerate(DataLoader(x, batch_size=64, num_workers=2, prefetch_factor=3)):
        if i == 1:
            break
    assert _no_workers_left() and not _leftover_shared_files()


def test_persistent_workers_serve_every_epoch_and_go_with_the_loader():
    x, y = _xy()
    loader = DataLoader((x, y), batch_size=10, shuffle=True, seed=0, num_workers=2, persistent_workers=True)
    reference = DataLoader((x, y), batch_size=10, shuffle=True, seed=0)
    for i, ((_, got), (_, want)) in enumerate(zip(loader, reference)):   # an epoch left half-way
        if i == 3:
            break
    pids = {w.pid for w in loader._pool.workers}
    for _ in range(2):
        epoch = [yb.numpy().tolist() for _, yb in loader]
        assert epoch == [yb.numpy().tolist() for _, yb in reference]
        assert {w.pid for w in loader._pool.workers} == pids and all(w.is_alive() for w in loader._pool.workers)
    del loader
    assert _no_workers_left() and not _leftover_shared_files()


def test_spawned_workers_load_a_picklable_dataset():
    x, y = _xy(20)
    loader = DataLoader(TensorDataset(x, y), batch_size=8, num_workers=1, multiprocessing_context="spawn")
    assert [yb.numpy().tolist() for _, yb in loader] == [list(range(8)), list(range(8, 16)), list(range(16, 20))]
    assert _no_workers_left()


@pytest.mark.parametrize("kwargs, message", [
    ({"num_workers": -1}, "num_workers must be a non-negative integer"),
    ({"timeout": -1}, "timeout must be a non-negative number"),
    ({"prefetch_factor": 2}, "prefetch_factor option could only be specified in multiprocessing"),
    ({"persistent_workers": True}, "persistent_workers option needs num_workers > 0"),
    ({"num_workers": 2, "prefetch_factor": 0}, "prefetch_factor must be a positive integer"),
])
def test_worker_options_are_checked(kwargs, message):
    with pytest.raises(ValueError, match=f"DataLoader: {message}"):
        DataLoader(TensorDataset(np.zeros(4)), **kwargs)
