"""SparseAdam against torch.optim.SparseAdam: an embedding table trained for 30 steps (PyTorch's with
sparse gradients from nn.Embedding(sparse=True), fastgrad's dense ones with the same values), float64 and float32,
maximize, a ReLU after the lookup (zero entries inside looked-up rows), untouched rows left alone,
state_dict round trip and argument checks."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.optim import SparseAdam


def _train(lib, table, batches, weights, relu, dtype, steps_kwargs):
    """Train table (rows x dim) on batches of indices; returns the final table and the optimizer."""
    embedding = lib.nn.Embedding(*table.shape, sparse=True)
    embedding.weight.data = lib.tensor(table.astype(dtype))
    optimizer = lib.optim.SparseAdam(embedding.parameters(), **steps_kwargs)
    for indices, w in zip(batches, weights):
        optimizer.zero_grad()
        out = embedding(lib.tensor(indices))
        if relu:
            out = lib.relu(out)
        loss = ((out - lib.tensor(w.astype(dtype))) ** 2).sum()
        loss.backward()
        optimizer.step()
    return embedding.weight.detach().numpy(), optimizer


@pytest.mark.parametrize("dtype, tol", [(np.float64, dict(rtol=1e-12, atol=1e-14)),
                                        (np.float32, dict(rtol=2e-5, atol=2e-6))])
@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("kwargs", [{}, dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6), dict(lr=0.01, maximize=True)])
def test_matches_pytorch_sparse_embedding_training(dtype, tol, relu, kwargs, rng):
    torch = pytest.importorskip("torch")
    rows, dim = 12, 4
    table = rng.standard_normal((rows, dim))
    batches = [rng.choice(rows - 2, size=5) for _ in range(30)]      # the last two rows are never looked up
    weights = [rng.standard_normal((5, dim)) for _ in batches]
    mine, optimizer = _train(fg, table, batches, weights, relu, dtype, kwargs)
    theirs, their_optimizer = _train(torch, table, batches, weights, relu, dtype, kwargs)
    assert mine.dtype == dtype
    np.testing.assert_allclose(mine, theirs, **tol)
    np.testing.assert_array_equal(mine[-2:], table[-2:].astype(dtype))   # untouched rows keep their values
    state = next(iter(optimizer.state.values()))
    their_state = next(iter(their_optimizer.state.values()))
    assert state["step"] == int(their_state["step"]) == 30
    for key in ("exp_avg", "exp_avg_sq"):
        expected = their_state[key].to_dense().numpy() if their_state[key].is_sparse else their_state[key].numpy()
        np.testing.assert_allclose(np.asarray(state[key]), expected, **tol)


def test_untouched_rows_keep_their_moments_unlike_adam():
    p = fg.tensor(np.zeros((3, 2)), requires_grad=True)
    optimizer = SparseAdam([p], lr=0.1)
    p.grad = fg.tensor(np.array([[1.0, 2.0], [0.0, 0.0], [0.0, 0.0]]))
    optimizer.step()
    p.grad = fg.tensor(np.array([[0.0, 0.0], [0.0, 0.0], [3.0, 0.0]]))
    optimizer.step()
    m = np.asarray(optimizer.state[p]["exp_avg"])
    np.testing.assert_allclose(m[0], [0.1, 0.2])          # not decayed at step 2: row 0 was not touched
    np.testing.assert_allclose(m[2], [0.3, 0.0])          # row 2's zero entry is still part of the row
    assert np.all(m[1] == 0) and np.all(p.detach().numpy()[1] == 0)


def test_vectors_are_masked_entry_by_entry():
    p = fg.tensor(np.ones(4), requires_grad=True)
    optimizer = SparseAdam([p], lr=0.5)
    p.grad = fg.tensor(np.array([0.0, 1.0, 0.0, -2.0]))
    optimizer.step()
    got = p.detach().numpy()
    assert got[0] == 1.0 and got[2] == 1.0
    np.testing.assert_allclose(got[[1, 3]], [0.5, 1.5], rtol=1e-6)     # the first step moves by about lr


def test_state_dict_round_trip_continues_identically(rng):
    def run(steps, restore=None):
        p = fg.tensor(rng_table.copy(), requires_grad=True)
        optimizer = SparseAdam([p], lr=0.1)
        if restore is not None:
            p.data = fg.tensor(restore[0])
            optimizer.load_state_dict(restore[1])
        for g in steps:
            p.grad = fg.tensor(g)
            optimizer.step()
        return p.detach().numpy(), optimizer.state_dict()
    rng_table = rng.standard_normal((5, 3))
    grads = [np.where(rng.random((5, 1)) < 0.5, rng.standard_normal((5, 3)), 0.0) for _ in range(6)]
    straight, _ = run(grads)
    half, saved = run(grads[:3])
    resumed, _ = run(grads[3:], restore=(half, saved))
    np.testing.assert_array_equal(resumed, straight)


@pytest.mark.parametrize("kwargs, words", [
    (dict(lr=-1.0), "SparseAdam: invalid learning rate"),
    (dict(eps=-1.0), "SparseAdam: invalid epsilon value"),
    (dict(betas=(1.0, 0.9)), "beta parameter at index 0"),
    (dict(betas=(0.9, -0.1)), "beta parameter at index 1"),
])
def test_bad_arguments(kwargs, words):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError):
        torch.optim.SparseAdam([torch.nn.Parameter(torch.zeros(2))], **kwargs)
    with pytest.raises(ValueError, match=words):
        SparseAdam([fg.zeros(2, requires_grad=True)], **kwargs)
