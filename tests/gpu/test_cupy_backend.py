"""CuPy on a GPU: kernels, ops, gradients, optimizers and device moves, against NumPy.

Every test takes the `cp` fixture, which skips with the reason (CuPy not
installed, or no usable GPU) on machines without one.  On a GPU machine:
pip install cupy-cuda12x (or the build for its CUDA), then
pytest tests/gpu.
"""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad import _C
from fastgrad.backend import backend_for, cupy_kernels, reference
from fastgrad.backend.cupy_backend import CupyBackend
from fastgrad.backend.cupy_kernels import activations as cupy_activations
from optim_steps import one_parameter, step_scalars

kernel_emulator = pytest.importorskip("kernel_emulator")

FLOATS = (np.float32, np.float64)
RTOL = {np.float32: 4e-6, np.float64: 1e-13}
ATOL = {np.float32: 1e-6, np.float64: 1e-13}
RNG = np.random.default_rng(11)


def host(a):
    import cupy

    a = a._data if isinstance(a, fg.Tensor) else a
    return cupy.asnumpy(a) if isinstance(a, cupy.ndarray) else np.asarray(a)


def signed(*shape, dtype=np.float64):
    values = RNG.standard_normal(shape)
    return np.where(np.abs(values) < 0.05, 0.3, values).astype(dtype)


# ---- dispatch -----------------------------------------------------------------------

def test_cupy_arrays_choose_the_cupy_backend(cp):
    b = backend_for(cp.ones(3), 2.0, None)
    assert isinstance(b, CupyBackend) and b.xp is cp and b.name == "cupy"
    assert backend_for(cp.zeros((2, 2), dtype=cp.float32)) is b


def test_namespace_of_cupy_arrays(cp):
    from fastgrad.backend import namespace_of

    assert namespace_of(cp.ones(2)) is cp


def test_mixing_cupy_and_numpy_names_both_devices(cp):
    with pytest.raises(TypeError) as info:
        backend_for(cp.ones(3), np.ones(3))
    message = str(info.value)
    assert "a CuPy array (device cuda:0)" in message and "a NumPy array (device cpu)" in message
    with pytest.raises(TypeError, match=r"cannot mix a CuPy array \(device cuda:0\) and a NumPy array"):
        fg.tensor(cp.ones(3), requires_grad=True) * fg.tensor(np.ones(3))


def test_mixing_two_gpus_names_both(cp):
    if cp.cuda.runtime.getDeviceCount() < 2:
        pytest.skip("one GPU: arrays on two GPUs cannot be made here")
    a = cp.ones(2)
    with cp.cuda.Device(1):
        b = cp.ones(2)
    with pytest.raises(TypeError, match=r"cuda:0.*cuda:1"):
        backend_for(a, b)


# ---- kernels: cached CuPy kernels, same results as the C kernels and as their source on the CPU ----

@pytest.fixture(scope="module")
def emulator():
    if kernel_emulator.compiler() is None:
        pytest.skip("no C++ compiler to run the kernel sources on the CPU for comparison")
    return kernel_emulator.Emulator(cupy_kernels.KERNELS.values())


