"""The CuPy kernels' sources, checked on every machine with a C++ compiler.

Each kernel's own text (parameters, preamble, body) is compiled as C++ and
run on the CPU (see kernel_emulator.py), then compared with the C kernel it
mirrors and with its reference twin; with nvcc present, the same text is
also compiled as CUDA.  This checks formulas, order of operations and
in-place state updates without a GPU; test_cupy_backend.py runs CuPy itself
on a GPU.
"""
import math
import re
import shutil
import subprocess

import numpy as np
import pytest

from fastgrad import _C
from fastgrad.backend import cupy_kernels, reference
from fastgrad.backend.cupy_kernels import activations as cupy_activations
from fastgrad.backend.cupy_kernels import optim as cupy_optim
from optim_steps import one_parameter, step_scalars

kernel_emulator = pytest.importorskip("kernel_emulator")

if kernel_emulator.compiler() is None:
    pytest.skip("no C++ compiler to run the CuPy kernel sources on the CPU", allow_module_level=True)

FLOATS = (np.float32, np.float64)
RTOL = {np.float32: 2e-6, np.float64: 1e-14}
# The C kernels may contract a * b + c into FMA (as CUDA does by default): results an ulp or two
# apart, which is a larger relative difference where a subtraction cancels.
ATOL = {np.float32: 1e-6, np.float64: 1e-13}
SHAPES = [(), (0,), (1,), (7,), (3, 5), (32769,)]


@pytest.fixture(scope="module")
def emulated():
    """Every CuPy kernel object runs through the emulator for this module."""
    emulator = kernel_emulator.Emulator(cupy_kernels.KERNELS.values())
    saved = {name: k._kernel for name, k in cupy_kernels.KERNELS.items()}
    for k in cupy_kernels.KERNELS.values():
        k._kernel = (lambda kernel: (lambda *args, **kw: emulator(kernel, *args, **kw)))(k)
    yield emulator
    for name, k in cupy_kernels.KERNELS.items():
        k._kernel = saved[name]


def values(shape, dtype, seed=0, special=True):
    rng = np.random.default_rng(seed)
    x = np.asarray(rng.standard_normal(shape) * 4, dtype=dtype)
    if special and x.size >= 7:
        x.flat[:7] = [0.0, -0.0, np.inf, -np.inf, np.nan, 60.0, -60.0]
    return x


def test_kernel_names_follow_the_convention():
    for name, k in cupy_kernels.KERNELS.items():
        assert re.fullmatch(r"fastgrad_[a-z0-9_]+_(fwd|bwd|step)", name), name
        assert k.name == name


def test_every_reference_twin_has_a_cupy_kernel_and_back():
    # A new fused kernel needs its CuPy body too (fastgrad/backend/cupy_kernels/<family>.py).
    assert sorted(set(reference.TWINS) - set(cupy_kernels.FUNCTIONS)) == []
    assert sorted(set(cupy_kernels.FUNCTIONS) - set(reference.TWINS)) == []
    families = {m.__name__.rsplit(".", 1)[1] for m in cupy_kernels.FAMILIES}
    assert families == {m.__name__.rsplit(".", 1)[1] for m in reference.FAMILIES}


# ---- activations: against the C kernels and the twins ------------------------------------------

ACTIVATIONS = ["sigmoid", "relu", "tanh", "gelu", "gelu_tanh", "silu"]
SAVES_OUTPUT = {"sigmoid", "relu", "tanh"}
PARAMETRIZED = {"leaky_relu": [dict(negative_slope=0.01), dict(negative_slope=0.2), dict(negative_slope=-0.5)],
                "softplus": [dict(beta=1.0, threshold=20.0), dict(beta=2.5, threshold=4.0), dict(beta=-1.0)]}

_erfc = np.vectorize(math.erfc, otypes=[np.float64])
_K = math.sqrt(2 / math.pi)


def _sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _gelu_tanh_grad(x):
    u = _K * (x + 0.044715 * x ** 3)
    t = np.tanh(u)
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _K * (1 + 3 * 0.044715 * x * x)


