"""`fastgrad.cuda`'s PyTorch names that scripts call whether or not a GPU is there."""
import warnings

import numpy as np
import pytest

import fastgrad as torch
import fastgrad.cuda.amp as cuda_amp
from fastgrad import nn

no_gpu = pytest.mark.skipif(torch.cuda.is_available(), reason="checks the answers on a machine without a GPU")


def _steps(scaler, autocast, steps=4):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3))
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x, y = torch.randn(10, 6), torch.randint(0, 3, (10,))
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        with autocast():
            loss = nn.functional.cross_entropy(model(x), y)
        if scaler is None:
            loss.backward()
            opt.step()
        else:
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
        losses.append(loss.item())
    return losses, [p.detach().numpy().copy() for p in model.parameters()]


class _Nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@no_gpu
def test_enabled_scaler_and_autocast_warn_and_pass_through_without_a_gpu():
    with pytest.warns(UserWarning, match="GradScaler is enabled, but CUDA is not available"):
        scaler = torch.cuda.amp.GradScaler()
    with pytest.warns(UserWarning, match="autocast is enabled, but CUDA is not available"):
        losses, params = _steps(scaler, lambda: torch.cuda.amp.autocast(dtype=torch.float16))
    plain_losses, plain_params = _steps(None, _Nothing)
    assert losses == plain_losses
    assert all(np.array_equal(a, b) for a, b in zip(params, plain_params))
    assert isinstance(scaler, torch.amp.GradScaler) and not scaler.is_enabled()


def test_disabled_scaler_and_autocast_are_silent_pass_throughs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scaler = torch.cuda.amp.GradScaler(enabled=False)
        losses, params = _steps(scaler, lambda: torch.cuda.amp.autocast(enabled=False))
    plain_losses, plain_params = _steps(None, _Nothing)
    assert losses == plain_losses and all(np.array_equal(a, b) for a, b in zip(params, plain_params))


def test_enabled_on_a_gpu_is_refused_with_the_way_out(monkeypatch):
    monkeypatch.setattr(cuda_amp, "cuda_is_available", lambda: True)
    with pytest.raises(RuntimeError, match="GradScaler: mixed precision on the GPU is not supported.*enabled=False"):
        torch.cuda.amp.GradScaler()
    with pytest.raises(RuntimeError, match="autocast: mixed precision on the GPU"):
        torch.cuda.amp.autocast()
    assert not torch.cuda.amp.GradScaler(enabled=False).is_enabled()


def test_cuda_seeds_leave_the_cpu_stream_alone():
    torch.manual_seed(3)
    a = torch.randn(4).numpy()
    torch.manual_seed(3)
    torch.cuda.manual_seed(99)
    torch.cuda.manual_seed_all(99)
    assert np.array_equal(torch.randn(4).numpy(), a)
    with pytest.raises((TypeError, ValueError)):
        torch.cuda.manual_seed("seed")


@no_gpu
def test_gpu_questions_without_a_gpu():
    torch.cuda.empty_cache()  # nothing to free: no error, as PyTorch
    assert torch.cuda.device_count() == 0
    for call in (torch.cuda.synchronize, torch.cuda.current_device, torch.cuda.get_device_name):
        with pytest.raises(RuntimeError, match="CuPy|GPU"):
            call()
