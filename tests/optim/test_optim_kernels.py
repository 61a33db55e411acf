"""The fused list kernels of csrc/optim.c against their reference twins, and their input checks."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad import _C
from fastgrad.backend.reference import optim as ref

# One list spanning empty, 0-d, odd and OpenMP-threshold sizes: threads' shares cross tensor boundaries.
SHAPES = [(0,), (), (5,), (32767,), (32768,), (3, 7), (32769,), (100003,)]
DTYPES = [np.float32, np.float64]


def _tol(dtype):
    return dict(rtol=1e-6, atol=1e-7) if dtype == np.float32 else dict(rtol=1e-13, atol=1e-15)


def _arrays(rng, dtype, positive=False):
    out = []
    for s in SHAPES:
        a = rng.standard_normal(s)
        out.append(np.asarray(np.abs(a) if positive else a, dtype=dtype))
    return out


def _copy(arrays):
    return [a.copy() for a in arrays]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("momentum,init,nesterov", [(0.0, False, False), (0.9, True, False), (0.9, False, False),
                                                    (0.9, False, True)])
def test_sgd_step(rng, dtype, momentum, init, nesterov):
    params, grads, bufs = _arrays(rng, dtype), _arrays(rng, dtype), _arrays(rng, dtype)
    kw = dict(lr=0.1, momentum=momentum, dampening=0.2 if not nesterov else 0.0, weight_decay=0.01,
              nesterov=nesterov, maximize=True, init_buffer=init)
    p1, b1 = _copy(params), _copy(bufs)
    _C.sgd_step(p1, grads, b1 if momentum else None, **kw)
    ref.sgd_step(np, params, grads, bufs if momentum else None, **kw)
    for a, b in zip(p1 + b1, params + bufs):
        np.testing.assert_allclose(a, b, **_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("amsgrad", [False, True])
@pytest.mark.parametrize("decoupled", [False, True])
def test_adam_step(rng, dtype, amsgrad, decoupled):
    params, grads, m = _arrays(rng, dtype), _arrays(rng, dtype), _arrays(rng, dtype)
    v, vmax = _arrays(rng, dtype, positive=True), _arrays(rng, dtype, positive=True)
    step, lr, beta1, beta2 = 7, 0.01, 0.9, 0.999
    kw = dict(lr=lr, beta1=beta1, beta2=beta2, eps=1e-8, weight_decay=0.1, maximize=False, decoupled=decoupled)
    kw.update(step_size=lr / (1 - beta1 ** step), bias_correction2_sqrt=(1 - beta2 ** step) ** 0.5)
    p1, m1, v1, x1 = _copy(params), _copy(m), _copy(v), _copy(vmax)
    _C.adam_step(p1, grads, m1, v1, x1 if amsgrad else None, **kw)
    ref.adam_step(np, params, grads, m, v, vmax if amsgrad else None, **kw)
    for a, b in zip(p1 + m1 + v1 + x1, params + m + v + vmax):
        np.testing.assert_allclose(a, b, **_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("centered", [False, True])
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_rmsprop_step(rng, dtype, centered, momentum):
    params, grads, bufs = _arrays(rng, dtype), _arrays(rng, dtype), _arrays(rng, dtype)
    sq = [np.asarray(a + 1) for a in _arrays(rng, dtype, positive=True)]
    avg = [np.asarray(a * 0.1) for a in _arrays(rng, dtype)]
    kw = dict(lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.1, momentum=momentum, maximize=True)
    p1, s1, a1, b1 = _copy(params), _copy(sq), _copy(avg), _copy(bufs)
    _C.rmsprop_step(p1, grads, s1, a1 if centered else None, b1 if momentum else None, **kw)
    ref.rmsprop_step(np, params, grads, sq, avg if centered else None, bufs if momentum else None, **kw)
    for a, b in zip(p1 + s1 + a1 + b1, params + sq + avg + bufs):
        np.testing.assert_allclose(a, b, **_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_adagrad_step(rng, dtype):
    params, grads, sums = _arrays(rng, dtype), _arrays(rng, dtype), _arrays(rng, dtype, positive=True)
    step, lr, lr_decay = 3, 0.1, 0.01
    kw = dict(clr=lr / (1 + (step - 1) * lr_decay), eps=1e-10, weight_decay=0.1)
    p1, s1 = _copy(params), _copy(sums)
    _C.adagrad_step(p1, grads, s1, **kw)
    ref.adagrad_step(np, params, grads, sums, **kw)
    for a, b in zip(p1 + s1, params + sums):
        np.testing.assert_allclose(a, b, **_tol(dtype))


NEW_STEPS = {
    "nadam_step": dict(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.1, bias_correction2=0.05,
                       grad_coef=-0.004, avg_coef=-0.03),
    "radam_step": dict(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.1, bias_correction1=0.4,
                       bias_correction2_sqrt=0.2, rect=0.3, rectified=True),
    "adamax_step": dict(beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.1, clr=0.02),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(NEW_STEPS))
@pytest.mark.parametrize("options", [dict(maximize=False), dict(maximize=True, decoupled=True),
                                     dict(rectified=False)], ids=["plain", "maximize-decoupled", "unrectified"])
def test_adam_variant_steps(rng, dtype, name, options):
    kw = dict(NEW_STEPS[name], maximize=options.get("maximize", False))
    if "decoupled" in options and name != "adamax_step":     # Adamax has no decoupled form
        kw["decoupled"] = options["decoupled"]
    if "rectified" in options and name == "radam_step":
        kw["rectified"] = options["rectified"]
    params, grads, m = _arrays(rng, dtype), _arrays(rng, dtype), _arrays(rng, dtype)
    second = _arrays(rng, dtype, positive=True)
    p1, m1, s1 = _copy(params), _copy(m), _copy(second)
    getattr(_C, name)(p1, grads, m1, s1, **kw)
    getattr(ref, name)(np, params, grads, m, second, **kw)
    for a, b in zip(p1 + m1 + s1, params + m + second):
        np.testing.assert_allclose(a, b, **_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("maximize", [False, True])
def test_adadelta_step(rng, dtype, maximize):
    params, grads = _arrays(rng, dtype), _arrays(rng, dtype)
    square_avgs, acc_deltas = _arrays(rng, dtype, positive=True), _arrays(rng, dtype, positive=True)
    kw = dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.1, maximize=maximize)
    p1, s1, a1 = _copy(params), _copy(square_avgs), _copy(acc_deltas)
    _C.adadelta_step(p1, grads, s1, a1, **kw)
    ref.adadelta_step(np, params, grads, square_avgs, acc_deltas, **kw)
    for a, b in zip(p1 + s1 + a1, params + square_avgs + acc_deltas):
        assert np.all(np.isfinite(a))
        np.testing.assert_allclose(a, b, **_tol(dtype))


RPROP = dict(etaminus=0.5, etaplus=1.2, step_size_min=1e-3, step_size_max=1.5)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("maximize", [False, True])
def test_rprop_step(rng, dtype, maximize):
    """Three steps, so that signs keep, flip and meet a zero (the prev a flip leaves) and
    the step sizes reach both clamps."""
    params, prevs = _arrays(rng, dtype), _arrays(rng, dtype)
    sizes = [np.asarray(a * 0.5, dtype) for a in _arrays(rng, dtype, positive=True)]
    p1, v1, s1 = _copy(params), _copy(prevs), _copy(sizes)
    for _ in range(3):
        grads = _arrays(rng, dtype)
        _C.rprop_step(p1, grads, v1, s1, maximize=maximize, **RPROP)
        ref.rprop_step(np, params, grads, prevs, sizes, maximize=maximize, **RPROP)
    for a, b in zip(p1 + v1 + s1, params + prevs + sizes):
        np.testing.assert_array_equal(a, b)     # compares, clamps and sign(g) s: no rounding to differ in
    flat = np.concatenate([s.ravel() for s in s1])
    assert flat.min() == dtype(1e-3) and flat.max() == dtype(1.5)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mu", [1.0, 0.25])
def test_asgd_step(rng, dtype, mu):
    params, axs = _arrays(rng, dtype), _arrays(rng, dtype)
    for maximize in (False, True):
        grads = _arrays(rng, dtype)
        kw = dict(decay=1.0 - 0.1 * 0.02, eta=0.02, mu=mu, weight_decay=0.1, maximize=maximize)
        p1, x1 = _copy(params), _copy(axs)
        _C.asgd_step(p1, grads, x1, **kw)
        ref.asgd_step(np, params, grads, axs, **kw)
        for a, b in zip(p1 + x1, params + axs):
            np.testing.assert_allclose(a, b, **_tol(dtype))
        if mu == 1.0:
            for p, x in zip(p1, x1):
                np.testing.assert_array_equal(x, p)


def test_rprop_and_asgd_carry_nan_to_the_parameter():
    """A NaN gradient makes its parameter NaN, as in PyTorch (sign(NaN) is NaN), not a skipped step."""
    for dtype in DTYPES:
        g = np.ones(40000, dtype)
        g[77] = np.nan
        p, prev, size = np.zeros(40000, dtype), np.ones(40000, dtype), np.full(40000, 0.1, dtype)
        _C.rprop_step([p], [g], [prev], [size], **RPROP)
        assert np.isnan(p[77]) and np.isnan(size[77]) and np.all(np.isfinite(np.delete(p, 77)))
        p, ax = np.zeros(40000, dtype), np.zeros(40000, dtype)
        _C.asgd_step([p], [g], [ax], decay=1.0, eta=0.1, mu=1.0)
        assert np.isnan(p[77]) and np.isnan(ax[77]) and np.all(np.isfinite(np.delete(p, 77)))


@pytest.mark.parametrize("kernel,states", [("rprop_step", 2), ("asgd_step", 1)])
def test_rprop_and_asgd_kernels_refuse_bad_lists_by_name(kernel, states):
    step = getattr(_C, kernel)
    kw = RPROP if kernel == "rprop_step" else dict(decay=1.0, eta=0.1, mu=1.0)
    names = ["prevs", "step_sizes"] if kernel == "rprop_step" else ["axs"]
    p, g = np.ones((4, 6)), np.ones((4, 6))
    with pytest.raises(ValueError, match=f"{kernel}: '{names[-1]}\\[0\\]' must be C-contiguous"):
        step([p], [g], *[[np.ones((4, 6))]] * (states - 1), [np.ones((6, 4)).T], **kw)
    with pytest.raises(ValueError, match=f"{kernel}: '{names[0]}\\[0\\]' has 3 elements, expected 24"):
        step([p], [g], *[[np.ones(3)]] * states, **kw)
    with pytest.raises(TypeError, match=f"{kernel}: '{names[0]}\\[0\\]' has dtype float32, expected float64"):
        step([p], [g], *[[np.ones((4, 6), np.float32)]] * states, **kw)
    with pytest.raises(ValueError, match=f"{kernel}: '{names[0]}' has 2 arrays, expected 1"):
        step([p], [g], *[[np.ones((4, 6))] * 2] * states, **kw)
    np.testing.assert_array_equal(p, np.ones((4, 6)))   # refused before anything was written


def test_adamax_keeps_nan_in_the_infinity_norm():
    p, g, m = np.ones(40000), np.ones(40000), np.zeros(40000)
    u = np.ones(40000)
    u[123] = np.nan
    _C.adamax_step([p], [g], [m], [u], **NEW_STEPS["adamax_step"])
    assert np.isnan(u[123]) and np.isnan(p[123]) and np.all(np.isfinite(np.delete(p, 123)))


def _with_threads(n, fn):
    """fn() with fastgrad's kernels on n threads."""
    import fastgrad as fg

    before = fg.get_num_threads()
    try:
        fg.set_num_threads(n)
        return fn()
    finally:
        fg.set_num_threads(before)