# In float64 from first principles: fwd(x) and d fwd / dx as a function of the saved value.
FORMULAS = {
    "sigmoid": (_sigmoid, lambda y: y * (1 - y)),
    "relu": (lambda x: np.where(x <= 0, 0.0, x), lambda y: (y > 0).astype(np.float64)),
    "tanh": (np.tanh, lambda y: 1 - y * y),
    "gelu": (lambda x: 0.5 * x * _erfc(-x / math.sqrt(2)),
             lambda x: 0.5 * _erfc(-x / math.sqrt(2)) + x * np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)),
    "gelu_tanh": (lambda x: 0.5 * x * (1 + np.tanh(_K * (x + 0.044715 * x ** 3))), _gelu_tanh_grad),
    "silu": (lambda x: x * _sigmoid(x), lambda x: _sigmoid(x) * (1 + x * (1 - _sigmoid(x)))),
}
FORMULA_RTOL = {np.float32: 1e-5, np.float64: 1e-12}
FORMULA_ATOL = {np.float32: 1e-6, np.float64: 1e-12}  # the formulas cancel where the kernels do not


def check_close(got, expected, dtype, what):
    assert got.dtype == expected.dtype and got.shape == expected.shape, what
    np.testing.assert_allclose(got, expected, rtol=RTOL[dtype], atol=ATOL[dtype], err_msg=what)


def check_formula(got, expected64, dtype, what):
    finite = np.isfinite(expected64)
    np.testing.assert_allclose(got[finite].astype(np.float64), expected64[finite], rtol=FORMULA_RTOL[dtype],
                               atol=FORMULA_ATOL[dtype], err_msg=what)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("op", ACTIVATIONS)
def test_activation_matches_formula_c_and_twin(emulated, op, shape, dtype):
    x = values(shape, dtype)
    gy = values(shape, dtype, seed=1, special=False)
    fwd, bwd = getattr(cupy_activations, op + "_fwd"), getattr(cupy_activations, op + "_bwd")
    y = fwd(x)
    assert y.dtype == dtype and y.shape == x.shape
    formula_fwd, formula_grad = FORMULAS[op]
    with np.errstate(all="ignore"):
        check_formula(y, formula_fwd(x.astype(np.float64)), dtype, f"{op}_fwd vs formula")
    saved = y if op in SAVES_OUTPUT else x
    saved = np.where(np.isfinite(saved), saved, 0).astype(dtype)  # the backward of finite values
    gx = bwd(saved, gy)
    check_formula(gx, gy.astype(np.float64) * formula_grad(saved.astype(np.float64)), dtype, f"{op}_bwd vs formula")
    if hasattr(_C, op + "_fwd"):  # the C kernel this body mirrors: the same results, specials included
        check_close(y, getattr(_C, op + "_fwd")(x), dtype, f"{op}_fwd vs C")
        check_close(gx, getattr(_C, op + "_bwd")(saved, gy), dtype, f"{op}_bwd vs C")
    if op + "_fwd" in reference.TWINS:  # the twins compute in array code: close, not bit-equal
        with np.errstate(all="ignore"):
            twin_y = np.asarray(reference.TWINS[op + "_fwd"](np, x), dtype=np.float64)
            twin_gx = np.asarray(reference.TWINS[op + "_bwd"](np, saved, gy), dtype=np.float64)
        check_formula(y, twin_y, dtype, f"{op}_fwd vs twin")
        check_formula(gx, twin_gx, dtype, f"{op}_bwd vs twin")


def _leaky_relu(x, negative_slope):
    return np.where(x > 0, x, negative_slope * x), lambda s: np.where(s > 0, 1.0, negative_slope)


def _softplus(x, beta=1.0, threshold=20.0):
    bx = beta * x
    y = np.where(bx > threshold, x, np.logaddexp(0.0, bx) / beta)
    return y, lambda s: np.where(beta * s > threshold, 1.0, 1 / (1 + np.exp(-beta * s)))


