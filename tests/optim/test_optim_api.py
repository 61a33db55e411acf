"""Optimizer interface: argument checks, groups, zero_grad, state, state_dict and resuming."""
import io

import numpy as np
import pytest

import fastgrad as fg
from fastgrad import optim
from optim_cases import cases

CASES = cases()
ALL = [optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop, optim.Adagrad, optim.NAdam, optim.RAdam, optim.Adamax,
       optim.Adadelta, optim.Rprop, optim.ASGD]


def _params(rng, dtype=np.float32):
    return [fg.tensor(rng.standard_normal(s).astype(dtype), requires_grad=True) for s in [(4, 3), (3,), ()]]


def _set_grads(rng, params):
    for p in params:
        p.grad = rng.standard_normal(p.shape).astype(p.dtype)


@pytest.mark.parametrize("cls,kw,words", [
    (optim.SGD, dict(lr=-0.1), "learning rate"),
    (optim.SGD, dict(momentum=-0.5), "momentum"),
    (optim.SGD, dict(weight_decay=-1), "weight_decay"),
    (optim.SGD, dict(nesterov=True), "Nesterov"),
    (optim.SGD, dict(momentum=0.9, momentum_form="heavy"), "momentum_form"),
    (optim.SGD, dict(momentum=0.9, momentum_form="ema", dampening=0.5), "dampening"),
    (optim.Adam, dict(lr=-1e-3), "learning rate"),
    (optim.Adam, dict(betas=(1.0, 0.999)), "beta parameter at index 0"),
    (optim.Adam, dict(betas=(0.9, -0.1)), "beta parameter at index 1"),
    (optim.Adam, dict(eps=0.0), "epsilon"),
    (optim.Adam, dict(eps=-1e-8), "epsilon"),
    (optim.AdamW, dict(weight_decay=-0.1), "weight_decay"),
    (optim.AdamW, dict(betas=(0.9,)), "betas"),
    (optim.RMSprop, dict(alpha=-0.1), "alpha"),
    (optim.RMSprop, dict(eps=0.0), "epsilon"),
    (optim.Adagrad, dict(lr_decay=-0.1), "lr_decay"),
    (optim.Adagrad, dict(initial_accumulator_value=-1.0), "initial_accumulator_value"),
    (optim.NAdam, dict(momentum_decay=-1.0), "momentum_decay"),
    (optim.NAdam, dict(betas=(0.9, 1.0)), "beta parameter at index 1"),
    (optim.RAdam, dict(eps=0.0), "epsilon"),
    (optim.Adamax, dict(lr=-1.0), "learning rate"),
    (optim.Adadelta, dict(lr=-1.0), "learning rate"),
    (optim.Adadelta, dict(rho=1.5), "rho"),
    (optim.Adadelta, dict(eps=-1e-6), "epsilon"),
    (optim.Adadelta, dict(weight_decay=-0.1), "weight_decay"),
    (optim.Rprop, dict(lr=-1.0), "Rprop: invalid learning rate: -1.0"),
    (optim.Rprop, dict(etas=(0.5, 0.9)), r"Rprop: invalid eta values: 0.5, 0.9 \(must satisfy 0 < etaminus < 1"),
    (optim.Rprop, dict(etas=(0.0, 1.2)), "Rprop: invalid eta values"),
    (optim.Rprop, dict(etas=0.5), r"Rprop: invalid etas: 0.5 \(expected a pair \(etaminus, etaplus\)\)"),
    (optim.Rprop, dict(step_sizes=(1.0, 0.1)), "Rprop: invalid step_sizes: 1.0, 0.1"),
    (optim.Rprop, dict(step_sizes=(-1.0, 1.0)), "Rprop: invalid step_sizes"),
    (optim.Rprop, dict(step_sizes=(1e-6,)), r"Rprop: invalid step_sizes: \(1e-06,\) \(expected a pair"),
    (optim.ASGD, dict(lr=-1.0), "ASGD: invalid learning rate: -1.0"),
    (optim.ASGD, dict(weight_decay=-0.1), "ASGD: invalid weight_decay value: -0.1"),
    (optim.ASGD, dict(lambd=-1.0), "ASGD: invalid lambd value: -1.0"),
])
def test_invalid_hyperparameters_raise_value_error(rng, cls, kw, words):
    with pytest.raises(ValueError, match=words):
        cls(_params(rng), **kw)


