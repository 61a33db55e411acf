"""CupyBackend end to end on the CPU: training steps through the ops, nn and optim.

The CuPy backend is put in the NumPy backend's place, its kernels run from
their own source compiled for the CPU (kernel_emulator.py) and NumPy stands
in for the cupy namespace.  This checks everything between the ops and the
kernels that the GPU path uses (argument names, keyword options, shapes,
the per-parameter optimizer kernels) on machines without a GPU; the GPU
itself is tested in test_cupy_backend.py.
"""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.autograd._graph as graph
import fastgrad.backend as backend_module
from fastgrad import nn, optim
from fastgrad.backend import cupy_backend, cupy_kernels
from fastgrad.backend.cupy_kernels import linear, losses
from fastgrad.nn import functional as F
from fastgrad.optim import _lists as optim_lists

kernel_emulator = pytest.importorskip("kernel_emulator")

if kernel_emulator.compiler() is None:
    pytest.skip("no C++ compiler to run the CuPy kernel sources on the CPU", allow_module_level=True)


@pytest.fixture(scope="module")
def emulator():
    return kernel_emulator.Emulator(cupy_kernels.KERNELS.values())


@pytest.fixture
def cupy_backend_in_numpys_place(emulator, monkeypatch):
    """Every op on NumPy arrays runs through a CupyBackend; returns the names of the kernels called."""
    for k in cupy_kernels.KERNELS.values():
        monkeypatch.setattr(k, "_kernel", (lambda kernel: (lambda *a, **kw: emulator(kernel, *a, **kw)))(k))
    monkeypatch.setattr(losses, "_cupy", lambda: np)
    monkeypatch.setattr(linear, "_empty_like", np.empty_like)
    monkeypatch.setattr(cupy_backend, "_HOST_ARRAYS", ())
    backend = cupy_backend.CupyBackend(np)
    called = []
    for name in cupy_kernels.FUNCTIONS:
        method = getattr(backend, name)
        setattr(backend, name, (lambda n, f: lambda *a, **kw: (called.append(n), f(*a, **kw))[1])(name, method))
    monkeypatch.setattr(graph, "NUMPY", backend)
    monkeypatch.setitem(backend_module._by_type, np.ndarray, backend)
    monkeypatch.setattr(optim_lists, "FUSED_DTYPES", ())  # the backend's steps, as for CuPy arrays
    return called


def train(opt_name, steps=3):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 20)).astype(np.float32)
    y = rng.integers(0, 5, 16)
    goal = np.full((16, 5), 0.2, np.float32)
    fg.manual_seed(0)
    model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 5))
    kwargs = {"SGD": dict(lr=0.05, momentum=0.9, nesterov=True), "RMSprop": dict(lr=1e-3, centered=True)}
    opt = getattr(optim, opt_name)(model.parameters(), **kwargs.get(opt_name, dict(lr=1e-2)))
    seen = []
    for _ in range(steps):
        out = model(fg.tensor(x))
        loss = F.cross_entropy(out, y, label_smoothing=0.1) + F.mse_loss(out.sigmoid(), fg.tensor(goal))
        opt.zero_grad()
        loss.backward()
        opt.step()
        seen.append(loss.item())
    return seen, [p._data.copy() for p in model.parameters()]


@pytest.mark.parametrize("opt_name", ["Adam", "AdamW", "SGD", "RMSprop", "Adagrad", "NAdam", "RAdam", "Adamax",
                                     "Adadelta", "Rprop", "ASGD"])
def test_training_through_the_cupy_backend_matches_numpy(request, opt_name):
    expected_losses, expected_params = train(opt_name)
    called = request.getfixturevalue("cupy_backend_in_numpys_place")
    got_losses, got_params = train(opt_name)
    np.testing.assert_allclose(got_losses, expected_losses, rtol=1e-5)
    for got, expected in zip(got_params, expected_params):
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
    step = {"AdamW": "adam_step", "RMSprop": "rmsprop_step"}.get(opt_name, opt_name.lower() + "_step")
    # (the ReLU after the first Linear runs in its bias_act pass: nn.Sequential fuses the pair)
    for name in ("bias_act_fwd", "bias_act_bwd", "tanh_fwd", "tanh_bwd", "sigmoid_fwd",
                 "cross_entropy_fwd", "cross_entropy_bwd", "mse_loss_fwd", "mse_loss_bwd", step):
        assert name in called, f"the step did not go through the CuPy kernel {name}"


def _jitted_training(steps, jit):
    """The step of `train` (Adam) under fastgrad.jit or eagerly: (losses, parameters, the step)."""
    rng = np.random.default_rng(1)
    fg.manual_seed(0)
    model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 5))
    opt = optim.Adam(model.parameters(), lr=1e-2)

    def step(x, y, goal):
        out = model(x)
        loss = F.cross_entropy(out, y, label_smoothing=0.1) + F.mse_loss(out.sigmoid(), goal)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    run = fg.jit(step) if jit else step
    losses = []
    for _ in range(steps):
        x = fg.tensor(rng.standard_normal((16, 20)).astype(np.float32))
        y = fg.tensor(rng.integers(0, 5, 16))
        goal = fg.tensor(np.full((16, 5), 0.2, np.float32))
        losses.append(run(x, y, goal)._data)
    return losses, [p._data.copy() for p in model.parameters()], run


def test_jitted_training_through_the_cupy_backend_equals_eager_bit_for_bit(request):
    called = request.getfixturevalue("cupy_backend_in_numpys_place")
    eager_losses, eager_params, _ = _jitted_training(12, jit=False)
    called.clear()
    jit_losses, jit_params, run = _jitted_training(12, jit=True)
    assert run.recordings == 2 and run.cache_len() == 1
    assert run.plans() == [], "a recording made through the CuPy backend replays step by step"
    for got, expected in zip(jit_losses + jit_params, eager_losses + eager_params):
        assert np.array_equal(got, expected)
    # the replays (10 of the 12 calls) ran the CuPy backend's kernels: 10 more calls than 2 recordings
    assert called.count("cross_entropy_bwd") == 12 and called.count("adam_step") == 12