# Lists long enough for many chunks, with chunks crossing tensor boundaries.
THREAD_SHAPES = [(70001,), (3,), (0,), (200003,), (65536,), (5, 7)]


def _step_kernels(rng, dtype):
    """(name, call) for every step kernel and option set, each making fresh copies of one problem."""
    p, g = ([rng.standard_normal(s).astype(dtype) for s in THREAD_SHAPES] for _ in range(2))
    pos = [np.abs(rng.standard_normal(s)).astype(dtype) for s in THREAD_SHAPES]
    adam = dict(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.1, step_size=0.3,
                bias_correction2_sqrt=0.1)

    def run(kernel, n_state, optional, **kw):
        def call():
            arrays = [_copy(p)] + [_copy(pos) for _ in range(n_state)]
            kernel(arrays[0], g, *arrays[1:], *optional(arrays), **kw)
            return arrays
        return call

    yield "sgd", run(_C.sgd_step, 1, lambda a: [], lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1)
    yield "adam", run(_C.adam_step, 2, lambda a: [None], **adam)
    yield "adam amsgrad", run(_C.adam_step, 3, lambda a: [], decoupled=True, **adam)
    yield "rmsprop", run(_C.rmsprop_step, 3, lambda a: [], lr=0.01, alpha=0.9, eps=1e-8, momentum=0.9)
    yield "adagrad", run(_C.adagrad_step, 1, lambda a: [], clr=0.1, eps=1e-10, weight_decay=0.1)
    for name, kw in NEW_STEPS.items():
        yield name, run(getattr(_C, name), 2, lambda a: [], **kw)
    yield "adadelta", run(_C.adadelta_step, 2, lambda a: [], lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.1)
    yield "rprop", run(_C.rprop_step, 2, lambda a: [], **RPROP)
    yield "asgd", run(_C.asgd_step, 1, lambda a: [], decay=0.99, eta=0.1, mu=0.3, weight_decay=0.1)
    yield "scale_", run(lambda xs, g, factor: _C.scale_(xs, factor), 0, lambda a: [], factor=0.37)


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_reduction_is_bit_identical_for_1_to_4_threads(rng, dtype):
    xs = [rng.standard_normal(s).astype(dtype) for s in THREAD_SHAPES]
    for reduction in (_C.sum_squares, _C.max_abs):
        results = [_with_threads(n, lambda: reduction(xs)) for n in (1, 2, 3, 4)]
        assert len({r.hex() for r in results}) == 1, (reduction.__name__, results)
    # A sum whose rounding depends on the order of its parts: any change in the order shows.
    wide = [(rng.standard_normal(200003) * 10.0 ** rng.integers(-8, 8, 200003)).astype(dtype)]
    results = [_with_threads(n, lambda: _C.sum_squares(wide)) for n in (1, 2, 3, 4)]
    assert len({r.hex() for r in results}) == 1, results


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_step_is_bit_identical_for_1_to_4_threads(rng, dtype):
    for name, call in _step_kernels(rng, dtype):
        one = _with_threads(1, call)
        for n in (2, 3, 4):
            for a, b in zip(one, _with_threads(n, call)):
                for x, y in zip(a, b):
                    np.testing.assert_array_equal(x, y, err_msg=f"{name}, {n} threads")