ACTIVATIONS = ["sigmoid", "relu", "tanh", "gelu", "gelu_tanh", "silu"]
SAVES_OUTPUT = {"sigmoid", "relu", "tanh"}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(), (0,), (7,), (3, 5), (32769,), (1000, 1001)])
@pytest.mark.parametrize("op", ACTIVATIONS)
def test_activation_kernels_on_the_gpu(cp, emulator, op, shape, dtype):
    x = (RNG.standard_normal(shape) * 4).astype(dtype)
    gy = RNG.standard_normal(shape).astype(dtype)
    b = backend_for(cp.asarray(x))
    y = getattr(b, op + "_fwd")(cp.asarray(x))
    assert isinstance(y, cp.ndarray) and y.dtype == dtype and y.shape == x.shape
    saved = host(y) if op in SAVES_OUTPUT else x
    gx = getattr(b, op + "_bwd")(cp.asarray(saved), cp.asarray(gy))
    kernel_fwd = cupy_kernels.KERNELS[f"fastgrad_{op}_fwd"]
    kernel_bwd = cupy_kernels.KERNELS[f"fastgrad_{op}_bwd"]
    np.testing.assert_allclose(host(y), emulator(kernel_fwd, x), rtol=RTOL[dtype], atol=ATOL[dtype])
    np.testing.assert_allclose(host(gx), emulator(kernel_bwd, saved, gy), rtol=RTOL[dtype], atol=ATOL[dtype])
    if hasattr(_C, op + "_fwd"):
        np.testing.assert_allclose(host(y), getattr(_C, op + "_fwd")(x), rtol=RTOL[dtype], atol=ATOL[dtype])
        np.testing.assert_allclose(host(gx), getattr(_C, op + "_bwd")(saved, gy), rtol=RTOL[dtype],
                                   atol=ATOL[dtype])


def test_kernels_are_cached_cupy_kernels_with_fastgrad_names(cp):
    x = cp.linspace(-3, 3, 11, dtype=cp.float32)
    for op in ACTIVATIONS:
        getattr(cupy_activations, op + "_fwd")(x)
        kernel = cupy_kernels.KERNELS[f"fastgrad_{op}_fwd"]
        built = kernel._kernel
        assert isinstance(built, cp.ElementwiseKernel) and built.name == kernel.name
        getattr(cupy_activations, op + "_fwd")(x)
        assert kernel._kernel is built  # built once per process


def test_kernels_take_views_and_write_into_out(cp):
    x = cp.asarray(signed(8, 6))
    view = x[::2, 1::2]
    y = cupy_activations.sigmoid_fwd(view)
    np.testing.assert_allclose(host(y), 1 / (1 + np.exp(-host(view))), rtol=1e-14)
    out = cp.empty_like(view)
    assert cupy_activations.tanh_fwd(view, out) is out
    np.testing.assert_allclose(host(out), np.tanh(host(view)), rtol=1e-14)


@pytest.mark.parametrize("op, kwargs", [("leaky_relu", dict(negative_slope=0.2)),
                                        ("softplus", dict(beta=2.0, threshold=5.0))])