def test_invalid_group_hyperparameters_raise(rng):
    ps = _params(rng)
    with pytest.raises(ValueError, match="learning rate"):
        optim.Adam([{"params": ps[:1]}, {"params": ps[1:], "lr": -1.0}])


def test_params_must_be_a_list_of_leaves(rng):
    ps = _params(rng)
    with pytest.raises(ValueError, match="empty"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="single Tensor"):
        optim.SGD(ps[0], lr=0.1)
    with pytest.raises(TypeError, match="not a Tensor"):
        optim.SGD([np.ones(3)], lr=0.1)
    with pytest.raises(ValueError, match="not a leaf"):
        optim.SGD([ps[0] * 2], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": ps}, {"params": ps[:1]}], lr=0.1)
    with pytest.raises(TypeError, match="set"):
        optim.SGD([{"params": set(ps)}], lr=0.1)


def test_groups_take_defaults_and_overrides(rng):
    ps = _params(rng)
    opt = optim.Adam([{"params": ps[:2]}, {"params": ps[2:], "lr": 0.5}], lr=0.01, betas=(0.8, 0.9))
    assert [g["lr"] for g in opt.param_groups] == [0.01, 0.5]
    assert all(g["betas"] == (0.8, 0.9) for g in opt.param_groups)
    extra = fg.tensor(np.ones(2, np.float32), requires_grad=True)
    opt.add_param_group({"params": extra, "lr": 0.1})
    assert opt.param_groups[2]["params"] == [extra] and opt.param_groups[2]["eps"] == 1e-8
    assert "Parameter Group 2" in repr(opt)


def test_zero_grad(rng):
    ps = _params(rng)
    opt = optim.SGD(ps, lr=0.1)
    _set_grads(rng, ps)
    grads = [p.grad for p in ps]
    opt.zero_grad(set_to_none=False)
    assert all(p.grad is g and not np.any(g) for p, g in zip(ps, grads))
    opt.zero_grad()
    assert all(p.grad is None for p in ps)


def test_parameters_without_grad_are_skipped(rng):
    ps = _params(rng)
    before = [p._data.copy() for p in ps]
    opt = optim.Adam(ps, lr=0.1)
    ps[0].grad = np.ones(ps[0].shape, np.float32)
    opt.step()
    assert not np.array_equal(ps[0]._data, before[0])
    np.testing.assert_array_equal(ps[1]._data, before[1])
    assert ps[1] not in opt.state or not opt.state[ps[1]]


def test_step_updates_in_place_and_bumps_version(rng):
    ps = _params(rng)
    arrays = [p._data for p in ps]
    versions = [p._version[0] for p in ps]
    opt = optim.AdamW(ps, lr=0.1)
    _set_grads(rng, ps)
    opt.step()
    assert all(p._data is a for p, a in zip(ps, arrays))
    assert all(p._version[0] == v + 1 for p, v in zip(ps, versions))


def test_closure_is_evaluated_with_grad_enabled(rng):
    w = fg.tensor(np.array([1.0, -2.0]), requires_grad=True)
    opt = optim.SGD([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with fg.no_grad():
        loss = opt.step(closure)
    assert float(loss.item()) == 5.0
    np.testing.assert_allclose(w._data, [0.8, -1.6])


@pytest.mark.parametrize("cls,kw,buffers", [
    (optim.SGD, dict(lr=0.1), []),
    (optim.SGD, dict(lr=0.1, momentum=0.9), ["momentum_buffer"]),
    (optim.Adam, dict(), ["exp_avg", "exp_avg_sq"]),
    (optim.Adam, dict(amsgrad=True), ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"]),
    (optim.AdamW, dict(), ["exp_avg", "exp_avg_sq"]),
    (optim.RMSprop, dict(), ["square_avg"]),
    (optim.RMSprop, dict(momentum=0.5, centered=True), ["square_avg", "momentum_buffer", "grad_avg"]),
    (optim.Adagrad, dict(), ["sum"]),
    (optim.NAdam, dict(), ["exp_avg", "exp_avg_sq"]),
    (optim.RAdam, dict(), ["exp_avg", "exp_avg_sq"]),
    (optim.Adamax, dict(), ["exp_avg", "exp_inf"]),
    (optim.Adadelta, dict(), ["square_avg", "acc_delta"]),
    (optim.Rprop, dict(), ["prev", "step_size"]),
    (optim.ASGD, dict(), ["ax"]),
])
def test_state_holds_exactly_the_buffers_the_algorithm_needs(rng, cls, kw, buffers):
    ps = _params(rng)
    opt = cls(ps, **kw)
    _set_grads(rng, ps)
    opt.step()
    for p in ps:
        arrays = {k for k, v in opt.state.get(p, {}).items() if isinstance(v, np.ndarray)}
        assert arrays == set(buffers)
        for k in buffers:
            assert opt.state[p][k].shape == p.shape and opt.state[p][k].dtype == p.dtype


def _train(opt, params, rng, steps):
    for _ in range(steps):
        _set_grads(rng, params)
        opt.step()


@pytest.mark.parametrize("case", CASES[::3], ids=[c[0] for c in CASES[::3]])
def test_state_dict_round_trip_resumes_identically(case):
    _, cls, _, kw = case
    rng = np.random.default_rng(7)
    ps = _params(rng, np.float64)
    opt = cls([{"params": ps[:1]}, {"params": ps[1:], "lr": kw["lr"] * 0.5}], **kw)
    _train(opt, ps, rng, 5)
    saved_params = [p._data.copy() for p in ps]
    sd = opt.state_dict()
    assert sorted(sd["state"]) in ([], [0, 1, 2]) and [g["params"] for g in sd["param_groups"]] == [[0], [1, 2]]
    buf = io.BytesIO()
    fg.save(sd, buf)                 # through the .npz checkpoint format
    buf.seek(0)
    clone = fg.load(buf)

    ps2 = [fg.tensor(a.copy(), requires_grad=True) for a in saved_params]
    opt2 = cls([{"params": ps2[:1]}, {"params": ps2[1:]}], **kw)
    opt2.load_state_dict(clone)
    assert opt2.param_groups[1]["lr"] == kw["lr"] * 0.5
    rng_a, rng_b = np.random.default_rng(3), np.random.default_rng(3)
    _train(opt, ps, rng_a, 5)
    _train(opt2, ps2, rng_b, 5)
    for a, b in zip(ps, ps2):
        np.testing.assert_array_equal(a._data, b._data)


def test_load_state_dict_copies_and_checks(rng):
    ps = _params(rng)
    opt = optim.Adam(ps, lr=0.1)
    _set_grads(rng, ps)
    opt.step()
    sd = opt.state_dict()
    opt2 = optim.Adam([fg.tensor(p._data.copy(), requires_grad=True) for p in ps], lr=0.1)
    opt2.load_state_dict(sd)
    p0 = opt2.param_groups[0]["params"][0]
    assert opt2.state[p0]["exp_avg"] is not sd["state"][0]["exp_avg"]
    assert opt2.state[p0]["step"] == 1
    with pytest.raises(ValueError, match="parameter groups"):
        optim.Adam([{"params": ps[:1]}, {"params": ps[1:]}]).load_state_dict(sd)
    with pytest.raises(ValueError, match="parameters in the state dict"):
        optim.Adam(ps[:2]).load_state_dict(sd)
    other = [fg.tensor(np.ones((2, 2), np.float32), requires_grad=True)] + ps[1:]
    with pytest.raises(ValueError, match="shape"):
        optim.Adam(other).load_state_dict(sd)


def test_fallback_paths_match_fused(rng):
    """float16, non-contiguous parameters and grads of another dtype use the reference twin."""
    base = rng.standard_normal((6, 4))
    grads = [rng.standard_normal((4, 6)) for _ in range(3)]

    def run(make):
        w = make()
        opt = optim.Adam([w], lr=0.01)
        for g in grads:
            w.grad = g.T.astype(w.dtype) if w.dtype != np.float64 else np.ascontiguousarray(g.T)
            opt.step()
        return np.asarray(w._data, np.float64)

    fused = run(lambda: fg.tensor(base.copy(), requires_grad=True))
    view = run(lambda: fg.from_numpy(np.asfortranarray(base.copy())).requires_grad_())   # not C-contiguous
    np.testing.assert_allclose(view, fused, rtol=1e-12)
    half = run(lambda: fg.tensor(base.astype(np.float16), requires_grad=True))
    np.testing.assert_allclose(half, fused, rtol=1e-2, atol=1e-2)


@pytest.mark.parametrize("cls", ALL)
@pytest.mark.parametrize("grad,words", [
    (np.ones((4, 3), np.float32), "parameter 1 of group 1 has shape (4, 3), but the parameter has shape (3, 4)"),
    (np.ones((3, 4), np.float64), "parameter 1 of group 1 has dtype float64, but the parameter has dtype float32"),
])
def test_a_gradient_unlike_its_parameter_raises_before_its_group_steps(cls, grad, words):
    """A (4, 3) gradient has the size of a (3, 4) parameter: it is refused, not applied."""
    a = fg.tensor(np.ones(2, np.float32), requires_grad=True)
    b = fg.tensor(np.zeros(5, np.float32), requires_grad=True)
    w = fg.tensor(np.ones((3, 4), np.float32), requires_grad=True)
    opt = cls([{"params": [a]}, {"params": [b, w]}], lr=0.1)
    a.grad, b.grad = np.ones(2, np.float32), np.ones(5, np.float32)
    w._grad = fg.Tensor(grad)  # past `.grad = `, which refuses another shape itself
    with pytest.raises(ValueError) as info:
        opt.step()
    assert f"{cls.__name__}.step: the gradient of {words}" in str(info.value)
    np.testing.assert_array_equal(b._data, np.zeros(5, np.float32))   # its group was not stepped
    np.testing.assert_array_equal(w._data, np.ones((3, 4), np.float32))


@pytest.mark.parametrize("cls", ALL)
def test_a_gradient_unlike_its_parameter_on_a_later_step_raises_the_same_error(cls):
    """Steps over the same parameters reuse the lists gathered before; a gradient of
    another shape or dtype on a later step is refused by name all the same, before
    the group steps or counts the step."""
    w = fg.tensor(np.ones((3, 4), np.float32), requires_grad=True)
    opt = cls([w], lr=0.1)
    for _ in range(2):
        w.grad = np.ones((3, 4), np.float32)
        opt.step()
    data, step = w._data.copy(), opt.state[w].get("step")
    for grad, words in ((np.ones((4, 3), np.float32), "shape (4, 3)"), (np.ones((3, 4)), "dtype float64")):
        w._grad = fg.Tensor(grad)  # past `.grad = `, which refuses another shape itself
        with pytest.raises(ValueError) as info:
            opt.step()
        assert f"{cls.__name__}.step: the gradient of parameter 0 has {words}" in str(info.value)
        np.testing.assert_array_equal(w._data, data)
        assert opt.state[w].get("step") == step


@pytest.mark.parametrize("cls", ALL)
def test_later_steps_follow_which_parameters_have_a_gradient(cls):
    """The gathered lists are reused only while every parameter has a gradient: a
    parameter whose gradient is gone is left alone, and steps again once it is back."""
    a = fg.tensor(np.ones(3, np.float32), requires_grad=True)
    b = fg.tensor(np.ones(2, np.float32), requires_grad=True)
    opt = cls([a, b], lr=0.1)
    for _ in range(2):
        a.grad, b.grad = np.ones(3, np.float32), np.ones(2, np.float32)
        opt.step()
    b_data = b._data.copy()
    b.grad = None
    a_data = a._data.copy()
    opt.step()
    np.testing.assert_array_equal(b._data, b_data)
    assert not np.array_equal(a._data, a_data)
    b.grad = np.ones(2, np.float32)
    opt.step()
    assert not np.array_equal(b._data, b_data)


def test_array_api_parameters_use_the_reference_twin():
    xp = pytest.importorskip("array_api_strict")
    w = fg.tensor(xp.asarray([1.0, -2.0], dtype=xp.float64), requires_grad=True)
    opt = optim.Adam([w], lr=0.1)
    w.grad = xp.asarray([0.5, -0.5], dtype=xp.float64)
    opt.step()
    np.testing.assert_allclose(np.asarray(w._data), [0.9, -1.9], rtol=1e-7)  # eps shifts the 8th digit
    assert type(opt.state[w]["exp_avg"]) is type(w._data)


@pytest.mark.parametrize("cls,kw", [(optim.Adam, dict(amsgrad=True)), (optim.SGD, dict(lr=0.1, momentum=0.9)),
                                    (optim.RMSprop, dict(centered=True, momentum=0.5)), (optim.Adagrad, dict())])
def test_steps_keep_no_memory(rng, cls, kw):
    """After the first step allocates the state, further steps allocate nothing that stays."""
    import tracemalloc

    ps = _params(rng)
    _set_grads(rng, ps)
    opt = cls(ps, **kw)
    opt.step()
    opt.step()
    tracemalloc.start()
    for _ in range(200):      # Python's free lists fill up (bounded)
        opt.step()
    before, _ = tracemalloc.get_traced_memory()
    for _ in range(600):
        opt.step()
    after, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert after - before < 512


@pytest.mark.parametrize("cls", ALL)
def test_foreach_and_fused_choose_an_implementation_with_the_same_results(cls):
    """foreach=False: one kernel call per parameter; fused=False: the unfused reference twins."""
    def run(**implementation):
        rng = np.random.default_rng(5)
        ps = _params(rng, np.float64)
        opt = cls(ps, lr=0.01, **implementation)
        assert all(g["foreach"] == implementation.get("foreach") for g in opt.param_groups)
        _train(opt, ps, rng, 5)
        return [p._data for p in ps]

    default = run()
    for implementation in (dict(foreach=False), dict(foreach=True), dict(fused=False), dict(fused=True),
                           dict(foreach=False, fused=False)):
        for a, b in zip(run(**implementation), default):
            np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("cls", ALL)
def test_foreach_and_fused_are_checked(rng, cls):
    with pytest.raises(ValueError, match=f"{cls.__name__}: foreach and fused cannot both be True"):
        cls(_params(rng), lr=0.1, foreach=True, fused=True)
    with pytest.raises(TypeError, match=f"{cls.__name__}: fused must be None, True or False"):
        cls(_params(rng), lr=0.1, fused="yes")


def test_fused_false_runs_the_reference_twin(monkeypatch, rng):
    from fastgrad import _C

    ps = _params(rng, np.float64)
    _set_grads(rng, ps)
    monkeypatch.setattr(_C, "adam_step", None)   # any call to the C kernel would fail
    optim.Adam(ps, lr=0.1, fused=False).step()
    with pytest.raises(TypeError):
        optim.Adam(ps, lr=0.1).step()


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam, optim.RMSprop, optim.Adagrad])
def test_gradients_may_be_arrays_or_tensors(cls):
    def run(wrap):
        rng = np.random.default_rng(2)
        ps = _params(rng, np.float64)
        opt = cls(ps, lr=0.01, **({"momentum": 0.9} if cls is optim.SGD else {}))
        for _ in range(3):
            for p in ps:
                p.grad = wrap(rng.standard_normal(p.shape))
            opt.step()
        opt.zero_grad(set_to_none=False)
        assert all(not np.any(np.asarray(p.grad._data if isinstance(p.grad, fg.Tensor) else p.grad)) for p in ps)
        return [p._data for p in ps]

    for a, b in zip(run(lambda g: g), run(fg.tensor)):
        np.testing.assert_array_equal(a, b)
