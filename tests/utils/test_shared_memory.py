"""Tensor.share_memory_, Module.share_memory and fastgrad.multiprocessing: Hogwild training (forked
processes updating one shared model, as PyTorch's mnist_hogwild example), the refusal to pickle a
shared tensor, and spawn()."""
import pickle

import numpy as np
import pytest

import fastgrad as fg
import fastgrad.multiprocessing as mp

JOIN_SECONDS = 120  # a hung child fails the test instead of hanging it


def test_share_memory_keeps_values_identity_and_views():
    t = fg.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert not t.is_shared()
    assert t.share_memory_() is t
    assert t.is_shared() and t[1].is_shared()
    np.testing.assert_array_equal(t.numpy(), [[1.0, 2.0], [3.0, 4.0]])
    t.share_memory_()  # twice is fine
    assert fg.zeros(0).share_memory_().is_shared()


def _add_ones(t, done):
    fg.set_num_threads(1)
    with fg.no_grad():
        t.add_(1.0)
    done.value = 1


def test_a_forked_process_writes_the_parents_tensor():
    ctx = mp.get_context("fork")
    t, done = fg.zeros(4).share_memory_(), ctx.Value("i", 0)
    p = ctx.Process(target=_add_ones, args=(t, done))
    p.start()
    p.join(JOIN_SECONDS)
    assert p.exitcode == 0 and done.value == 1
    np.testing.assert_array_equal(t.numpy(), np.ones(4))
    unshared = fg.zeros(4)
    p = ctx.Process(target=_add_ones, args=(unshared, done))
    p.start()
    p.join(JOIN_SECONDS)
    np.testing.assert_array_equal(unshared.numpy(), np.zeros(4))  # a private copy, as without share_memory_


def _train(rank, model, x, y, steps):
    fg.set_num_threads(1)
    opt = fg.optim.SGD(model.parameters(), lr=0.05)
    for i in range(steps):
        opt.zero_grad()
        fg.nn.functional.mse_loss(model(x[rank::2]), y[rank::2]).backward()
        opt.step()


def test_hogwild_training_updates_the_shared_model():
    fg.manual_seed(0)
    model = fg.nn.Linear(3, 1).share_memory()
    x = fg.randn(64, 3)
    y = x @ fg.tensor([[1.0], [-2.0], [0.5]])
    before = fg.nn.functional.mse_loss(model(x), y).item()
    ctx = mp.get_context("fork")
    workers = [ctx.Process(target=_train, args=(rank, model, x, y, 40)) for rank in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(JOIN_SECONDS)
    assert [w.exitcode for w in workers] == [0, 0]
    after = fg.nn.functional.mse_loss(model(x), y).item()
    assert after < 0.1 * before  # the parent's model was trained by its children
    assert all(p.is_shared() for p in model.parameters())


def test_pickling_a_shared_tensor_is_refused():
    with pytest.raises(TypeError, match=r"pickling a tensor in shared memory \(share_memory_\(\)\) would give"):
        pickle.dumps(fg.ones(2).share_memory_())
    with pytest.raises(TypeError, match="pickling a tensor in shared memory"):
        pickle.dumps(fg.nn.Linear(2, 2).share_memory())
    copy = pickle.loads(pickle.dumps(fg.ones(2, requires_grad=True)))  # unshared tensors pickle as before
    assert copy.requires_grad and copy.tolist() == [1.0, 1.0]


def _exit_with(rank, codes):
    raise SystemExit(codes[rank])


def test_spawn_runs_each_rank_and_reports_a_failure():
    assert mp.spawn(_exit_with, args=((0, 0),), nprocs=2, start_method="fork") is None
    with pytest.raises(mp.ProcessExitedException, match="process 1 terminated with exit code 3") as failure:
        mp.spawn(_exit_with, args=((0, 3),), nprocs=2, start_method="fork")
    assert failure.value.error_index == 1 and failure.value.exit_code == 3
    context = mp.spawn(_exit_with, args=((0,),), nprocs=1, join=False, start_method="fork")
    assert context.join(JOIN_SECONDS) and len(context.pids()) == 1
    with pytest.raises(ValueError, match="spawn: argument 'nprocs' must be a positive int"):
        mp.spawn(_exit_with, nprocs=0)