def test_parametrized_activations_on_the_gpu(cp, op, kwargs):
    x = signed(1001, dtype=np.float32) * 4
    gy = signed(1001, dtype=np.float32)
    y = getattr(cupy_activations, op + "_fwd")(cp.asarray(x), **kwargs)
    saved = x if op == "softplus" else host(y)  # what each forward saves for its backward
    gx = getattr(cupy_activations, op + "_bwd")(cp.asarray(saved), cp.asarray(gy), **kwargs)
    twin_y = reference.TWINS[op + "_fwd"](np, x, **kwargs)
    twin_gx = reference.TWINS[op + "_bwd"](np, saved, gy, **kwargs)
    np.testing.assert_allclose(host(y), twin_y, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(host(gx), twin_gx, rtol=1e-5, atol=1e-6)
    if hasattr(_C, op + "_fwd"):
        np.testing.assert_allclose(host(y), getattr(_C, op + "_fwd")(x, **kwargs), rtol=4e-6, atol=1e-6)
        np.testing.assert_allclose(host(gx), getattr(_C, op + "_bwd")(saved, gy, **kwargs), rtol=4e-6, atol=1e-6)


def test_other_dtypes_use_the_twin_on_the_gpu(cp):
    x = cp.asarray([-2, 0, 3])
    y = backend_for(x).relu_fwd(x)
    assert isinstance(y, cp.ndarray) and host(y).tolist() == [0, 0, 3]


# ---- optimizer steps: one fused kernel per parameter, in place ---------------------------------

STEP_CASES = [
    ("sgd_step", [True, True, False], dict(lr=0.1, weight_decay=0.01)),
    ("sgd_step", [True, True, True], dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=False)),
    ("sgd_step", [True, True, True], dict(lr=0.1, momentum=0.9, nesterov=True, maximize=True)),
    ("adam_step", [True, True, True, True, False], dict(lr=1e-2, beta1=0.9, beta2=0.99, eps=1e-8,
                                                         weight_decay=0.05)),
    ("adam_step", [True, True, True, True, False], dict(lr=1e-2, beta1=0.9, beta2=0.99, eps=1e-8,
                                                         weight_decay=0.05, decoupled=True)),
    ("adam_step", [True, True, True, True, True], dict(lr=1e-2, beta1=0.9, beta2=0.99, eps=1e-8,
                                                        weight_decay=0.0, maximize=True)),
    ("rmsprop_step", [True, True, True, False, False], dict(lr=1e-2, alpha=0.9, eps=1e-8)),
    ("rmsprop_step", [True, True, True, True, True], dict(lr=1e-2, alpha=0.9, eps=1e-8, momentum=0.9,
                                                          weight_decay=0.01)),
    ("adagrad_step", [True, True, True], dict(lr=0.1, eps=1e-10, lr_decay=0.01, weight_decay=0.01)),
    ("nadam_step", [True] * 4, dict(lr=1e-2, beta1=0.9, beta2=0.99, eps=1e-8, weight_decay=0.05, decoupled=True)),
    ("radam_step", [True] * 4, dict(lr=1e-2, beta1=0.9, beta2=0.99, eps=1e-8, weight_decay=0.05)),
    ("adamax_step", [True] * 4, dict(lr=1e-2, beta1=0.9, beta2=0.99, eps=1e-8, weight_decay=0.05, maximize=True)),
    ("adadelta_step", [True] * 4, dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.05, maximize=True)),
    ("rprop_step", [True] * 4, dict(etaminus=0.5, etaplus=1.2, step_size_min=1e-6, step_size_max=50.0)),
    ("asgd_step", [True] * 3, dict(decay=0.999, eta=0.01, mu=0.5, weight_decay=0.05, maximize=True)),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("case", range(len(STEP_CASES)))
def test_optimizer_steps_on_the_gpu_match_the_twins(cp, case, dtype):
    name, present, kwargs = STEP_CASES[case]
    n = 40001
    arrays = [signed(n, dtype=dtype) if i < 2 else np.abs(signed(n, dtype=dtype)) * 0.1 if p else None
              for i, p in enumerate(present)]
    if name == "rmsprop_step" and arrays[3] is not None:
        arrays[3] = arrays[3] * 0.1  # grad_avg**2 below square_avg
    on_gpu = [None if a is None else cp.asarray(a) for a in arrays]
    before = [None if a is None else a.data.ptr for a in on_gpu]
    on_host = [None if a is None else a.copy() for a in arrays]
    b = backend_for(on_gpu[0])
    for step in range(1, 6):
        getattr(b, name)(*one_parameter(on_gpu), **step_scalars(name, kwargs, step))
        reference.TWINS[name](np, *one_parameter(on_host), **step_scalars(name, kwargs, step))
    for i, (g, h) in enumerate(zip(on_gpu, on_host)):
        if g is not None:
            assert g.data.ptr == before[i], "state is updated in place"
            np.testing.assert_allclose(host(g), h, rtol=RTOL[dtype] * 10, atol=ATOL[dtype], err_msg=f"array {i}")


def test_norm_reductions_stay_on_the_gpu(cp):
    arrays = [cp.asarray(signed(1000, dtype=np.float32)), cp.asarray(signed(3, 7, dtype=np.float32))]
    b = backend_for(arrays[0])
    total = b.sum_squares(arrays)
    assert isinstance(total, cp.ndarray) and total.dtype == cp.float64 and total.shape == ()
    expected = sum(float(np.sum(host(a).astype(np.float64) ** 2)) for a in arrays)
    np.testing.assert_allclose(float(total), expected, rtol=1e-12)
    np.testing.assert_allclose(float(b.max_abs(arrays)), max(np.abs(host(a)).max() for a in arrays))
    arrays[1][0, 0] = cp.nan
    assert np.isnan(float(b.max_abs(arrays)))
    factor = cp.asarray(0.5)
    before = host(arrays[0])
    b.scale_(arrays[:1], factor)
    np.testing.assert_allclose(host(arrays[0]), before * np.float32(0.5))


