"""What a recording is specialised to: the signature, static_argnums, and the bounded cache."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.numpy as fnp

from jit_models import regression_data, regression_loss


def test_new_shapes_record_anew_and_old_ones_replay(rng):
    eager = fg.grad(regression_loss)
    jitted = fg.jit(eager)
    shapes = [(8, 3), (8, 3), (8, 3), (16, 3), (16, 3), (8, 3), (16, 3), (16, 5)]
    for n, d in shapes:
        w, x, y = regression_data(rng, n, d)
        assert np.array_equal(jitted(w, x, y), eager(w, x, y))
    assert jitted.recordings == 5  # (8, 3) and (16, 3) twice each, (16, 5) once
    assert jitted.cache_len() == 3


@pytest.mark.parametrize("change", ["dtype", "requires_grad", "grad_mode", "layout", "aliasing"])
def test_each_part_of_the_signature_records_anew(rng, change):
    w = fg.tensor(rng.standard_normal(4), requires_grad=False)

    @fg.jit
    def f(a, b):
        return (a * w + b).sum()

    a, b = rng.standard_normal(4), rng.standard_normal(4)
    ta, tb = fg.tensor(a), fg.tensor(b)
    for _ in range(3):
        assert np.array_equal(f(ta, tb).data, (ta * w + tb).sum().data)
    before = f.recordings
    if change == "dtype":
        ta, tb = fg.tensor(a.astype(np.float32)), fg.tensor(b.astype(np.float32))
    elif change == "requires_grad":
        ta = fg.tensor(a, requires_grad=True)
    elif change == "layout":
        ta = fg.from_numpy(np.stack([a, a], axis=1)[:, 0])   # a strided view: tensor() would copy it
    elif change == "aliasing":
        tb = ta
    with fg.set_grad_enabled(change != "grad_mode"), np.errstate(all="ignore"):
        if change == "requires_grad":
            with fg.no_grad():
                out = f(ta, tb)
        else:
            out = f(ta, tb)
        assert np.array_equal(out.data, (ta * w + tb).sum().data)
    assert f.recordings == before + 1


def test_static_argnums_values_are_part_of_the_signature(rng):
    def f(x, power, scale):
        return fnp.sum(x ** power) * scale

    jitted = fg.jit(fg.grad(f), static_argnums=(1,))
    x = rng.standard_normal(5)
    for power in (2, 3, 2, 3, 2):
        for scale in (1.0, 0.5):
            assert np.array_equal(jitted(x, power, scale), fg.grad(f)(x, power, scale))
    assert jitted.recordings == 8  # four (power, scale) pairs, each recorded twice


def test_static_argnums_must_be_hashable():
    jitted = fg.jit(lambda x, table: x, static_argnums=1)
    with pytest.raises(TypeError, match="static_argnums.*not hashable"):
        jitted(np.ones(2), {"a": 1})


def test_other_objects_as_arguments_are_refused_with_the_way_out():
    jitted = fg.jit(lambda x, model: x)
    with pytest.raises(TypeError, match="argument 1 is a Linear.*static_argnums"):
        jitted(np.ones(2), fg.nn.Linear(2, 2))


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2"])
def test_bad_cache_size_is_refused(bad):
    with pytest.raises(ValueError, match="cache_size"):
        fg.jit(lambda x: x, cache_size=bad)


def test_bad_static_argnums_are_refused():
    with pytest.raises(ValueError, match="static_argnums"):
        fg.jit(lambda x: x, static_argnums=(-1,))
    with pytest.raises(TypeError, match="expected a function"):
        fg.jit(3)


def test_cache_is_bounded_and_least_recently_used_goes_first(rng):
    jitted = fg.jit(fg.grad(regression_loss), cache_size=2)
    data = {n: regression_data(rng, n, 2) for n in (4, 5, 6)}

    def call(n):
        w, x, y = data[n]
        assert np.array_equal(jitted(w, x, y), fg.grad(regression_loss)(w, x, y))

    for n in (4, 4, 5, 5):
        call(n)
    assert jitted.recordings == 4 and jitted.cache_len() == 2
    call(4)          # replayed; 4 is now the most recently used
    assert jitted.recordings == 4
    call(6)          # a third signature: 5 is dropped
    assert jitted.cache_len() == 2
    call(4)
    assert jitted.recordings == 5
    call(5)          # dropped before: recorded again
    assert jitted.recordings == 6
    jitted.clear_cache()
    assert jitted.cache_len() == 0
    assert fg.jit(lambda x: x).cache_size == fg.jit.JitFunction(lambda x: x).cache_size == 16


def test_parameter_changing_shape_outside_records_anew(rng):
    lin = fg.nn.Linear(3, 2)

    @fg.jit
    def f(x):
        return lin(x)

    x = fg.tensor(rng.standard_normal((4, 3)).astype(np.float32))
    with fg.no_grad():
        for _ in range(3):
            f(x)
        lin.weight.data = np.zeros((2, 3), np.float64)   # another dtype: the recording no longer fits
        out = f(x)
        assert out.dtype == np.float64 and np.array_equal(out.data, lin(x).data)
    assert f.recordings == 3


def test_decorator_form_with_options(rng):
    @fg.jit(static_argnums=(1,), cache_size=3)
    def f(x, k):
        return x * k

    x = fg.tensor(rng.standard_normal(3))
    assert np.array_equal(f(x, 2).data, (x * 2).data)
    assert f.cache_size == 3 and f.__name__ == "f"


def test_fast_key_path_skips_the_full_signature_and_still_records_anew(rng, monkeypatch):
    from fastgrad.jit import function as function_module

    full_signatures = []
    full = function_module.signature

    def counted(*a, **k):
        full_signatures.append(1)
        return full(*a, **k)

    monkeypatch.setattr(function_module, "signature", counted)
    w = fg.tensor(rng.standard_normal(4))

    @fg.jit
    def f(a, b):
        return (a * w + b).sum()

    def eager(a, b):
        return (a * w + b).sum().data

    a = fg.tensor(rng.standard_normal(4))
    b = rng.standard_normal(4)
    for _ in range(5):
        assert np.array_equal(f(a, b).data, eager(a, b))
    assert (f.recordings, len(full_signatures)) == (2, 1)  # the full signature only on the first call
    with fg.no_grad():  # the grad mode is in the fast key
        assert np.array_equal(f(a, b).data, eager(a, b))
        assert (f.recordings, len(full_signatures)) == (3, 2)
        a.requires_grad_(True)  # the same objects, another signature
        assert np.array_equal(f(a, b).data, eager(a, b))
        assert (f.recordings, len(full_signatures)) == (4, 3)
    a.requires_grad_(False)
    a32, b32 = fg.tensor(rng.standard_normal(4).astype(np.float32)), rng.standard_normal(4).astype(np.float32)
    with np.errstate(all="ignore"):
        assert np.array_equal(f(a32, b32).data, eager(a32, b32))
    assert (f.recordings, len(full_signatures)) == (5, 4)
    assert np.array_equal(f(a, b).data, eager(a, b))  # back to a known signature by its fast key
    assert (f.recordings, len(full_signatures)) == (5, 4)
    assert np.array_equal(f(a, a).data, eager(a, a))  # arguments sharing an array: the full signature
    assert (f.recordings, len(full_signatures)) == (6, 5)
    f.clear_cache()
    assert np.array_equal(f(a, b).data, eager(a, b))
    assert (f.recordings, len(full_signatures)) == (7, 6)
