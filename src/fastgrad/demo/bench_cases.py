"""The workloads of `fastgrad bench`: short versions of the groups in bench/.

Each case gives one callable per peer on identical inputs (fastgrad, plain
NumPy, PyTorch when installed) and, where one exists, a floor: the least time
the work can take, timed beside them (a plain copy scaled to the bytes the work
must move, or the bare GEMMs of a training step in NumPy's BLAS).
"""
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

import fastgrad as fg

from .bench_timing import parallel_copy
from .optional import optional_import


@dataclass
class Case:
    name: str
    fastgrad: Callable
    numpy: Optional[Callable] = None
    numpy_label: str = "NumPy"
    torch: Optional[Callable] = None
    floor: Optional[Callable] = None     # timed like the peers ...
    floor_scale: float = 1.0             # ... and its time multiplied by this
    floor_label: str = ""


def copy_of(n):
    """A plain copy of n float32 values into an existing array (8 bytes moved per value),
    split over fastgrad's thread count."""
    src = np.ones(n, np.float32)
    dst = np.empty_like(src)
    return parallel_copy(dst, src, fg.get_num_threads())


def _torch():
    return optional_import("torch")


def overhead_case(steps=100):
    """200 ops (`x = x * 1.01 + 0.1`, 100 times) on shape (16,), then backward."""
    def fastgrad_run():
        x = x_fg
        for _ in range(steps):
            x = x * 1.01 + 0.1
        x.sum().backward()
        x_fg.grad = None

    def numpy_run():
        x = x_np
        for _ in range(steps):
            x = x * np.float32(1.01) + np.float32(0.1)
        return x.sum()

    x_fg = fg.tensor(np.ones(16, np.float32), requires_grad=True)
    x_np = np.ones(16, np.float32)
    torch = _torch()
    torch_run = None
    if torch is not None:
        x_t = torch.ones(16, requires_grad=True)

        def torch_run():
            x = x_t
            for _ in range(steps):
                x = x * 1.01 + 0.1
            x.sum().backward()
            x_t.grad = None

    return Case(f"per-op overhead: {2 * steps} ops on (16,), fwd+bwd", fastgrad_run, numpy_run,
                "NumPy (fwd only)", torch_run)


def activation_case(name, n):
    """Forward and backward of sigmoid or relu on n float32 values."""
    data = np.random.default_rng(0).standard_normal(n).astype(np.float32)
    x_fg = fg.tensor(data, requires_grad=True)

    def fastgrad_run():
        y = x_fg.sigmoid() if name == "sigmoid" else x_fg.relu()
        y.sum().backward()
        x_fg.grad = None

    ones = np.ones(n, np.float32)

    def numpy_run():
        if name == "sigmoid":
            y = 1 / (1 + np.exp(-data))
            return ones * y * (1 - y)
        y = np.maximum(data, 0)
        return ones * (data > 0)

    torch = _torch()
    torch_run = None
    if torch is not None:
        x_t = torch.from_numpy(data.copy()).requires_grad_()

        def torch_run():
            y = torch.sigmoid(x_t) if name == "sigmoid" else torch.relu(x_t)
            y.sum().backward()
            x_t.grad = None

    return Case(f"{name} fwd+bwd, {_count(n)} float32", fastgrad_run, numpy_run, "NumPy", torch_run,
                copy_of(n), 16 / 8, "16 B/elem at copy speed")


def adam_case(sizes):
    """One Adam step (lr 1e-3) over float32 tensors of the given sizes, gradients in place."""
    from fastgrad import optim

    rng = np.random.default_rng(0)
    params = [fg.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True) for s in sizes]
    for p in params:
        p.grad = rng.standard_normal(p.shape).astype(np.float32)
    opt = optim.Adam(params, lr=1e-3)

    np_params = [p.data.copy() for p in params]
    np_grads = [p.grad.copy() for p in params]
    np_state = [[np.zeros_like(p), np.zeros_like(p)] for p in np_params]
    step = [0]

    def numpy_run():  # the textbook update, one expression per line
        step[0] += 1
        b1, b2, lr, eps = 0.9, 0.999, 1e-3, 1e-8
        for p, g, (m, v) in zip(np_params, np_grads, np_state):
            m[:] = b1 * m + (1 - b1) * g
            v[:] = b2 * v + (1 - b2) * g * g
            m_hat = m / (1 - b1 ** step[0])
            v_hat = v / (1 - b2 ** step[0])
            p -= lr * m_hat / (np.sqrt(v_hat) + eps)

    torch = _torch()
    torch_run = None
    if torch is not None:
        t_params = [torch.from_numpy(p.data.copy()).requires_grad_() for p in params]
        for p, g in zip(t_params, np_grads):
            p.grad = torch.from_numpy(g.copy())
        try:
            t_opt = torch.optim.Adam(t_params, lr=1e-3, fused=True)
        except (RuntimeError, TypeError, ValueError):
            t_opt = torch.optim.Adam(t_params, lr=1e-3)
        torch_run = t_opt.step

    total = sum(sizes)
    label = f"{_count(sizes[0])} float32" if len(sizes) == 1 else f"{len(sizes)} x {_count(sizes[0])} float32"
    return Case(f"Adam step, {label}", opt.step, numpy_run, "NumPy", torch_run,
                copy_of(total), 28 / 8, "28 B/param at copy speed")


def _mlp_layers(sizes):
    return list(zip(sizes[:-1], sizes[1:]))


