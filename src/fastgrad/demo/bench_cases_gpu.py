"""The workloads of `fastgrad bench --device cuda`: fastgrad on CuPy beside PyTorch CUDA.

Every timed call ends with a device synchronisation, so a time is the GPU's
work and not the launch. The floor of the elementwise and optimizer cases is a
device-to-device copy of the same arrays, scaled to the bytes the work must
move. PyTorch's column is empty unless its build has CUDA.
"""
import numpy as np

import fastgrad as fg

from .bench_cases import Case, _count, _torch


def _cupy_on(device):
    import cupy

    index = int(device.split(":", 1)[1]) if ":" in device else 0
    cupy.cuda.Device(index).use()
    return cupy


def _torch_cuda(device):
    torch = _torch()
    if torch is None or not torch.cuda.is_available():
        return None, None
    return torch, torch.device(device)


def _device_copy(cp, n):
    src = cp.ones(n, cp.float32)
    dst = cp.empty_like(src)
    sync = cp.cuda.Device().synchronize

    def run():
        cp.copyto(dst, src)
        sync()
    return run


def activation_case(device, name, n):
    """Forward and backward of sigmoid or relu on n float32 values on the GPU."""
    cp = _cupy_on(device)
    sync = cp.cuda.Device().synchronize
    data = cp.random.default_rng(0).standard_normal(n, dtype=cp.float32)
    x_fg = fg.tensor(data, requires_grad=True)

    def fastgrad_run():
        y = x_fg.sigmoid() if name == "sigmoid" else x_fg.relu()
        y.sum().backward()
        x_fg.grad = None
        sync()

    torch, dev = _torch_cuda(device)
    torch_run = None
    if torch is not None:
        x_t = torch.randn(n, device=dev, requires_grad=True)

        def torch_run():
            y = torch.sigmoid(x_t) if name == "sigmoid" else torch.relu(x_t)
            y.sum().backward()
            x_t.grad = None
            torch.cuda.synchronize()

    return Case(f"{name} fwd+bwd, {_count(n)} float32, GPU", fastgrad_run, None, "NumPy", torch_run,
                _device_copy(cp, n), 16 / 8, "16 B/elem at device-copy speed")


def adam_case(device, n):
    """One Adam step (lr 1e-3) over one float32 tensor of n values on the GPU."""
    from fastgrad import optim

    cp = _cupy_on(device)
    sync = cp.cuda.Device().synchronize
    rng = cp.random.default_rng(0)
    p = fg.tensor(rng.standard_normal(n, dtype=cp.float32), requires_grad=True)
    p.grad = rng.standard_normal(n, dtype=cp.float32)
    opt = optim.Adam([p], lr=1e-3)

    def fastgrad_run():
        opt.step()
        sync()

    torch, dev = _torch_cuda(device)
    torch_run = None
    if torch is not None:
        p_t = torch.randn(n, device=dev, requires_grad=True)
        p_t.grad = torch.randn(n, device=dev)
        t_opt = torch.optim.Adam([p_t], lr=1e-3, fused=True)

        def torch_run():
            t_opt.step()
            torch.cuda.synchronize()

    return Case(f"Adam step, {_count(n)} float32, GPU", fastgrad_run, None, "NumPy", torch_run,
                _device_copy(cp, n), 28 / 8, "28 B/param at device-copy speed")


def mlp_case(device, sizes, batch):
    """One training step (MLP with ReLU, cross-entropy, Adam), float32, on the GPU."""
    from fastgrad import nn, optim
    from fastgrad.nn import functional as F

    cp = _cupy_on(device)
    sync = cp.cuda.Device().synchronize
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], size=batch)
    fg.manual_seed(0)
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(fan_in, fan_out))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers).to(device)
    opt = optim.Adam(model.parameters(), lr=1e-3)
    x_fg, y_fg = fg.tensor(x, device=device), fg.tensor(y, device=device)

    def fastgrad_run():
        loss = F.cross_entropy(model(x_fg), y_fg)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sync()

    torch, dev = _torch_cuda(device)
    torch_run = None
    if torch is not None:
        t_layers = []
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            t_layers.append(torch.nn.Linear(fan_in, fan_out))
            if i < len(sizes) - 2:
                t_layers.append(torch.nn.ReLU())
        t_model = torch.nn.Sequential(*t_layers).to(dev)
        t_opt = torch.optim.Adam(t_model.parameters(), lr=1e-3, fused=True)
        x_t, y_t = torch.from_numpy(x).to(dev), torch.from_numpy(y).to(dev)

        def torch_run():
            loss = torch.nn.functional.cross_entropy(t_model(x_t), y_t)
            t_opt.zero_grad()
            loss.backward()
            t_opt.step()
            torch.cuda.synchronize()

    shape = "-".join(str(s) for s in sizes)
    return Case(f"MLP {shape}, batch {batch}, Adam step, GPU", fastgrad_run, None, "NumPy", torch_run)


def all_cases(device, quick=False):
    """(key, builder) pairs for the GPU table; quick uses small sizes."""
    big = 1_000_000 if quick else 100_000_000
    medium, large = ([32, 16, 8, 4], [64, 32, 32, 4]) if quick else ([784, 512, 256, 10], [784, 1024, 1024, 10])
    return [
        ("sigmoid", lambda: activation_case(device, "sigmoid", big)),
        ("relu", lambda: activation_case(device, "relu", big)),
        ("adam", lambda: adam_case(device, big)),
        ("mlp-medium", lambda: mlp_case(device, medium, 8 if quick else 128)),
        ("mlp-large", lambda: mlp_case(device, large, 16 if quick else 1024)),
    ]
