"""The benchmark workloads, each defined once.

Every function returns a callable that runs one timed unit of work for one
peer (fastgrad, plain NumPy, PyTorch, or the floor: the least time the work
can take), on inputs built from the same seeds, so the peers of a workload see
identical data.  `fastgrad bench` (demo/bench_cases.py) and the
pytest-benchmark suites in bench/ both time these callables.

`device` is "cpu" or "cuda" / "cuda:N" (fastgrad on CuPy, PyTorch CUDA); on a
GPU every call ends with a synchronisation, so a time is the device's work
and not the launch.  `torch` is the imported module: callers decide what to
do when it is absent.
"""
import numpy as np

import fastgrad as fg


def _nothing():
    pass


def on_device(device):
    """(xp, sync): NumPy and nothing to wait for, or CuPy on that GPU and its synchronize."""
    if device == "cpu":
        return np, _nothing
    import cupy

    cupy.cuda.Device(int(device.split(":", 1)[1]) if ":" in device else 0).use()
    return cupy, cupy.cuda.Device().synchronize


def _torch_sync(torch, device):
    return _nothing if device == "cpu" else torch.cuda.synchronize


def _timed(fn, sync, warm=False):
    """fn, followed by sync on a GPU; with warm=True called once first, so that
    allocations of a first call (optimizer state, GEMM plans) fall outside the timing."""
    def synced():
        fn()
        sync()

    run = fn if sync is _nothing else synced
    if warm:
        run()
    return run


# ---- per-op overhead: 2 * steps ops (x = x * 1.01 + 0.1) on shape (16,), then backward ----

def _chain(x0, steps):
    """The same loop for fastgrad and PyTorch: both spell it alike."""
    def run():
        x = x0
        for _ in range(steps):
            x = x * 1.01 + 0.1
        x.sum().backward()
        x0.grad = None

    return run


def overhead_fastgrad(steps):
    return _chain(fg.tensor(np.ones(16, np.float32), requires_grad=True), steps)


def overhead_torch(torch, steps):
    return _chain(torch.ones(16, requires_grad=True), steps)


def overhead_numpy(steps):
    """The forward alone in NumPy: the floor of the per-op work."""
    x0 = np.ones(16, np.float32)

    def run():
        x = x0
        for _ in range(steps):
            x = x * np.float32(1.01) + np.float32(0.1)
        return x.sum()

    return run


# ---- activation forward + backward: y = act(x); y.backward(g) on n float32 ----

def activation_inputs(n):
    rng = np.random.default_rng(0)
    return rng.standard_normal(n, dtype=np.float32) * 3, rng.standard_normal(n, dtype=np.float32)


def activation_fastgrad(name, n, device="cpu"):
    xp, sync = on_device(device)
    x, g = (xp.asarray(a) for a in activation_inputs(n))
    t = fg.tensor(x, requires_grad=True)
    fn = getattr(fg, name)

    def run():
        fn(t).backward(g)
        t.grad = None

    return _timed(run, sync)


def activation_torch(torch, name, n, device="cpu"):
    x, g = activation_inputs(n)
    t = torch.from_numpy(x).to(device).requires_grad_()
    tg = torch.from_numpy(g).to(device)
    fn = getattr(torch, name)

    def run():
        fn(t).backward(tg)
        t.grad = None

    return _timed(run, _torch_sync(torch, device))


def activation_numpy(name, n):
    """The same arithmetic with NumPy ufuncs (fresh outputs)."""
    x, g = activation_inputs(n)
    if name == "sigmoid":
        def run():
            y = 1 / (1 + np.exp(-x))
            return g * y * (1 - y)
    else:
        def run():
            y = np.maximum(x, 0)
            return np.where(y > 0, g, 0)
    return run


ACTIVATION_BYTES_PER_ELEMENT = 20  # fwd reads x, writes y; bwd reads g and y (or x), writes gx: 5 x 4 B