# ---- ops and gradients on GPU tensors --------------------------------------------------------

OPS = {
    "arithmetic": (lambda a, b: (a * b - a / (b * b + 1)) ** 2, [(3, 4), (4,)]),
    "unary": (lambda a: a.exp().log1p() + a.sin() * a.cos() + a.tanh() + abs(a), [(5, 3)]),
    "activations": (lambda a: a.sigmoid() * a.relu(), [(64, 33)]),
    "reductions": (lambda a: a.sum(axis=0) + a.mean(axis=0) + a.var(axis=0) + a.max(axis=0), [(6, 5)]),
    "matmul": (lambda a, b: a @ b, [(17, 9), (9, 5)]),
    "batched_matmul": (lambda a, b: fg.matmul(a, b), [(2, 3, 4), (4, 5)]),
    "shapes": (lambda a: a.reshape(4, 3).T.flatten().unsqueeze(0) * 2, [(3, 4)]),
    "concat_index": (lambda a, b: fg.concatenate([a, b], axis=1)[1:, ::2], [(3, 2), (3, 4)]),
    "mlp": (lambda x, w1, b1, w2: ((x @ w1 + b1).relu() @ w2).sigmoid().mean(), [(16, 8), (8, 12), (12,), (12, 3)]),
    "sort_topk": (lambda a: a.sort(dim=0, descending=True).values * 2 + a.topk(2, dim=1).values.sum(1, keepdim=True),
                  [(4, 5)]),
}


def test_orderings_and_indices_are_computed_on_the_gpu(cp):
    values = signed(5, 6)
    ref, gpu = fg.tensor(values), fg.tensor(cp.asarray(values))
    pairs = {
        "argmax": lambda t: t.argmax(1), "argmin_keepdim": lambda t: t.argmin(0, keepdim=True),
        "argmax_all": lambda t: t.argmax(), "argsort": lambda t: t.argsort(descending=True),
        "sort": lambda t: t.sort(0)[1], "topk": lambda t: t.topk(3)[1],
        "index_select": lambda t: t.index_select(1, t.argmax(1)), "gather": lambda t: t.gather(1, t.argsort(1)),
        "nonzero": lambda t: (t > 0).nonzero(),
    }
    for name, fn in pairs.items():
        out = fn(gpu)
        assert isinstance(out._data, cp.ndarray), f"{name} stays on the GPU"
        np.testing.assert_array_equal(host(out), fn(ref).numpy(), err_msg=name)


@pytest.mark.parametrize("name", sorted(OPS))
def test_ops_and_gradients_on_the_gpu_match_numpy(cp, name):
    fn, shapes = OPS[name]
    values = [signed(*s) for s in shapes]
    ref = [fg.tensor(v.copy(), requires_grad=True) for v in values]
    gpu = [fg.tensor(cp.asarray(v), requires_grad=True) for v in values]
    out_gpu = fn(*gpu)
    out_ref = fn(*ref)
    assert isinstance(out_gpu._data, cp.ndarray) and out_gpu.device == "cuda:0"
    np.testing.assert_allclose(host(out_gpu._data), out_ref._data, rtol=1e-12, atol=1e-12)
    seed = signed(*np.shape(out_ref._data))
    (out_ref * fg.tensor(seed)).sum().backward()
    (out_gpu * fg.tensor(cp.asarray(seed))).sum().backward()
    for i, (r, g) in enumerate(zip(ref, gpu)):
        assert isinstance(g.grad._data, cp.ndarray), f"gradient {i} stays on the GPU"
        np.testing.assert_allclose(host(g.grad), r.grad, rtol=1e-12, atol=1e-12, err_msg=f"input {i}")


