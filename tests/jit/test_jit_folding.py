"""Plan lines on constants of the recording computed once when the plan is made (jit/folding.py):
the same bits as eager, and never a shared array that a caller or a later line could write."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.numpy as fnp
from fastgrad.jit import folding

from jit_models import regression_data, regression_loss


def _only_plan(jitted):
    plans = jitted.plans()
    assert len(plans) == 1
    return plans[0]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_regression_grad_folds_the_seed_gradient_and_stays_eager_equal(rng, dtype):
    eager = fg.grad(regression_loss)
    jitted = fg.jit(eager)
    for step in range(8):
        w, x, y = regression_data(rng, 32, 3, dtype)
        got = jitted(w, x, y)
        assert np.array_equal(got, eager(w, x, y)), step
        got[...] = 123.0  # the caller owns the result: writing it changes no later call
    plan = _only_plan(jitted)
    assert plan.calls == 6 and "_folded" in plan.source
    assert ".copy()" not in plan.source and "flags.writeable" not in plan.source


@pytest.mark.parametrize("fn", [lambda x: fnp.sum(x), lambda x: fnp.sum(x * 2.0), lambda x: fnp.mean(x) * 0.5])
def test_a_gradient_made_of_constants_only_is_a_new_array_each_call(rng, fn):
    eager, jitted = fg.grad(fn), fg.jit(fg.grad(fn))
    for _ in range(5):
        x = rng.standard_normal((4, 3))
        got = jitted(x)
        assert np.array_equal(got, eager(x))
        assert got.flags.writeable
        got[...] = -7.0


def test_a_parameter_grad_that_is_the_seed_gradient_is_owned_by_the_parameter():
    w = fg.tensor(np.array([2.0, 3.0]), requires_grad=True)

    @fg.jit
    def step(x):
        loss = (w * 1.0).sum() + (x * 0).sum()
        loss.backward()
        return loss.detach()

    for i in range(5):
        w.grad = None
        step(fg.tensor(np.full(2, float(i))))
        assert np.array_equal(w.grad.data, [1.0, 1.0]), i
        w.grad.data[...] = 99.0  # the user's .grad: a later call must not see this


def _fold(lines, names, escaping=()):
    return folding.fold(["    " + line for line in lines], names, set(escaping), 8, _binder(names))


def _binder(names):
    def bind(value, hint):
        name = f"_{hint}{len(names)}"
        names[name] = value
        return name
    return bind


def test_fold_computes_constant_lines_once_with_the_same_bits():
    seed = np.ones((), np.float32)
    names = {"_np": np, "_seed": seed, "_c": 0.01, "_shape": (3, 1), "_dtype": seed.dtype, "_strides": (0, 0)}
    lines = ["s[1] = _seed.copy()",
             "s[2] = s[1] * _c",
             "g = _np.ndarray(_shape, _dtype, _np.asarray(s[2]), 0, _strides)",
             "g.flags.writeable = False",
             "s[3] = g",
             "s[4] = s[3] * 2 * s[0]"]
    out = _fold(lines, names)
    assert len(out) == 1 and out[0].strip().startswith("s[4] = _folded")
    assert _fold(lines + ["s[5] = _kernel3(s[4], s[3])"], dict(names))[-1].strip() == "s[5] = _kernel3(s[4], s[3])" and out[0].strip().endswith("* s[0]")
    folded_value = [v for k, v in names.items() if k.startswith("_folded")][0]
    s1 = seed.copy()
    expected = np.ndarray((3, 1), seed.dtype, np.asarray(s1 * 0.01), 0, (0, 0)) * 2
    assert folded_value.dtype == expected.dtype and np.array_equal(folded_value, expected)


@pytest.mark.parametrize("later", [
    "s[5] = _kernel(s[2], inplace=True)",   # a kernel writing into its input
    "s[5] = _ufunc(s[0], s[2], out=s[2])",   # written as an out= buffer
    "s[5] = _kernel3(s[0], s[1], s[2])",     # a third positional argument may be `out`
    "s[5] = _reduce4(s[0], None, None, s[2])",
    "s[5] = s[2]",                           # an alias (folded too) in a slot handed out (escaping)
    "s[2] += s[0]",                          # an in-place update
    "s[5] = _fn(s[2])",                      # a call that may hand the array on
    "_step(s)",                              # a kept step reads the slot list
])
def test_fold_gives_up_when_a_folded_value_could_be_written_or_handed_out(later):
    names = {"_np": np, "_seed": np.ones(3), "_c": 0.5}
    lines = ["s[1] = _seed.copy()", "s[2] = s[1] * _c", later]
    assert _fold(lines, names, escaping={5}) == ["    " + line for line in lines]


def test_fold_leaves_arrays_the_user_may_change_and_escaping_slots():
    shared = np.ones(3)  # read directly (a constant of the user's): its values may change between calls
    names = {"_np": np, "_shared": shared, "_c": 0.5}
    lines = ["s[2] = _shared * _c", "s[3] = s[2] * s[0]"]
    assert _fold(lines, names) == ["    " + line for line in lines]
    names = {"_np": np, "_seed": np.ones(3), "_c": 0.5}
    lines = ["s[1] = _seed.copy()", "s[2] = s[1] * _c", "s[3] = s[2] * s[0]"]
    assert _fold(lines, names, escaping={2}) == ["    " + line for line in lines]
    assert _fold(lines, dict(names)) != ["    " + line for line in lines]