def activation_floor(n, device="cpu"):
    """The least time forward + backward of an activation on n float32 can take: moving the
    20 bytes per element it must move at the rate the machine streams memory.

    On the CPU: one in-place pass (each byte read once and written once, with none of the
    write-allocate reads a fresh output costs) over 2.5 float32 per element, through
    fastgrad's threads (the pass multiplies by 1.0).  On a GPU: a device copy of as many
    bytes.  Timed in the same run as the peers, so it is a lower bound measured, not assumed."""
    xp, sync = on_device(device)
    count = n * ACTIVATION_BYTES_PER_ELEMENT // 8
    if device == "cpu":
        from fastgrad import _C

        buf = [np.ones(count, dtype=np.float32)]
        return lambda: _C.scale_(buf, 1.0)
    src = xp.ones(count, dtype=xp.float32)  # a copy reads and writes: 8 B per float32
    dst = xp.empty_like(src)
    return _timed(lambda: xp.copyto(dst, src), sync, warm=True)


# ---- one Adam step (lr 1e-3) over float32 tensors of the given sizes ----

def adam_inputs(sizes, seed=0):
    rng = np.random.default_rng(seed)
    return ([rng.standard_normal(n, dtype=np.float32) for n in sizes],
            [rng.standard_normal(n, dtype=np.float32) for n in sizes])


def adam_fastgrad(sizes, device="cpu"):
    from fastgrad import optim

    xp, sync = on_device(device)
    data, grads = adam_inputs(sizes)
    params = [fg.tensor(xp.asarray(d), requires_grad=True) for d in data]
    for p, g in zip(params, grads):
        p.grad = xp.asarray(g)
    opt = optim.Adam(params, lr=1e-3)
    return _timed(opt.step, sync, warm=True)


def adam_torch(torch, sizes, mode="fused", device="cpu"):
    """mode: 'fused', 'foreach' or 'single-tensor' (PyTorch's implementations)."""
    data, grads = adam_inputs(sizes)
    params = [torch.from_numpy(d).to(device).requires_grad_() for d in data]
    for p, g in zip(params, grads):
        p.grad = torch.from_numpy(g).to(device)
    kwargs = {"fused": dict(fused=True), "foreach": dict(foreach=True), "single-tensor": dict(foreach=False)}[mode]
    opt = torch.optim.Adam(params, lr=1e-3, **kwargs)
    return _timed(opt.step, _torch_sync(torch, device), warm=True)


def adam_numpy(sizes):
    """The textbook update, one NumPy expression per line."""
    params, grads = adam_inputs(sizes)
    state = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
    step = [0]

    def run():
        step[0] += 1
        t = step[0]
        for p, g, (m, v) in zip(params, grads, state):
            m[:] = 0.9 * m + 0.1 * g
            v[:] = 0.999 * v + 0.001 * g * g
            p[:] = p - 1e-3 * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)

    return run


def adam_floor(sizes, device="cpu"):
    """Adam reads p, g, m, v and writes p, m, v: 28 bytes per parameter.  An in-place pass
    over 3.5 float32 per parameter (CPU, fastgrad's threads) or a device copy of as many
    (GPU) moves the same bytes: the time no Adam step can beat."""
    xp, sync = on_device(device)
    n = sum(sizes) * 7 // 2
    if device == "cpu":
        from fastgrad import _C

        buf = [np.ones(n, dtype=np.float32)]
        return lambda: _C.scale_(buf, 1.0)
    src = xp.ones(n, dtype=xp.float32)
    dst = xp.empty_like(src)
    return _timed(lambda: xp.copyto(dst, src), sync, warm=True)


# ---- one MLP training step: Linear/ReLU layers, cross-entropy, Adam, float32 ----

# The MLP workloads of the benchmarks, (layer sizes, batch): T2 small, T3 medium, T4 large.
MLPS = {"T2": ((64, 32, 10), 32), "T3": ((784, 512, 256, 10), 128), "T4": ((784, 1024, 1024, 10), 1024)}

