"""fastgrad.amp.custom_fwd / custom_bwd with fastgrad.autograd.Function under autocast (the autocast
state forward and backward run in, cast_inputs, gradients against a plain float32 product and
against PyTorch's same Function), and is_autocast_available."""
import numpy as np
import pytest

import fastgrad as fg

from .conftest import round16


def _matmul_function(amp, function_base, cast_inputs=None, log=None):
    """A custom matmul whose forward and backward note whether autocast was on when they ran."""
    class Matmul(function_base):
        @staticmethod
        @amp.custom_fwd(device_type="cpu", cast_inputs=cast_inputs)
        def forward(ctx, a, b):
            if log is not None:
                log.append(("forward", amp.is_autocast_enabled("cpu"), a.dtype))
            ctx.save_for_backward(a, b)
            return a @ b

        @staticmethod
        @amp.custom_bwd(device_type="cpu")
        def backward(ctx, g):
            if log is not None:
                log.append(("backward", amp.is_autocast_enabled("cpu"), g.dtype))
            a, b = ctx.saved_tensors
            return g @ b.mT, a.mT @ g
    return Matmul


def _operands(rng, dtype=np.float32):
    a = fg.tensor(rng.standard_normal((6, 5)).astype(dtype), requires_grad=True)
    b = fg.tensor(rng.standard_normal((5, 4)).astype(dtype), requires_grad=True)
    return a, b


def test_backward_runs_in_the_autocast_state_of_forward(rng):
    log = []
    matmul = _matmul_function(fg.amp, fg.autograd.Function, log=log)
    a, b = _operands(rng)
    with fg.autocast("cpu", dtype="bfloat16"):
        y = matmul.apply(a, b)
    y.sum().backward()                               # outside the block
    assert log == [("forward", True, np.float32), ("backward", True, np.float32)]
    rounded = round16(a._data, "bfloat16") @ round16(b._data, "bfloat16")
    np.testing.assert_allclose(y.numpy(), rounded, rtol=1e-6, atol=1e-6)
    log.clear()
    z = matmul.apply(a, b)                           # no autocast: neither runs under it
    with fg.autocast("cpu"):
        z.sum().backward()                           # even when backward is called inside a block
    assert log == [("forward", False, np.float32), ("backward", False, np.float32)]
    np.testing.assert_allclose(z.numpy(), a.numpy() @ b.numpy(), rtol=1e-6)


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_cast_inputs_runs_forward_in_full_precision(rng, dtype):
    """cast_inputs=float32: under autocast forward runs with autocast off (an exact float32
    product), and so does backward; the gradients are those of the float32 product."""
    log = []
    matmul = _matmul_function(fg.amp, fg.autograd.Function, cast_inputs=fg.float32, log=log)
    a, b = _operands(rng)
    with fg.autocast("cpu", dtype=dtype):
        y = matmul.apply(a, b)
    g = rng.standard_normal((6, 4)).astype(np.float32)
    (y * fg.tensor(g)).sum().backward()
    assert log == [("forward", False, np.float32), ("backward", False, np.float32)]
    np.testing.assert_allclose(y.numpy(), a.numpy() @ b.numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(a.grad.numpy(), g @ b.numpy().T, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(b.grad.numpy(), a.numpy().T @ g, rtol=1e-5, atol=1e-6)


def test_cast_inputs_casts_floating_tensors_and_leaves_the_rest(rng):
    seen = {}

    class Probe(fg.autograd.Function):
        @staticmethod
        @fg.amp.custom_fwd(device_type="cpu", cast_inputs=fg.float16)
        def forward(ctx, x, pair, index, wide, scale=1.0, *, extra=None):
            seen.update(x=x.dtype, pair=[t.dtype for t in pair], index=index.dtype, wide=wide.dtype,
                        extra=extra["t"].dtype)
            return x.to(fg.float32) * scale

        @staticmethod
        @fg.amp.custom_bwd(device_type="cpu")
        def backward(ctx, g):
            return g, None, None, None, None

    x = fg.tensor(rng.standard_normal(3).astype(np.float32), requires_grad=True)
    pair = (fg.ones(2), fg.ones(2))
    args = (x, pair, fg.tensor([1, 2]), fg.ones(2, dtype=fg.float64))
    with fg.autocast("cpu"):
        Probe.apply(*args, 2.0, extra={"t": fg.ones(1)})
    assert seen == dict(x=np.float16, pair=[np.float16, np.float16], index=np.int64, wide=np.float64,
                        extra=np.float16)
    Probe.apply(*args, 2.0, extra={"t": fg.ones(1)})     # autocast off: nothing is cast
    assert seen["x"] == np.float32 and seen["extra"] == np.float32


def test_matches_pytorch_gradients(rng):
    torch = pytest.importorskip("torch")
    a, b = _operands(rng)
    g = rng.standard_normal((6, 4)).astype(np.float32)
    mine = _matmul_function(fg.amp, fg.autograd.Function, cast_inputs=fg.float32)
    theirs = _matmul_function(torch.amp, torch.autograd.Function, cast_inputs=torch.float32)
    ta = torch.tensor(a.numpy(), requires_grad=True)
    tb = torch.tensor(b.numpy(), requires_grad=True)
    with fg.autocast("cpu"):
        y = mine.apply(a, b)
    with torch.autocast("cpu"):
        ty = theirs.apply(ta, tb)
    (y * fg.tensor(g)).sum().backward()
    (ty * torch.tensor(g)).sum().backward()
    assert ty.dtype == torch.float32 and y.dtype == np.float32
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_decorator_forms_and_bad_arguments():
    def forward(ctx, x):
        return x * 2
    direct = fg.amp.custom_fwd(forward, device_type="cpu")
    assert direct.__name__ == "forward"

    class Ctx:
        pass
    ctx = Ctx()
    assert direct(ctx, fg.ones(2)).tolist() == [2.0, 2.0] and ctx._fwd_used_autocast is False
    with fg.autocast("cpu", dtype="float16"):
        direct(ctx, fg.ones(2))
    assert ctx._fwd_used_autocast is True and ctx._dtype == "float16"
    with pytest.raises(TypeError, match="device_type"):
        fg.amp.custom_fwd(forward)
    with pytest.raises(ValueError, match="custom_fwd: expected `device_type` of type `str`"):
        fg.amp.custom_fwd(forward, device_type=0)
    with pytest.raises(RuntimeError, match="custom_bwd: expected one of"):
        fg.amp.custom_bwd(device_type="gpu0")
    with pytest.raises(RuntimeError, match="custom_bwd: the Function's forward was not decorated"):
        fg.amp.custom_bwd(lambda c, g: g, device_type="cpu")(Ctx(), fg.ones(1))
    cuda = fg.amp.custom_fwd(forward, device_type="cuda", cast_inputs=fg.float16)
    with fg.autocast("cpu"):
        assert cuda(Ctx(), fg.ones(2)).dtype == np.float32          # CUDA's autocast is never on here


def test_is_autocast_available():
    assert fg.amp.is_autocast_available("cpu") is True
    assert fg.amp.is_autocast_available("cuda") is False
    with pytest.raises(RuntimeError, match="is_autocast_available: expected one of"):
        fg.amp.is_autocast_available("tpu")
    with pytest.raises(ValueError, match="is_autocast_available"):
        fg.amp.is_autocast_available(None)
