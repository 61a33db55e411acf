"""The check a call of the signature replayed last makes (jit/hot_path.py): True exactly when the fast key
would match and the guards hold, so every change of the call or of what it reads finds its own recording."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.jit.hot_path import hot_check
from fastgrad.jit.signature import fast_key


def _variants(rng):
    """Calls (tuples of arguments) that differ from the first in one part of the fast key each."""
    a = rng.standard_normal((4, 3)).astype(np.float32)
    y = rng.integers(0, 3, 4)
    base = (fg.tensor(a), y)
    return base, {
        "same, new arrays": (fg.tensor(a.copy()), y.copy()),
        "shape": (fg.tensor(a[:2].copy()), y),
        "dtype": (fg.tensor(a.astype(np.float64)), y),
        "strides": (fg.from_numpy(np.asfortranarray(a)), y),
        "requires_grad": (fg.tensor(a, requires_grad=True), y),
        "array for tensor": (a, y),
        "tensor for array": (fg.tensor(a), fg.tensor(y)),
        "target dtype": (fg.tensor(a), y.astype(np.int32)),
        "one argument": (fg.tensor(a),),
        "three arguments": (fg.tensor(a), y, y.copy()),
        "shared array": (fg.tensor(a), a),
    }


def test_the_check_agrees_with_the_fast_key(rng):
    base, variants = _variants(rng)
    weight = fg.tensor(rng.standard_normal(3).astype(np.float32))
    guards = [(weight, np.ndarray, (3,), np.dtype(np.float32), False)]
    check = hot_check(fast_key(base), guards)
    assert check(base)
    for name, args in variants.items():
        assert check(args) == (fast_key(args) == fast_key(base)), name
    with fg.no_grad():
        assert not check(base)
    fg.set_default_dtype(np.float64)
    try:
        assert not check(base)
    finally:
        fg.set_default_dtype(np.float32)
    weight.requires_grad_(True)
    assert not check(base)
    weight.requires_grad_(False)
    weight.data = weight.data.astype(np.float64)
    assert not check(base)


def test_an_input_reshaped_in_place_is_seen(rng):
    a = rng.standard_normal(6)
    check = hot_check(fast_key((a,)), [])
    assert check((a,))
    a.shape = (2, 3)
    assert not check((a,))


@pytest.mark.parametrize("change", ["another shape", "parameter dtype", "cleared"])
def test_after_a_change_the_right_recording_replays(rng, change):
    w = fg.tensor(rng.standard_normal(3))

    def f(x):
        return (x * w).sum(axis=-1)

    jitted = fg.jit(f)
    rows = 4
    for _ in range(4):  # recorded, recorded again on other inputs (verified), replayed twice
        x = fg.tensor(rng.standard_normal((rows, 3)))
        assert np.array_equal(jitted(x).data, f(x).data)
    assert jitted._hot is not None and jitted._hot[1].plan.calls == 2
    before = jitted.recordings
    if change == "another shape":
        rows = 5
    elif change == "parameter dtype":
        w.data = w.data.astype(np.float32)
    else:
        jitted.clear_cache()
    for _ in range(4):
        x = fg.tensor(rng.standard_normal((rows, 3)))
        out = jitted(x)
        assert out.data.dtype == f(x).data.dtype and np.array_equal(out.data, f(x).data)
    assert jitted.recordings == before + 2
    assert jitted._hot[1].plan.calls == 2


def test_alternating_signatures_each_replay_their_own(rng):
    jitted = fg.jit(lambda x: (x * 2.0).sum())
    for _ in range(6):
        for n in (3, 5):
            x = fg.tensor(rng.standard_normal(n))
            assert np.array_equal(jitted(x).data, (x * 2.0).sum().data)
    assert jitted.recordings == 4 and jitted.cache_len() == 2
    assert sorted(p.calls for p in jitted.plans()) == [4, 4]
