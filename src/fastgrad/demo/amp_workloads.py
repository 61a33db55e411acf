"""The mixed-precision benchmark workloads (bench/bench_amp.py), each defined once.

The MLP training step of workloads.py under autocast (fastgrad.autocast in
bfloat16, PyTorch's torch.autocast("cpu", dtype=torch.bfloat16)), and the
GEMMs alone in bfloat16: through fastgrad's 16-bit GEMM entry point (operand
rounding included), through oneDNN directly on operands already in bfloat16
(the floor), and through PyTorch on bfloat16 tensors.  CPU only.
"""
import numpy as np

import fastgrad as fg

from .workloads import _nothing, _timed, fastgrad_mlp, mlp_problem, torch_mlp


def mlp_fastgrad_autocast(sizes, batch, dtype="bfloat16"):
    """One step (forward and loss under fastgrad.autocast, backward, Adam) of workloads' MLP."""
    from fastgrad import optim
    from fastgrad.nn import functional as F

    x, y, weights = mlp_problem(sizes, batch)
    model = fastgrad_mlp(weights)
    opt = optim.Adam(model.parameters(), lr=1e-3)
    xt, yt = fg.tensor(x), y

    def run():
        with fg.autocast("cpu", dtype=dtype):
            loss = F.cross_entropy(model(xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return _timed(run, _nothing, warm=True)


def mlp_torch_autocast(torch, sizes, batch):
    """The same step in PyTorch under torch.autocast("cpu", dtype=torch.bfloat16), default Adam."""
    x, y, weights = mlp_problem(sizes, batch)
    model = torch_mlp(torch, weights)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def run():
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = torch.nn.functional.cross_entropy(model(xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return _timed(run, _nothing, warm=True)


def _step_gemm_operands(sizes, batch):
    """Per layer (x, W, gy) of the step's GEMMs, float32, seeded as workloads.mlp_gemm_floor."""
    rng = np.random.default_rng(1)
    return [tuple(rng.standard_normal(shape).astype(np.float32)
                  for shape in ((batch, fan_in), (fan_out, fan_in), (batch, fan_out)))
            for fan_in, fan_out in zip(sizes[:-1], sizes[1:])]


def mlp_gemm16_floor(sizes, batch):
    """The step's GEMMs (y = x W^T, gx = gy W but not for the first layer, gW = gy^T x) through
    fastgrad's 16-bit GEMM entry point: bfloat16 rounding of the float32 operands included."""
    from fastgrad.backend.gemm16 import gemm16

    work = _step_gemm_operands(sizes, batch)

    def run():
        for i, (x, w, gy) in enumerate(work):
            gemm16(x, w.T, "bfloat16")
            if i > 0:
                gemm16(gy, w, "bfloat16")
            gemm16(gy.T, x, "bfloat16")

    return _timed(run, _nothing, warm=True)


def mlp_onednn_bf16_floor(sizes, batch):
    """The same GEMMs through oneDNN's bf16 matmul on operands already in bfloat16, into
    preallocated float32 outputs: the floor of a bf16 step.  Needs oneDNN loaded."""
    from fastgrad import _C

    def bits(a):
        return _C.bf16_bits(a)

    work = []
    for x, w, gy in _step_gemm_operands(sizes, batch):
        work.append((bits(x), bits(w), bits(gy), np.empty((x.shape[0], w.shape[0]), np.float32),
                     np.empty(x.shape, np.float32), np.empty(w.shape, np.float32)))

    def run():
        for i, (x, w, gy, out, gx, gw) in enumerate(work):
            _C.gemm_bf16(x, w.T, out)
            if i > 0:
                _C.gemm_bf16(gy, w, gx)
            _C.gemm_bf16(gy.T, x, gw)

    return _timed(run, _nothing, warm=True)


def mlp_torch_bf16_floor(torch, sizes, batch):
    """The same GEMMs in PyTorch on bfloat16 tensors (its oneDNN), bfloat16 outputs."""
    work = [tuple(torch.from_numpy(a).to(torch.bfloat16) for a in operands)
            for operands in _step_gemm_operands(sizes, batch)]

    def run():
        for i, (x, w, gy) in enumerate(work):
            torch.matmul(x, w.T)
            if i > 0:
                torch.matmul(gy, w)
            torch.matmul(gy.T, x)

    return _timed(run, _nothing, warm=True)