def test_repeated_advanced_indices_accumulate_on_the_gpu(cp):
    v = signed(4, 3)
    ref = fg.tensor(v.copy(), requires_grad=True)
    gpu = fg.tensor(cp.asarray(v), requires_grad=True)
    (ref[np.array([0, 0, 2])] * 3).sum().backward()
    (gpu[cp.asarray([0, 0, 2])] * 3).sum().backward()
    assert isinstance(gpu.grad._data, cp.ndarray)
    np.testing.assert_array_equal(host(gpu.grad), ref.grad)
    assert host(gpu.grad)[0].tolist() == [6.0, 6.0, 6.0]


def test_tensors_wrap_cupy_arrays(cp):
    a = cp.arange(3, dtype=cp.float32)
    t = fg.as_tensor(a).requires_grad_()
    assert t._data is a and t.device == "cuda:0"
    assert fg.tensor(a, dtype=np.float64).dtype == np.float64


@pytest.mark.parametrize("kwargs", [{}, dict(label_smoothing=0.1, weighted=True)])
def test_cross_entropy_op_on_the_gpu(cp, kwargs):
    kwargs = dict(kwargs)
    weighted = kwargs.pop("weighted", False)
    x, y = signed(12, 5), RNG.integers(0, 5, 12)
    weight = RNG.uniform(0.5, 2.0, 5)
    results = []
    for to_device in (np.asarray, cp.asarray):
        logits = fg.tensor(to_device(x), requires_grad=True)
        w = to_device(weight) if weighted else None
        loss = fg.nn.functional.cross_entropy(logits, to_device(y), weight=w, **kwargs)
        loss.backward()
        results.append((float(loss.item()), host(logits.grad)))
    assert isinstance(logits.grad._data, cp.ndarray)
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-12)
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-12, atol=1e-14)


# ---- devices ----------------------------------------------------------------------------------

def test_tensor_moves_between_devices_with_gradients(cp):
    x = fg.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = x.cuda()
    assert y.device == "cuda:0" and y.device.type == "cuda" and isinstance(y._data, cp.ndarray)
    assert y.cuda() is y and y.to("cuda") is y and y.to("cuda:0") is y
    z = (y * y).sum()
    z.backward()
    assert type(x.grad) is np.ndarray
    np.testing.assert_array_equal(x.grad, [2.0, -4.0, 6.0])
    back = y.cpu()
    assert back.device == "cpu" and type(back._data) is np.ndarray
    both = x.to("cuda", np.float64)
    assert both.device == "cuda:0" and both.dtype == np.float64


def test_tensor_factory_with_device_cuda(cp):
    t = fg.tensor([[1.0, 2.0]], device="cuda", requires_grad=True)
    assert isinstance(t._data, cp.ndarray) and t.dtype == np.float32 and t.requires_grad and t.is_leaf
    assert fg.tensor(np.ones(2), device="cuda:0").device == "cuda:0"


def test_move_tensor_in_place_to_the_gpu(cp):
    p = fg.tensor([1.0, 2.0], requires_grad=True)
    p.grad = np.ones(2, dtype=np.float32)
    fg.devices.move_tensor_(p, "cuda")
    assert isinstance(p._data, cp.ndarray) and isinstance(p.grad._data, cp.ndarray)
    fg.devices.move_tensor_(p, "cpu")
    assert type(p._data) is np.ndarray and type(p.grad) is np.ndarray


# ---- a training loop stays on the GPU and matches the CPU ---------------------------------------

