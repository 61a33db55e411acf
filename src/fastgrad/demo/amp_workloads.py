"""The mixed-precision benchmark workloads (bench/bench_amp.py), each defined once.

The MLP training step of workloads.py under autocast (fastgrad.autocast in
bfloat16, PyTorch's torch.autocast("cpu", dtype=torch.bfloat16)), and the
GEMMs alone in bfloat16: through fastgrad's 16-bit GEMM entry point (operand
rounding included), as the linear layer runs them (each operand rounded once),
through oneDNN directly on operands already in bfloat16 (the floor), through
MKL's cblas_gemm_bf16bf16f32 likewise, and through PyTorch on bfloat16 tensors.
CPU only.
"""
import ctypes

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


def mlp_linear_bf16_gemms(sizes, batch):
    """The step's GEMMs as the linear layer runs them under autocast: x, W rounded once in the
    forward, gy once in the backward, and the backward's GEMMs on those copies."""
    from fastgrad.backend.gemm16 import gemm_rounded, rounded_operand, uses_onednn

    work = _step_gemm_operands(sizes, batch)

    def run():
        for i, (x, w, gy) in enumerate(work):
            bits = uses_onednn(x.shape[0] * x.shape[1] * w.shape[0], "bfloat16")
            x16, w16 = rounded_operand(x, "bfloat16", bits), rounded_operand(w, "bfloat16", bits)
            gemm_rounded(x16, w16.T)
            gy16 = rounded_operand(gy, "bfloat16", bits)
            if i > 0:
                gemm_rounded(gy16, w16)
            gemm_rounded(gy16.T, x16)

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


_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112  # CBLAS enum values


def mkl_bf16_gemm():
    """MKL's cblas_gemm_bf16bf16f32 through ctypes (LP64 integers), or None when the mkl
    package is not installed or its library lacks it."""
    from fastgrad.backend.blas import find_mkl_library

    path = find_mkl_library()
    if path is None:
        return None
    function = getattr(ctypes.CDLL(path), "cblas_gemm_bf16bf16f32", None)
    if function is None:
        return None
    i, p = ctypes.c_int, ctypes.c_void_p
    function.argtypes = [i, i, i, i, i, i, ctypes.c_float, p, i, p, i, ctypes.c_float, p, i]
    function.restype = None

    def product(a, b, out):
        """out = a @ b for bfloat16 bits a, b (C-contiguous or transposed views), float32 out."""
        def operand(m):
            if m.flags.c_contiguous:
                return m, _NO_TRANS, m.shape[1]
            return m.T, _TRANS, m.shape[0]  # a transposed view: its C-contiguous base
        (a_data, trans_a, lda), (b_data, trans_b, ldb) = operand(a), operand(b)
        function(_ROW_MAJOR, trans_a, trans_b, a.shape[0], b.shape[1], a.shape[1], 1.0, a_data.ctypes.data,
                 max(lda, 1), b_data.ctypes.data, max(ldb, 1), 0.0, out.ctypes.data, max(out.shape[1], 1))
        return out

    return product


def mlp_mkl_bf16_floor(sizes, batch, product):
    """The same GEMMs through MKL's bf16 GEMM (`product` from mkl_bf16_gemm) on operands already
    in bfloat16, into preallocated float32 outputs."""
    from fastgrad import _C

    work = []
    for x, w, gy in _step_gemm_operands(sizes, batch):
        work.append((_C.bf16_bits(x), _C.bf16_bits(w), _C.bf16_bits(gy), np.empty((x.shape[0], w.shape[0]), np.float32),
                     np.empty(x.shape, np.float32), np.empty(w.shape, np.float32)))

    def run():
        for i, (x, w, gy, out, gx, gw) in enumerate(work):
            product(x, w.T, out)
            if i > 0:
                product(gy, w, gx)
            product(gy.T, x, gw)

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