PARAMETRIZED_FORMULAS = {"leaky_relu": _leaky_relu, "softplus": _softplus}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("op", sorted(PARAMETRIZED))
def test_parametrized_activation_matches_formula_and_c(emulated, op, dtype):
    x = values((1001,), dtype)
    gy = values((1001,), dtype, seed=2, special=False)
    for params in PARAMETRIZED[op]:
        y = getattr(cupy_activations, op + "_fwd")(x, **params)
        with np.errstate(all="ignore"):
            expected, grad_of_saved = PARAMETRIZED_FORMULAS[op](x.astype(np.float64), **params)
        check_formula(y, expected, dtype, f"{op}_fwd {params} vs formula")
        saved = np.where(np.isfinite(y), y, 0).astype(dtype)
        if op == "softplus" or params.get("negative_slope", 0) < 0:
            saved = np.where(np.isfinite(x), x, 0).astype(dtype)  # softplus, and a negative slope, save x
        gx = getattr(cupy_activations, op + "_bwd")(saved, gy, **params)
        check_formula(gx, gy * grad_of_saved(saved.astype(np.float64)), dtype, f"{op}_bwd {params} vs formula")
        if hasattr(_C, op + "_fwd"):
            check_close(y, getattr(_C, op + "_fwd")(x, **params), dtype, f"{op}_fwd {params} vs C")
            check_close(gx, getattr(_C, op + "_bwd")(saved, gy, **params), dtype, f"{op}_bwd {params} vs C")


def test_activation_out_argument(emulated):
    x = values((9,), np.float64)
    out = np.empty_like(x)
    assert cupy_activations.tanh_fwd(x, out) is out
    np.testing.assert_allclose(out, np.tanh(x), rtol=1e-14)
    out2 = np.empty_like(x)
    assert cupy_activations.softplus_fwd(x, out2, beta=2.0) is out2


@pytest.mark.parametrize("op, params, message", [
    ("leaky_relu_fwd", dict(negative_slope=float("nan")), "leaky_relu: argument 'negative_slope' is NaN"),
    ("softplus_fwd", dict(beta=0.0), "softplus: argument 'beta' must not be 0"),
    ("softplus_bwd", dict(beta=float("nan")), "softplus_backward: argument 'beta' is NaN"),
])
def test_bad_activation_parameters_raise_like_the_c_wrappers(op, params, message):
    x = np.ones(3)
    args = (x,) if op.endswith("_fwd") else (x, x)
    with pytest.raises(ValueError, match=re.escape(message)):
        getattr(cupy_activations, op)(*args, **params)


# ---- optimizer steps: against the twins and the C kernels --------------------------------------

def _adam_cases():
    for amsgrad in (False, True):
        for decoupled in (False, True):
            for maximize in (False, True):
                yield "adam_step", 2 + 2 + amsgrad, dict(lr=1e-2, beta1=0.9, beta2=0.99, eps=1e-8,
                                                         weight_decay=0.05, maximize=maximize,
                                                         decoupled=decoupled), amsgrad