def test_thread_count_through_threadpoolctl(rng):
    """threadpoolctl sees fastgrad's OpenMP pool; limiting it gives the same bits."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    xs = [rng.standard_normal(s).astype(np.float32) for s in THREAD_SHAPES]
    expected = _C.sum_squares(xs)
    for n in (1, 2, 3, 4):
        with threadpoolctl.threadpool_limits(n, user_api="openmp"):
            assert _C.sum_squares(xs).hex() == expected.hex()


@pytest.mark.parametrize("dtype", DTYPES)
def test_norms_and_scale(rng, dtype):
    xs = _arrays(rng, dtype)
    expected = sum(float(np.sum(x.astype(np.float64) ** 2)) for x in xs)
    assert _C.sum_squares(xs) == pytest.approx(expected, rel=1e-12)
    assert _C.max_abs(xs) == max(float(np.max(np.abs(x))) for x in xs if x.size)
    scaled = _copy(xs)
    _C.scale_(scaled, 0.25)
    for a, b in zip(scaled, xs):
        np.testing.assert_array_equal(a, b * dtype(0.25))
    assert _C.sum_squares([]) == 0.0 and _C.max_abs([]) == 0.0


@pytest.mark.parametrize("dtype", DTYPES)
def test_max_abs_and_sum_squares_see_nan_and_inf(dtype):
    xs = [np.zeros(40000, dtype), np.ones(3, dtype)]
    xs[0][12345] = np.nan
    assert np.isnan(_C.max_abs(xs)) and np.isnan(_C.sum_squares(xs))
    xs[0][12345] = -np.inf
    assert _C.max_abs(xs) == np.inf and _C.sum_squares(xs) == np.inf


def _adam_args():
    return dict(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, step_size=1.0,
                bias_correction2_sqrt=0.1)


def _adam(params, grads, m=None, v=None):
    m = [np.zeros_like(p) for p in params] if m is None else m
    v = [np.zeros_like(p) for p in params] if v is None else v
    _C.adam_step(params, grads, m, v, None, **_adam_args())


@pytest.mark.parametrize("make_bad,exc,words", [
    (lambda p, g: ([p.astype(np.int64)], [g]), TypeError, "float32 or float64"),
    (lambda p, g: ([p], [g.astype(np.float32)]), TypeError, "'grads[0]' has dtype float32"),
    (lambda p, g: ([p], [g[:5]]), ValueError, "'grads[0]' has 5 elements"),
    (lambda p, g: ([p.reshape(2, 5)], [g.reshape(5, 2)]), ValueError, "'grads[0]' has shape (5, 2), expected (2, 5)"),
    (lambda p, g: ([p, p.copy()], [g]), ValueError, "'grads' has 1 arrays, expected 2"),
    (lambda p, g: ([np.ones((6, 4))[:, 1]], [g[:6]]), ValueError, "C-contiguous"),
    (lambda p, g: ([p], [list(g)]), TypeError, "must be a numpy.ndarray"),
    (lambda p, g: ([p], [g.astype(g.dtype.newbyteorder())]), TypeError, "'grads[0]' has dtype"),   # byte-swapped
    (lambda p, g: ([p.astype(p.dtype.newbyteorder())], [g]), TypeError, "'params[0]' has dtype"),
])
def test_bad_inputs_raise_named_errors(make_bad, exc, words):
    p, g = np.ones(10), np.ones(10)
    params, grads = make_bad(p, g)
    with pytest.raises(exc, match="adam_step") as info:
        _adam(params, grads)
    assert words in str(info.value)


def test_first_unlike_finds_the_first_array_of_another_dtype_or_shape():
    like = [np.ones(3, np.float32), np.ones((2, 2))]
    assert _C.first_unlike(like, like) == -1
    assert _C.first_unlike([], []) == -1
    assert _C.first_unlike([like[0], np.ones(4)], like) == 1
    assert _C.first_unlike([like[0].astype(np.float64), like[1]], like) == 0
    assert _C.first_unlike([like[0], like[1].astype(">f8")], like) == 1
    assert _C.first_unlike([list(like[0]), like[1]], like) == 0
    with pytest.raises(ValueError, match="first_unlike"):
        _C.first_unlike(like[:1], like)


def test_read_only_parameter_raises_before_writing():
    p, g = np.ones(10), np.ones(10)
    frozen = np.ones(10)
    frozen.flags.writeable = False
    before = p.copy()
    with pytest.raises(ValueError, match="read-only"):
        _adam([p, frozen], [g, g])
    np.testing.assert_array_equal(p, before)


def _misaligned(values):
    """A float32 array whose data starts one byte past an aligned address."""
    buf = np.zeros(values.size * 4 + 1, np.uint8)
    a = np.frombuffer(buf.data, dtype=np.float32, count=values.size, offset=1).reshape(values.shape)
    a[...] = values
    assert not a.flags.aligned
    return a


def test_the_c_step_refuses_misaligned_arrays_by_name():
    p, g = _misaligned(np.ones(5, np.float32)), np.ones(5, np.float32)
    with pytest.raises(ValueError, match=r"sgd_step: 'params\[0\]' is not aligned"):
        _C.sgd_step([p], [g], [None], lr=0.1)
    np.testing.assert_array_equal(p, np.ones(5, np.float32))


def test_optimizers_step_misaligned_parameters_through_the_twin():
    values = np.linspace(-1, 1, 7).astype(np.float32)
    aligned = fg.tensor(values.copy(), requires_grad=True)
    misaligned = fg.tensor(_misaligned(values), requires_grad=True)
    results = []
    for p in (aligned, misaligned):
        opt = fg.optim.Adam([p], lr=0.1)
        p.grad = np.full(7, 0.5, np.float32)
        opt.step()
        results.append(np.array(p.data))
    np.testing.assert_allclose(results[1], results[0], rtol=1e-6)