def mlp_name(sizes, batch):
    return f"MLP {'-'.join(map(str, sizes))}, batch {batch}, Adam, float32"


def mlp_problem(sizes, batch):
    """Inputs, integer targets and PyTorch-style initial (weight, bias) pairs, seeded."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], batch)
    weights = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(fan_in)
        weights.append((rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32),
                        rng.uniform(-bound, bound, fan_out).astype(np.float32)))
    return x, y, weights


def fastgrad_mlp(weights):
    """fastgrad Linear/ReLU layers holding the given weights."""
    from fastgrad import nn

    layers = []
    for i, (w, b) in enumerate(weights):
        lin = nn.Linear(w.shape[1], w.shape[0])
        lin.weight._data[...] = w
        lin.bias._data[...] = b
        layers.append(lin)
        if i < len(weights) - 1:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def torch_mlp(torch, weights):
    """The same model in PyTorch."""
    layers = []
    for i, (w, b) in enumerate(weights):
        lin = torch.nn.Linear(w.shape[1], w.shape[0])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w))
            lin.bias.copy_(torch.from_numpy(b))
        layers.append(lin)
        if i < len(weights) - 1:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def mlp_fastgrad(sizes, batch, device="cpu"):
    from fastgrad import optim
    from fastgrad.nn import functional as F

    xp, sync = on_device(device)
    x, y, weights = mlp_problem(sizes, batch)
    model = fastgrad_mlp(weights)
    if device != "cpu":
        model = model.to(device)
    opt = optim.Adam(model.parameters(), lr=1e-3)
    xt, yt = fg.tensor(xp.asarray(x)), xp.asarray(y)

    def run():
        loss = F.cross_entropy(model(xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return _timed(run, sync, warm=True)


def mlp_torch(torch, sizes, batch, adam="default", device="cpu"):
    """adam: 'default' or 'fused' (PyTorch's Adam implementations)."""
    x, y, weights = mlp_problem(sizes, batch)
    model = torch_mlp(torch, weights).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, **({"fused": True} if adam == "fused" else {}))
    xt, yt = torch.from_numpy(x).to(device), torch.from_numpy(y).to(device)

    def run():
        loss = torch.nn.functional.cross_entropy(model(xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return _timed(run, _torch_sync(torch, device), warm=True)


def mlp_numpy(sizes, batch):
    """The step written by hand in NumPy."""
    x, y, weights = mlp_problem(sizes, batch)
    return NumpyMLP([w.copy() for w, _ in weights], [b.copy() for _, b in weights], x, y).step


def mlp_gemm_floor(sizes, batch, device="cpu"):
    """The step's GEMMs alone, into preallocated outputs on the CPU: per layer y = x W^T,
    gW = gy^T x, and gx = gy W (not for the first layer, whose input needs no gradient).
    fastgrad's GEMM entry point (the BLAS fastgrad uses) on the CPU, cuBLAS on a GPU."""
    from fastgrad.backend.gemm import gemm

    xp, sync = on_device(device)
    rng = np.random.default_rng(1)
    work = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        x, w, gy = (xp.asarray(rng.standard_normal(shape).astype(np.float32))
                    for shape in ((batch, fan_in), (fan_out, fan_in), (batch, fan_out)))
        work.append((x, w, gy, xp.empty((batch, fan_out), xp.float32), xp.empty((batch, fan_in), xp.float32),
                     xp.empty((fan_out, fan_in), xp.float32)))
    product = gemm if device == "cpu" else _cupy_gemm(xp)

    def run():
        for i, (x, w, gy, out, gx, gw) in enumerate(work):
            product(x, w, out=out, trans_b=True)
            if i > 0:
                product(gy, w, out=gx)
            product(gy, x, out=gw, trans_a=True)

    return _timed(run, sync, warm=True)


def _cupy_gemm(cp):
    def product(a, b, out, trans_a=False, trans_b=False):
        cp.matmul(a.T if trans_a else a, b.T if trans_b else b, out=out)
    return product


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
