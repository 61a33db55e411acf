"""histogramdd against PyTorch (counts, weights, density, edges, dtypes), set_default_tensor_type,
and the queries is_distributed, is_storage and is_vulkan_available."""
import numpy as np
import pytest

import fastgrad as fg
from refusals import refusal_test


def _same(mine, theirs, rtol=1e-6):
    assert mine.hist.dtype == theirs.hist.numpy().dtype
    np.testing.assert_allclose(mine.hist.numpy(), theirs.hist.numpy(), rtol=rtol)
    assert len(mine.bin_edges) == len(theirs.bin_edges)
    for m, t in zip(mine.bin_edges, theirs.bin_edges):
        np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=rtol)


CALLS = [
    ("int bins", lambda t, x: t.histogramdd(x, bins=4)),
    ("per-dimension bins", lambda t, x: t.histogramdd(x, bins=[3, 5])),
    ("range", lambda t, x: t.histogramdd(x, bins=[2, 3], range=[-1.0, 1.0, -2.0, 2.0])),
    ("density", lambda t, x: t.histogramdd(x, bins=3, density=True)),
    ("weights", lambda t, x: t.histogramdd(x, bins=[2, 2], weight=t.arange(x.shape[0], dtype=x.dtype))),
    ("edges", lambda t, x: t.histogramdd(x, bins=[t.tensor([-3.0, 0.0, 3.0], dtype=x.dtype),
                                                  t.tensor([-3.0, -1.0, 1.0, 3.0], dtype=x.dtype)])),
]


@pytest.mark.parametrize("name, call", CALLS, ids=[c[0] for c in CALLS])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_histogramdd_matches_pytorch(name, call, dtype):
    torch = pytest.importorskip("torch")
    points = np.random.default_rng(3).standard_normal((57, 2)).astype(dtype)
    _same(call(fg, fg.tensor(points)), call(torch, torch.tensor(points)))


def test_histogramdd_of_batched_points_and_three_dimensions():
    torch = pytest.importorskip("torch")
    points = np.random.default_rng(4).uniform(0, 1, (4, 5, 3))
    _same(fg.histogramdd(fg.tensor(points), bins=2), torch.histogramdd(torch.tensor(points), bins=2))


def test_set_default_tensor_type_sets_the_default_floating_dtype():
    before = fg.get_default_dtype()
    try:
        fg.set_default_tensor_type("torch.DoubleTensor")
        assert fg.ones(2).dtype == np.float64
        fg.set_default_tensor_type(fg.FloatTensor)
        assert fg.ones(2).dtype == np.float32
    finally:
        fg.set_default_dtype(before)


def test_queries_answer_as_a_cpu_only_pytorch():
    torch = pytest.importorskip("torch")
    assert fg.is_distributed(fg.ones(2)) is torch.is_distributed(torch.ones(2)) is False
    assert fg.ones(2).is_distributed() is False
    assert fg.is_storage(fg.ones(2)) is torch.is_storage(torch.ones(2)) is False
    assert fg.is_vulkan_available() is False


test_refusals = refusal_test([
    (lambda: fg.histogramdd(fg.ones(5), bins=2), RuntimeError, "at least 2 dimensions"),
    (lambda: fg.histogramdd(fg.ones(5, 2, dtype=fg.int64), bins=2), TypeError, "floating"),
    (lambda: fg.histogramdd(fg.ones(5, 2), bins=[2, 2, 2]), ValueError, "2 entries"),
    (lambda: fg.histogramdd(fg.ones(5, 2), bins=[2, 0]), ValueError, "positive"),
    (lambda: fg.histogramdd(fg.ones(5, 2), bins=2, range=[0.0, 1.0]), ValueError, "(min, max) pairs"),
    (lambda: fg.histogramdd(fg.ones(5, 2), bins=2, weight=fg.ones(4)), ValueError, "weight"),
    (lambda: fg.histogramdd(fg.ones(5, 1), bins=[fg.tensor([1.0, 0.0])]), ValueError, "increasing"),
    (lambda: fg.set_default_tensor_type("torch.LongTensor"), TypeError, "only floating"),
    (lambda: fg.set_default_tensor_type("torch.cuda.FloatTensor"), NotImplementedError, "set_default_device"),
], "^(histogramdd|set_default_tensor_type)")