def mlp_case(sizes, batch, with_floor):
    """One training step: MLP (ReLU between layers), cross-entropy, Adam, float32."""
    from fastgrad import nn, optim
    from fastgrad.nn import functional as F

    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], batch)
    layers = []
    for i, (fan_in, fan_out) in enumerate(_mlp_layers(sizes)):
        layers.append(nn.Linear(fan_in, fan_out))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    opt = optim.Adam(model.parameters(), lr=1e-3)
    x_fg, y_fg = fg.tensor(x), fg.tensor(y)

    def fastgrad_run():
        loss = F.cross_entropy(model(x_fg), y_fg)
        opt.zero_grad()
        loss.backward()
        opt.step()

    weights = [np.asarray(m.weight.data).copy() for m in layers if hasattr(m, "weight")]
    biases = [np.asarray(m.bias.data).copy() for m in layers if hasattr(m, "weight")]
    numpy_run = NumpyMLP(weights, biases, x, y).step

    torch = _torch()
    torch_run = None
    if torch is not None:
        t_layers = []
        for i, (w, b) in enumerate(zip(weights, biases)):
            lin = torch.nn.Linear(w.shape[1], w.shape[0])
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(w))
                lin.bias.copy_(torch.from_numpy(b))
            t_layers.append(lin)
            if i < len(weights) - 1:
                t_layers.append(torch.nn.ReLU())
        t_model = torch.nn.Sequential(*t_layers)
        t_opt = torch.optim.Adam(t_model.parameters(), lr=1e-3)
        x_t, y_t = torch.from_numpy(x), torch.from_numpy(y)

        def torch_run():
            loss = torch.nn.functional.cross_entropy(t_model(x_t), y_t)
            t_opt.zero_grad()
            loss.backward()
            t_opt.step()

    floor = gemm_floor_calls(sizes, batch) if with_floor else None
    shape = "-".join(str(s) for s in sizes)
    return Case(f"MLP {shape}, batch {batch}, Adam step", fastgrad_run, numpy_run,
                "NumPy (by hand)", torch_run, floor, 1.0, "its GEMMs alone, NumPy BLAS")


def gemm_floor_calls(sizes, batch):
    """The GEMMs of one step: per layer X W^T, G^T X, and G W (not for the first layer)."""
    rng = np.random.default_rng(1)
    acts = [rng.standard_normal((batch, s)).astype(np.float32) for s in sizes]
    ws = [rng.standard_normal((o, i)).astype(np.float32) for i, o in _mlp_layers(sizes)]
    dws = [np.empty_like(w) for w in ws]
    dxs = [np.empty_like(a) for a in acts[:-1]]
    outs = [np.empty_like(a) for a in acts[1:]]

    def run():
        for layer, w in enumerate(ws):
            np.matmul(acts[layer], w.T, out=outs[layer])
            np.matmul(acts[layer + 1].T, acts[layer], out=dws[layer])
            if layer:
                np.matmul(acts[layer + 1], w, out=dxs[layer])

    return run


class NumpyMLP:
    """A hand-written MLP step in NumPy: forward, softmax cross-entropy, backward, Adam."""

    def __init__(self, weights, biases, x, y, lr=1e-3):
        self.params = [a for pair in zip(weights, biases) for a in pair]
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.x, self.y, self.lr, self.t = x, y, lr, 0

    def step(self):
        ws, bs = self.params[0::2], self.params[1::2]
        acts = [self.x]
        for i, (w, b) in enumerate(zip(ws, bs)):
            z = acts[-1] @ w.T + b
            acts.append(np.maximum(z, 0) if i < len(ws) - 1 else z)
        logits = acts[-1]
        shifted = logits - logits.max(axis=1, keepdims=True)
        probs = np.exp(shifted)
        probs /= probs.sum(axis=1, keepdims=True)
        g = probs
        g[np.arange(len(self.y)), self.y] -= 1
        g /= len(self.y)
        grads = [None] * len(self.params)
        for i in reversed(range(len(ws))):
            grads[2 * i] = g.T @ acts[i]
            grads[2 * i + 1] = g.sum(axis=0)
            if i:
                g = (g @ ws[i]) * (acts[i] > 0)
        self.t += 1
        for p, grad, m, v in zip(self.params, grads, self.m, self.v):
            m *= 0.9
            m += 0.1 * grad
            v *= 0.999
            v += 0.001 * grad * grad
            p -= self.lr * (m / (1 - 0.9 ** self.t)) / (np.sqrt(v / (1 - 0.999 ** self.t)) + 1e-8)


def _count(n):
    for div, unit in ((1_000_000, "M"), (1_000, "k")):
        if n >= div and n % div == 0:
            return f"{n // div}{unit}"
    return str(n)


def all_cases(quick=False):
    """(key, builder) pairs in table order; quick uses tiny sizes (for tests)."""
    act, adam_one, adam_many = (4096, [4096], [256] * 4) if quick else (1_000_000, [1_000_000], [10_000] * 100)
    medium, batch = ([32, 16, 8, 4], 8) if quick else ([784, 512, 256, 10], 128)
    return [
        ("overhead", lambda: overhead_case(steps=10 if quick else 100)),
        ("sigmoid", lambda: activation_case("sigmoid", act)),
        ("relu", lambda: activation_case("relu", act)),
        ("adam", lambda: adam_case(adam_one)),
        ("adam-many", lambda: adam_case(adam_many)),
        ("mlp-small", lambda: mlp_case([64, 32, 10], 32, with_floor=False)),
        ("mlp-medium", lambda: mlp_case(medium, batch, with_floor=True)),
    ]
