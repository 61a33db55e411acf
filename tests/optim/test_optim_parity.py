"""Every optimizer and option combination: fused C == reference twin == PyTorch over 100 steps.

Two parameter groups (the second with its own lr), parameters of shapes
0-d, small and odd, float32 and float64 (sizes around the OpenMP threshold:
test_optim_kernels.py).
"""
import numpy as np
import pytest

import fastgrad as fg
from optim_cases import cases

SHAPES = [(3, 4), (), (7,), (2, 3, 5), (257,)]
STEPS = 100
CASES = cases()


def _run_fastgrad(cls, kw, dtype, grads_seq, init, fused):
    """fused=False runs the reference twins (the unfused form)."""
    params = [fg.tensor(a.copy(), requires_grad=True) for a in init]
    opt = cls([{"params": params[:2]}, {"params": params[2:], "lr": kw["lr"] * 0.5}], **kw,
              **({} if fused else {"fused": False}))
    for grads in grads_seq:
        for p, g in zip(params, grads):
            p.grad = g.copy()
        opt.step()
    return [p.data for p in params]


def _problem(dtype, seed=0):
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    grads_seq = [[rng.standard_normal(s).astype(dtype) for s in SHAPES] for _ in range(STEPS)]
    return init, grads_seq


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_fused_matches_reference(case, dtype):
    _, cls, _, kw = case
    init, grads_seq = _problem(dtype)
    fused = _run_fastgrad(cls, kw, dtype, grads_seq, init, fused=True)
    ref = _run_fastgrad(cls, kw, dtype, grads_seq, init, fused=False)
    rtol = 1e-6 if dtype == np.float32 else 1e-12
    for a, b in zip(fused, ref):
        assert a.dtype == dtype
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_matches_pytorch(case, dtype):
    torch = pytest.importorskip("torch")
    _, cls, torch_name, kw = case
    init, grads_seq = _problem(dtype)
    ours = _run_fastgrad(cls, kw, dtype, grads_seq, init, fused=True)
    tparams = [torch.tensor(a.copy(), requires_grad=True) for a in init]
    topt = getattr(torch.optim, torch_name)(
        [{"params": tparams[:2]}, {"params": tparams[2:], "lr": kw["lr"] * 0.5}], **kw)
    for grads in grads_seq:
        for p, g in zip(tparams, grads):
            p.grad = torch.tensor(g)
        topt.step()
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for a, t in zip(ours, tparams):
        np.testing.assert_allclose(a, t.detach().numpy(), rtol=tol, atol=tol)
