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

kernel_emulator = pytest.importorskip("kernel_emulator")

if kernel_emulator.compiler() is None:
    pytest.skip("no C++ compiler to run the CuPy kernel sources on the CPU", allow_module_level=True)

FLOATS = (np.float32, np.float64)
RTOL = {np.float32: 2e-6, np.float64: 1e-14}
ATOL = {np.float32: 2e-7, np.float64: 1e-300}
SHAPES = [(), (0,), (1,), (7,), (3, 5), (32769,)]


@pytest.fixture(scope="module")
def emulated():
    """Every CuPy kernel object runs through the emulator for this module."""
    emulator = kernel_emulator.Emulator(cupy_kernels.KERNELS.values())
    saved = {name: k._kernel for name, k in cupy_kernels.KERNELS.items()}
    for k in cupy_kernels.KERNELS.values():
        k._kernel = (lambda kernel: (lambda *args: emulator(kernel, *args)))(k)
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


def test_every_reference_twin_of_a_covered_family_has_a_cupy_kernel():
    covered = {m.__name__.rsplit(".", 1)[1] for m in cupy_kernels.FAMILIES}
    for module in reference.FAMILIES:
        family = module.__name__.rsplit(".", 1)[1]
        if family not in covered:
            continue
        for name in vars(module):
            if name in reference.TWINS:
                assert name in cupy_kernels.FUNCTIONS, f"{family}: twin {name} has no CuPy kernel"


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
    return y, lambda s: np.where(beta * s > threshold, 1.0, -np.expm1(-beta * s))


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
        if op == "leaky_relu" and params["negative_slope"] < 0:
            saved = np.where(np.isfinite(x), x, 0).astype(dtype)  # a negative slope saves x
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
] + [case[:3] for case in _adam_cases() if not case[3]] + [
    ("adam_step", 5, dict(lr=1e-2, beta1=0.9, beta2=0.99, eps=1e-8, weight_decay=0.05, decoupled=d))
    for d in (False, True)]


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
    for step in range(1, 6):
        extra = {"step": step} if name in ("adam_step", "adagrad_step") else {}
        getattr(cupy_optim, name)(*ours, **kwargs, **extra)
        reference.TWINS[name](np, *twin, **kwargs, **extra) if name in reference.TWINS else None
    if name not in reference.TWINS:
        pytest.fail(f"no reference twin {name} to compare with")
    for i, (a, b) in enumerate(zip(ours, twin)):
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=RTOL[dtype] * 5, atol=ATOL[dtype], err_msg=f"{name} array {i}")


def _c_step(name, arrays, kwargs, step):
    """The C kernel on one-parameter lists, with the scalars its callers compute."""
    kwargs = dict(kwargs)
    lists = [None if a is None else [a] for a in arrays]
    if name == "adam_step":
        beta1, beta2, lr = kwargs["beta1"], kwargs["beta2"], kwargs["lr"]
        kwargs.update(step_size=lr / (1 - beta1 ** step), bias_correction2_sqrt=(1 - beta2 ** step) ** 0.5)
    if name == "adagrad_step":
        kwargs["clr"] = kwargs.pop("lr") / (1 + (step - 1) * kwargs.pop("lr_decay", 0.0))
    getattr(_C, name)(*lists, **kwargs)


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
        extra = {"step": step} if name in ("adam_step", "adagrad_step") else {}
        getattr(cupy_optim, name)(*ours, **kwargs, **extra)
        _c_step(name, theirs, kwargs, step)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=RTOL[dtype] * 5, atol=ATOL[dtype], err_msg=f"{name} array {i}")


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