@pytest.mark.parametrize("optimizer", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_training_steps_on_the_gpu_match_the_cpu(cp, optimizer):
    optim = pytest.importorskip("fastgrad.optim")
    kwargs = {"SGD": dict(lr=0.1, momentum=0.9), "Adam": dict(lr=1e-2), "AdamW": dict(lr=1e-2, weight_decay=0.1),
              "RMSprop": dict(lr=1e-3, momentum=0.5), "Adagrad": dict(lr=0.1)}[optimizer]
    x, target = signed(32, 10, dtype=np.float32), signed(32, 1, dtype=np.float32)
    init = [signed(10, 16, dtype=np.float32) * 0.3, np.zeros(16, np.float32), signed(16, 1, dtype=np.float32) * 0.3]

    def run(to_device):
        params = [fg.tensor(to_device(w.copy()), requires_grad=True) for w in init]
        opt = getattr(optim, optimizer)(params, **kwargs)
        data, goal = fg.tensor(to_device(x)), fg.tensor(to_device(target))
        for _ in range(5):
            w1, b1, w2 = params
            loss = (((data @ w1 + b1).tanh() @ w2 - goal) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        return params, opt

    gpu_params, gpu_opt = run(cp.asarray)
    cpu_params, _ = run(lambda a: a)
    for g, c in zip(gpu_params, cpu_params):
        assert isinstance(g._data, cp.ndarray) and isinstance(g.grad._data, cp.ndarray)
        np.testing.assert_allclose(host(g._data), c._data, rtol=1e-4, atol=1e-5)
    for state in gpu_opt.state.values():
        for value in state.values():
            if hasattr(value, "shape"):
                assert isinstance(value, cp.ndarray), "optimizer state stays on the GPU"


def test_jitted_training_steps_on_the_gpu_equal_eager_bit_for_bit(cp):
    optim = pytest.importorskip("fastgrad.optim")
    x, target = signed(32, 10, dtype=np.float32), signed(32, 1, dtype=np.float32)
    init = [signed(10, 16, dtype=np.float32) * 0.3, np.zeros(16, np.float32), signed(16, 1, dtype=np.float32) * 0.3]

    def run(jit):
        params = [fg.tensor(cp.asarray(w), requires_grad=True) for w in init]
        opt = optim.Adam(params, lr=1e-2)

        def step(data, goal):
            w1, b1, w2 = params
            loss = (((data @ w1 + b1).tanh() @ w2 - goal) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss

        stepper = fg.jit(step) if jit else step
        losses = [stepper(fg.tensor(cp.asarray(x * (1 + i / 10))), fg.tensor(cp.asarray(target)))._data
                  for i in range(8)]
        return losses, params, stepper

    jit_losses, jit_params, stepper = run(True)
    eager_losses, eager_params, _ = run(False)
    assert stepper.recordings == 2 and stepper.plans() == []
    for a, b in zip(jit_losses, eager_losses):
        assert isinstance(a, cp.ndarray) and bool(cp.array_equal(a, b))
    for p, q in zip(jit_params, eager_params):
        assert isinstance(p._data, cp.ndarray) and bool(cp.array_equal(p._data, q._data))


# ---- losses and linear epilogues on the GPU, against the twins ----------------------------------

def _gpu_loss_cases(dtype):
    x = signed(33, 10, dtype=dtype) * 3
    other = signed(33, 10, dtype=dtype)
    prob = RNG.uniform(0.02, 0.98, (33, 10)).astype(dtype)
    weight = RNG.uniform(0.5, 2.0, 10).astype(dtype)
    grad = signed(33, dtype=dtype)
    target = RNG.integers(0, 10, 33)
    target[3] = -100
    return [
        ("softmax_fwd", (x,), {}), ("softmax_bwd", (prob, other), {}),
        ("log_softmax_fwd", (x,), {}), ("log_softmax_bwd", (np.log(prob), other), {}),
        ("cross_entropy_fwd", (x,), dict(target=target, weight=weight, label_smoothing=0.1)),
        ("cross_entropy_bwd", (x,), dict(grad=grad, target=target, weight=weight, label_smoothing=0.1)),
        ("soft_cross_entropy_fwd", (x, prob), dict(label_smoothing=0.2)),
        ("soft_cross_entropy_bwd", (x, prob), dict(grad=grad, weight=weight)),
        ("mse_loss_fwd", (x, other), dict(reduction="sum")), ("mse_loss_bwd", (x, other, prob), dict(scale=0.5)),
        ("l1_loss_fwd", (x, other), {}), ("l1_loss_bwd", (x, other), {}),
        ("huber_loss_fwd", (x, other), dict(delta=0.5)), ("huber_loss_bwd", (x, other, prob), dict(delta=0.5)),
        ("binary_cross_entropy_with_logits_fwd", (x, prob), dict(pos_weight=weight, reduction="sum")),
        ("binary_cross_entropy_with_logits_bwd", (x, prob), dict(gy=other, scale=2.0)),
        ("binary_cross_entropy_fwd", (prob, prob[::-1].copy()), {}),
        ("binary_cross_entropy_bwd", (prob, prob[::-1].copy()), dict(gy=other)),
        ("bias_act_fwd", (x,), dict(bias=weight, activation="gelu")),
        ("bias_act_fwd", (x,), dict(bias=weight, activation="relu")),
        ("bias_act_bwd", (x, other), dict(bias_grad=True, activation="tanh")),
        ("bias_act_bwd", (x, other), dict(bias_grad=True, activation="none")),
    ]


@pytest.mark.parametrize("dtype", FLOATS)
def test_losses_and_linear_on_the_gpu_match_twins(cp, dtype):
    b = None
    for name, args, kwargs in _gpu_loss_cases(dtype):
        gpu_args = [cp.asarray(a) for a in args]
        gpu_kwargs = {k: cp.asarray(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
        b = b or backend_for(gpu_args[0])
        got = getattr(b, name)(*gpu_args, **gpu_kwargs)
        expected = reference.TWINS[name](np, *args, **kwargs)
        got = got if isinstance(got, tuple) else (got,)
        expected = expected if isinstance(expected, tuple) else (expected,)
        for i, (g, e) in enumerate(zip(got, expected)):
            assert (g is None) == (e is None), name
            if e is not None:
                assert isinstance(g, cp.ndarray), f"{name} output {i} stays on the GPU"
                np.testing.assert_allclose(host(g), e, rtol=2e-5 if dtype == np.float32 else 1e-12,
                                           atol=2e-5 if dtype == np.float32 else 1e-12, err_msg=f"{name} {i}")


def test_loss_errors_on_the_gpu(cp):
    x = cp.zeros((3, 4))
    b = backend_for(x)
    with pytest.raises(ValueError, match="binary_cross_entropy: all elements"):
        b.binary_cross_entropy_fwd(x + 2, x)
    # an out-of-range class is not read back from the GPU: its row comes out NaN
    loss = host(b.cross_entropy_fwd(x, target=cp.asarray([0, 4, 1])))
    assert np.isnan(loss[1]) and np.all(np.isfinite(loss[[0, 2]]))


def test_checkpoints_of_gpu_tensors_load_where_asked(cp, tmp_path):
    w = fg.tensor(signed(3, 4), device="cuda")
    fg.save({"w": w, "state": {"step": 3, "buf": cp.asarray(signed(2))}}, tmp_path / "gpu.npz")
    on_cpu = fg.load(tmp_path / "gpu.npz")
    assert isinstance(on_cpu["w"]._data, np.ndarray) and isinstance(on_cpu["state"]["buf"], np.ndarray)
    np.testing.assert_array_equal(on_cpu["w"]._data, host(w._data))
    on_gpu = fg.load(tmp_path / "gpu.npz", map_location="cuda")
    assert isinstance(on_gpu["w"]._data, cp.ndarray) and isinstance(on_gpu["state"]["buf"], cp.ndarray)
    np.testing.assert_array_equal(host(on_gpu["w"]._data), host(w._data))
    assert on_gpu["state"]["step"] == 3