STEP_CASES = [
    ("sgd_step", 2, dict(lr=0.1, weight_decay=0.01)),
    ("sgd_step", 2, dict(lr=0.1, maximize=True)),
    ("sgd_step", 3, dict(lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    ("sgd_step", 3, dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("sgd_step", 3, dict(lr=0.1, momentum=0.9, init_buffer=True)),
    ("rmsprop_step", 3, dict(lr=1e-2, alpha=0.9, eps=1e-8, weight_decay=0.01)),
    ("rmsprop_step", 4, dict(lr=1e-2, alpha=0.9, eps=1e-8, centered=True)),
    ("rmsprop_step", 4, dict(lr=1e-2, alpha=0.9, eps=1e-8, momentum=0.9)),
    ("rmsprop_step", 5, dict(lr=1e-2, alpha=0.9, eps=1e-8, momentum=0.9, centered=True, maximize=True)),
    ("adagrad_step", 3, dict(lr=0.1, eps=1e-10, lr_decay=0.01, weight_decay=0.01)),
    ("adagrad_step", 3, dict(lr=0.1, eps=1e-10, maximize=True)),
    ("nadam_step", 4, dict(lr=1e-2, beta1=0.9, beta2=0.99, eps=1e-8, weight_decay=0.05)),
    ("nadam_step", 4, dict(lr=1e-2, beta1=0.9, beta2=0.99, eps=1e-8, weight_decay=0.05, decoupled=True,
                           maximize=True)),
    ("radam_step", 4, dict(lr=1e-2, beta1=0.9, beta2=0.99, eps=1e-8, weight_decay=0.05)),
    ("radam_step", 4, dict(lr=1e-2, beta1=0.9, beta2=0.99, eps=1e-8, weight_decay=0.05, decoupled=True,
                           maximize=True)),
    ("adamax_step", 4, dict(lr=1e-2, beta1=0.9, beta2=0.99, eps=1e-8, weight_decay=0.05)),
    ("adamax_step", 4, dict(lr=1e-2, beta1=0.9, beta2=0.99, eps=1e-8, weight_decay=0.0, maximize=True)),
    ("adadelta_step", 4, dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.05)),
    ("adadelta_step", 4, dict(lr=0.5, rho=0.5, eps=1e-4, maximize=True)),
    ("rprop_step", 4, dict(etaminus=0.5, etaplus=1.2, step_size_min=1e-6, step_size_max=50.0)),
    ("rprop_step", 4, dict(etaminus=0.3, etaplus=1.5, step_size_min=0.05, step_size_max=0.2, maximize=True)),
    ("asgd_step", 3, dict(decay=0.999, eta=0.01, mu=1.0, weight_decay=0.05)),
    ("asgd_step", 3, dict(decay=0.99, eta=0.02, mu=0.25, maximize=True)),
] + [case[:3] for case in _adam_cases() if not case[3]] + [
    ("adam_step", 5, dict(lr=1e-2, beta1=0.9, beta2=0.99, eps=1e-8, weight_decay=0.05, decoupled=d))
    for d in (False, True)]


STEP_ATOL = {np.float32: 1e-6, np.float64: 1e-13}


def _step_arrays(name, count, kwargs, dtype, n, seed):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(n).astype(dtype), rng.standard_normal(n).astype(dtype)]
    arrays += [np.abs(rng.standard_normal(n)).astype(dtype) * 0.1 for _ in range(count - 2)]
    kwargs = dict(kwargs)
    if name == "rmsprop_step":
        centered = kwargs.pop("centered", False)
        momentum = kwargs.get("momentum", 0.0)
        square, rest = arrays[2], arrays[3:]
        grad_avg = rest.pop(0) * 0.1 if centered else None
        buf = rest.pop(0) if momentum else None
        arrays = arrays[:2] + [square + 0.1, grad_avg, buf]
    elif name == "sgd_step" and count == 2:
        arrays.append(None)
    elif name == "adam_step" and count == 4:
        arrays.append(None)
    return arrays, kwargs


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", [0, 1, 33, 32769])
@pytest.mark.parametrize("case", range(len(STEP_CASES)))
def test_optimizer_step_matches_twin_over_steps(emulated, case, n, dtype):
    name, count, kwargs = STEP_CASES[case]
    arrays, kwargs = _step_arrays(name, count, kwargs, dtype, n, seed=case)
    ours = [None if a is None else a.copy() for a in arrays]
    twin = [None if a is None else a.copy() for a in arrays]
    if name not in reference.TWINS:
        pytest.fail(f"no reference twin {name} to compare with")
    for step in range(1, 6):
        getattr(cupy_optim, name)(*one_parameter(ours), **step_scalars(name, kwargs, step))
        reference.TWINS[name](np, *one_parameter(twin), **step_scalars(name, kwargs, step))
    for i, (a, b) in enumerate(zip(ours, twin)):
        if a is not None:  # the twins round in another order (p - d vs p * decay - d, / bc2 vs * 1/bc2)
            np.testing.assert_allclose(a, b, rtol=RTOL[dtype] * 5, atol=STEP_ATOL[dtype], err_msg=f"{name} array {i}")


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("case", range(len(STEP_CASES)))
def test_optimizer_step_matches_the_c_kernel(emulated, case, dtype):
    name, count, kwargs = STEP_CASES[case]
    if not hasattr(_C, name):
        pytest.fail(f"_C.{name} is missing")
    arrays, kwargs = _step_arrays(name, count, kwargs, dtype, 4099, seed=case)
    ours = [None if a is None else a.copy() for a in arrays]
    theirs = [None if a is None else a.copy() for a in arrays]
    for step in range(1, 4):
        getattr(cupy_optim, name)(*one_parameter(ours), **step_scalars(name, kwargs, step))
        getattr(_C, name)(*one_parameter(theirs), **step_scalars(name, kwargs, step))
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if a is not None:  # the C pass may use FMA (AVX2/AVX-512 versions): an ulp apart where p - d cancels
            np.testing.assert_allclose(a, b, rtol=RTOL[dtype] * 5, atol=STEP_ATOL[dtype], err_msg=f"{name} array {i}")


# ---- gradient norms and scaling -----------------------------------------------------------------

@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", [1, 7, 32769])
def test_norm_reductions_match_c(emulated, n, dtype):
    x = values((n,), dtype, special=False)
    ours = emulated(cupy_optim.SUM_SQUARES, x)
    assert ours.dtype == np.float64 and ours.shape == ()
    np.testing.assert_allclose(ours, _C.sum_squares([x]), rtol=1e-12)
    np.testing.assert_allclose(emulated(cupy_optim.MAX_ABS, x), _C.max_abs([x]), rtol=0)
    x[n // 2] = np.nan
    assert np.isnan(emulated(cupy_optim.MAX_ABS, x)) and np.isnan(_C.max_abs([x]))
    y = values((n,), dtype, special=False)
    expected = y.copy()
    _C.scale_([expected], 0.3)
    emulated(cupy_optim.SCALE, 0.3, y)
    np.testing.assert_array_equal(y, expected)


# ---- the same sources compile as CUDA ------------------------------------------------------------

def test_sources_compile_as_cuda(tmp_path):
    nvcc = shutil.which("nvcc")
    if nvcc is None:
        pytest.skip("nvcc is not installed: the CUDA compile check of the kernel sources needs it")
    source = tmp_path / "kernels.cu"
    source.write_text(kernel_emulator.kernel_source(cupy_kernels.KERNELS.values(), cuda=True))
    done = subprocess.run([nvcc, "-c", "-arch=sm_80", "-o", str(tmp_path / "kernels.o"), str(source)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-4000:]


# ---- softmax family and losses: against the twins ------------------------------------------------

@pytest.fixture
def losses_on_numpy(emulated, monkeypatch):
    """The loss functions with their kernels emulated and NumPy standing in for CuPy's array functions
    (row maxima, gathers), so the whole function runs on the CPU."""
    from fastgrad.backend.cupy_kernels import losses

    monkeypatch.setattr(losses, "_cupy", lambda: np)
    return losses


def _loss_cases(dtype):
    rng = np.random.default_rng(5)
    x = np.asarray(rng.standard_normal((7, 6)) * 3, dtype=dtype)
    y_like = np.asarray(rng.standard_normal((7, 6)), dtype=dtype)
    prob = np.asarray(rng.uniform(0.02, 0.98, (7, 6)), dtype=dtype)
    prob2 = np.asarray(rng.uniform(0.0, 1.0, (7, 6)), dtype=dtype)
    weight = np.asarray(rng.uniform(0.5, 2.0, 6), dtype=dtype)
    grad = np.asarray(rng.standard_normal(7), dtype=dtype)
    target = rng.integers(0, 6, 7)
    ignored = target.copy()
    ignored[2] = -100
    return [
        ("softmax_fwd", (x,), {}), ("softmax_bwd", (prob, y_like), {}),
        ("softmax_fwd", (x[0],), {}), ("softmax_fwd", (np.asarray(x[0, 0]),), {}),
        ("log_softmax_fwd", (x,), {}), ("log_softmax_bwd", (np.log(prob), y_like), {}),
        ("cross_entropy_fwd", (x,), dict(target=target)),
        ("cross_entropy_fwd", (x,), dict(target=ignored, weight=weight, label_smoothing=0.1)),
        ("cross_entropy_fwd", (x,), dict(target=target, ignore_index=target[0], label_smoothing=1.0)),
        ("cross_entropy_bwd", (x,), dict(grad=grad, target=target)),
        ("cross_entropy_bwd", (x,), dict(grad=grad, target=ignored, weight=weight, label_smoothing=0.3)),
        ("soft_cross_entropy_fwd", (x, prob2), {}),
        ("soft_cross_entropy_fwd", (x, prob2), dict(weight=weight, label_smoothing=0.2)),
        ("soft_cross_entropy_bwd", (x, prob2), dict(grad=grad)),
        ("soft_cross_entropy_bwd", (x, prob2), dict(grad=grad, weight=weight, label_smoothing=0.2)),
        ("mse_loss_fwd", (x, y_like), {}), ("mse_loss_fwd", (x, y_like), dict(reduction="sum")),
        ("mse_loss_bwd", (x, y_like), {}), ("mse_loss_bwd", (x, y_like, prob), dict(scale=0.25)),
        ("l1_loss_fwd", (x, y_like), {}), ("l1_loss_fwd", (x, x), dict(reduction="sum")),
        ("l1_loss_bwd", (x, np.where(prob > 0.5, x, y_like)), dict(scale=2.0)),
        ("huber_loss_fwd", (x, y_like), dict(delta=0.5)), ("huber_loss_fwd", (x, y_like), dict(reduction="sum")),
        ("huber_loss_bwd", (x, y_like, prob), dict(delta=0.5, scale=0.1)),
        ("binary_cross_entropy_with_logits_fwd", (x, prob2), {}),
        ("binary_cross_entropy_with_logits_fwd", (x * 20, prob2), dict(pos_weight=weight, reduction="sum")),
        ("binary_cross_entropy_with_logits_bwd", (x, prob2), dict(gy=y_like, pos_weight=weight, scale=0.5)),
        ("binary_cross_entropy_with_logits_bwd", (x, prob2), {}),
        ("binary_cross_entropy_fwd", (prob, prob2), {}),
        ("binary_cross_entropy_fwd", (np.where(prob > 0.5, 1, 0).astype(dtype), prob2), dict(reduction="sum")),
        ("binary_cross_entropy_bwd", (prob, prob2), dict(gy=y_like, scale=3.0)),
    ]


LOSS_RTOL = {np.float32: 1e-5, np.float64: 1e-12}  # sums run in double here, in the dtype in the twins


@pytest.mark.parametrize("dtype", FLOATS)
def test_losses_match_twins(losses_on_numpy, dtype):
    for name, args, kwargs in _loss_cases(dtype):
        got = getattr(losses_on_numpy, name)(*args, **kwargs)
        expected = reference.TWINS[name](np, *args, **kwargs)
        got = got if isinstance(got, tuple) else (got,)
        expected = expected if isinstance(expected, tuple) else (expected,)
        assert len(got) == len(expected), name
        for i, (g, e) in enumerate(zip(got, expected)):
            g, e = np.asarray(g), np.asarray(e)
            assert g.dtype == dtype and g.shape == e.shape, f"{name} {kwargs} output {i}"
            np.testing.assert_allclose(g, e, rtol=LOSS_RTOL[dtype], atol=LOSS_RTOL[dtype],
                                       err_msg=f"{name} {sorted(kwargs)} output {i}")


def test_loss_errors_match_twins(losses_on_numpy):
    x = np.zeros((3, 4))
    with pytest.raises(ValueError, match="binary_cross_entropy: all elements of input and target"):
        losses_on_numpy.binary_cross_entropy_fwd(x + 2, x)
    # an out-of-range target is not read back from the GPU: its row's loss and gradient are NaN
    loss = losses_on_numpy.cross_entropy_fwd(x, target=np.array([0, 4, 1]))
    assert np.isnan(loss[1]) and np.all(np.isfinite(loss[[0, 2]]))
    gx = losses_on_numpy.cross_entropy_bwd(x, grad=np.ones(3), target=np.array([0, 4, 1]))
    assert np.all(np.isnan(gx[1])) and np.all(np.isfinite(gx[[0, 2]]))
    with pytest.raises(ValueError, match="cross_entropy: argument 'target' has shape"):
        losses_on_numpy.cross_entropy_fwd(x, target=np.array([0, 1]))
    with pytest.raises(ValueError, match="label_smoothing"):
        losses_on_numpy.cross_entropy_fwd(x, target=np.array([0, 1, 2]), label_smoothing=1.5)
    with pytest.raises(ValueError, match="huber_loss: argument 'delta' must be positive"):
        losses_on_numpy.huber_loss_fwd(x, x, delta=0.0)
    with pytest.raises(ValueError, match="reduction"):
        losses_on_numpy.mse_loss_fwd(x, x, reduction="mean")


# ---- linear-layer epilogues: against the twins and the C kernels ------------------------------------

LINEAR_ACTIVATIONS = ("none", "relu", "sigmoid", "tanh", "gelu", "gelu_tanh")


@pytest.fixture
def linear_on_numpy(emulated, monkeypatch):
    from fastgrad.backend.cupy_kernels import linear

    monkeypatch.setattr(linear, "_empty_like", np.empty_like)
    return linear


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("activation", LINEAR_ACTIVATIONS)
@pytest.mark.parametrize("with_bias", [True, False])
@pytest.mark.parametrize("inplace", [False, True])
def test_linear_epilogue_matches_twin(linear_on_numpy, activation, with_bias, inplace, dtype):
    rng = np.random.default_rng(3)
    z = np.asarray(rng.standard_normal((9, 70)) * 2, dtype=dtype)
    z[0, :3] = [0.0, -0.0, 0.5]
    bias = np.asarray(rng.standard_normal(70), dtype=dtype) if with_bias else None
    gy = np.asarray(rng.standard_normal((9, 70)), dtype=dtype)
    expected_y, expected_saved = reference.TWINS["bias_act_fwd"](np, z.copy(), bias, activation)
    work = z.copy()
    y, saved = linear_on_numpy.bias_act_fwd(work, bias, activation, inplace)
    with np.errstate(all="ignore"):
        check_formula(y, expected_y.astype(np.float64), dtype, f"{activation} y")
        check_formula(saved, expected_saved.astype(np.float64), dtype, f"{activation} saved")
    if inplace:
        assert saved is work or y is work, "inplace=True writes into z"
    if hasattr(_C, "bias_act_fwd"):  # the C kernel this body mirrors
        c_y, c_saved = _C.bias_act_fwd(z.copy(), bias=bias, activation=activation)
        check_close(y, c_y, dtype, f"{activation} y vs C")
        check_close(saved, c_saved, dtype, f"{activation} saved vs C")
    gz, gbias = linear_on_numpy.bias_act_bwd(saved, gy, True, activation)
    t_gz, t_gbias = reference.TWINS["bias_act_bwd"](np, saved, gy, True, activation)
    check_formula(gz, t_gz.astype(np.float64), dtype, f"{activation} gz")
    check_formula(gbias, t_gbias.astype(np.float64), dtype, f"{activation} gbias")
    assert linear_on_numpy.bias_act_bwd(saved, gy, False, activation)[1] is None
    if hasattr(_C, "bias_act_bwd"):
        c_gz, c_gbias = _C.bias_act_bwd(saved, gy, bias_grad=True, activation=activation)
        check_close(gz, c_gz, dtype, f"{activation} gz vs C")
        np.testing.assert_allclose(gbias, c_gbias, rtol=RTOL[dtype] * 10, atol=ATOL[dtype])


def test_linear_rejects_unknown_activations(linear_on_numpy):
    with pytest.raises(ValueError, match="linear: unknown activation 'swish'"):
        linear_on_numpy.bias_act_fwd(np.zeros((2, 2)), None, "swish")
    with pytest.raises(ValueError, match="linear_backward: unknown activation"):
        linear_on_numpy.bias_act_bwd(np.zeros((2, 2)), np.zeros((2, 2)), False, "swish")
