"""fastgrad.fft.hfft, ihfft and their 2-d / n-d forms: float32 round trips, empty batches and bad
arguments (their values and gradients against torch.fft are among test_fft_namespace.py's cases)."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.numpy as fnp


def test_round_trip_float32_and_empty_batches(rng):
    x = rng.standard_normal((3, 10)).astype(np.float32)
    half = fg.fft.ihfft(fg.tensor(x))
    assert half.dtype == np.complex64 and half.shape == (3, 6)
    back = fg.fft.hfft(half, 10)
    assert back.dtype == np.float32
    np.testing.assert_allclose(back.numpy(), x, rtol=1e-5, atol=1e-5)
    assert fg.fft.hfft(fg.tensor(x)).dtype == np.float32          # a real input is read as complex
    empty = fg.tensor(np.zeros((0, 5)), requires_grad=True)
    out = fg.fft.ihfft(empty)
    assert out.shape == (0, 3)
    fnp.real(out).sum().backward()
    assert empty.grad.shape == (0, 5)


@pytest.mark.parametrize("call, error, words", [
    (lambda: fg.fft.ihfft(fg.tensor([1j, 2j])), TypeError, "fft.ihfft: expects a real input"),
    (lambda: fg.fft.hfft(fg.zeros(4), norm="unit"), ValueError, "fft.hfft: argument 'norm'"),
    (lambda: fg.fft.hfft(fg.zeros(4), 0), ValueError, "fft.hfft: argument 'n'"),
    (lambda: fg.fft.ihfft(fg.zeros(4), dim=2), IndexError, "fft.ihfft: dim 2 is out of range"),
    (lambda: fg.fft.ihfftn(fg.tensor([[1j, 2j]])), TypeError, "fft.ihfftn: expects a real input"),
    (lambda: fg.fft.hfft2(fg.zeros(4, 4), s=(4,), dim=(0, 1)), ValueError, "fft.hfft2: s (4,) and dim (0, 1)"),
])
def test_bad_arguments_are_refused_by_name(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)
