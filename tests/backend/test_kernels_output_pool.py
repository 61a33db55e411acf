"""Large kernel outputs come from a pool that reuses an array only once nothing
but the pool references it."""
import gc

import numpy as np
import pytest

import fastgrad as fg
from fastgrad import _C

BIG = 300_000  # float64: 2.4 MB, above the pool's 128 KiB floor


@pytest.fixture(autouse=True)
def fresh_pool():
    before = _C.buffer_pool()
    _C.buffer_pool(False)
    _C.buffer_pool(True)
    yield
    _C.buffer_pool(False)
    _C.buffer_pool(before, max_free_bytes=1 << 30)


def test_a_dropped_output_is_reused_and_fully_overwritten(rng):
    x = rng.standard_normal(BIG)
    a = _C.sigmoid_fwd(x)
    first = id(a)
    del a
    b = _C.tanh_fwd(x)
    assert id(b) == first
    np.testing.assert_array_equal(b, _C.tanh_fwd(x.copy()))


@pytest.mark.parametrize("holder", ["view", "tensor", "memoryview", "list"])
def test_an_output_still_referenced_is_not_reused(holder, rng):
    x = rng.standard_normal(BIG)
    a = _C.relu_fwd(x)
    expected = a.copy()
    keep = {"view": lambda: a[10:], "tensor": lambda: fg.from_numpy(a), "memoryview": lambda: memoryview(a),
            "list": lambda: [a]}[holder]()
    del a
    b = _C.sigmoid_fwd(x)
    seen = np.asarray(keep[0] if holder == "list" else keep.numpy() if holder == "tensor" else keep)
    np.testing.assert_array_equal(seen, expected[10:] if holder == "view" else expected)
    assert not np.shares_memory(b, seen)


def test_saved_graph_arrays_are_not_reused(rng):
    x = fg.tensor(rng.standard_normal(BIG), requires_grad=True)
    y = fg.sigmoid(x)  # the graph saves y's array
    saved = y.data.copy()
    loss = (y * 2.0).sum()
    del y
    gc.collect()
    for _ in range(3):
        _C.sigmoid_fwd(rng.standard_normal(BIG))
    loss.backward()
    np.testing.assert_allclose(x.grad, 2 * saved * (1 - saved), rtol=1e-14)


def test_small_outputs_do_not_use_the_pool(rng):
    _C.sigmoid_fwd(rng.standard_normal(1000))
    assert _C.buffer_pool_info()["arrays"] == 0


def test_free_arrays_beyond_the_budget_are_released(rng):
    _C.buffer_pool(max_free_bytes=3 * BIG * 8)
    for n in range(BIG, BIG + 6):  # six shapes, each dropped at once
        _C.sigmoid_fwd(rng.standard_normal(n))
    info = _C.buffer_pool_info()
    assert info["free_bytes"] <= 3 * (BIG + 6) * 8
    assert info["arrays"] <= 4


def test_switching_off_allocates_fresh_arrays(rng):
    x = rng.standard_normal(BIG)
    _C.buffer_pool(False)
    a = _C.sigmoid_fwd(x)
    del a
    b = _C.sigmoid_fwd(x)
    assert _C.buffer_pool_info()["arrays"] == 0
    assert b.base is None and b.flags.owndata


def test_an_array_changed_by_its_user_is_not_handed_out_again(rng):
    x = rng.standard_normal(BIG)
    a = _C.sigmoid_fwd(x)
    a.flags.writeable = False
    a.shape = (BIG // 2, 2)
    del a
    b = _C.sigmoid_fwd(x)
    assert b.shape == (BIG,) and b.flags.writeable
