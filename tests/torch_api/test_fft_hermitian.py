"""fastgrad.fft.hfft, ihfft and their 2-d / n-d forms against torch.fft (float64 values, dtypes and input gradients through
a real loss, fastgrad's gradients of complex inputs being the conjugates of PyTorch's), central
differences for real inputs, float32, empty batches and bad arguments."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.numpy as fnp

TOL = dict(rtol=1e-10, atol=1e-12)

# (name, n, kwargs, input shape, complex input)
CASES = [
    ("hfft", None, {}, (5,), True),
    ("hfft", 9, {}, (5,), True),
    ("hfft", 6, dict(dim=0, norm="ortho"), (4, 3), True),
    ("hfft", None, dict(norm="forward"), (2, 6), True),
    ("hfft", None, {}, (3, 4), False),
    ("hfft", 3, dict(dim=-2), (5, 2), False),
    ("ihfft", None, {}, (8,), False),
    ("ihfft", 7, dict(norm="ortho"), (2, 5), False),
    ("ihfft", None, dict(dim=0, norm="forward"), (6, 3), False),
    ("ihfft", 4, {}, (3, 9), False),
    ("hfft2", None, {}, (3, 4, 5), True),
    ("hfft2", (4, 6), dict(norm="ortho"), (4, 4), True),
    ("hfftn", None, {}, (3, 4, 5), True),
    ("hfftn", (5,), dict(dim=(0,), norm="forward"), (3, 4), True),
    ("hfftn", None, dict(dim=(0, 2)), (3, 2, 4), False),
    ("ihfft2", None, {}, (3, 4, 6), False),
    ("ihfft2", (3, 8), dict(norm="forward"), (4, 6), False),
    ("ihfftn", None, {}, (3, 4, 6), False),
    ("ihfftn", (4, 5), dict(dim=(0, 1), norm="ortho"), (3, 6, 2), False),
]


def _input(rng, shape, is_complex):
    x = rng.standard_normal(shape)
    return x + 1j * rng.standard_normal(shape) if is_complex else x


def _real_loss(t, out, w_re, w_im):
    if not out.is_complex():
        return (out * t.tensor(w_re)).sum()
    real, imag = (fnp.real(out), fnp.imag(out)) if t is fg else (out.real, out.imag)
    return (real * t.tensor(w_re)).sum() + (imag * t.tensor(w_im)).sum()


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}-{c[3]}{'c' if c[4] else ''}" for c in CASES])
def test_values_dtypes_and_gradients_match_pytorch(case, rng):
    torch = pytest.importorskip("torch")
    name, n, kwargs, shape, is_complex = case
    x = _input(rng, shape, is_complex)
    mine, theirs = fg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    got = getattr(fg.fft, name)(mine, n, **kwargs)
    expected = getattr(torch.fft, name)(theirs, n, **kwargs)
    assert got.shape == tuple(expected.shape)
    assert str(got.dtype) == str(expected.dtype).replace("torch.", "")
    np.testing.assert_allclose(got.numpy(), expected.detach().resolve_conj().numpy(), **TOL)
    w_re, w_im = rng.standard_normal(got.shape), rng.standard_normal(got.shape)
    _real_loss(fg, got, w_re, w_im).backward()
    _real_loss(torch, expected, w_re, w_im).backward()
    np.testing.assert_allclose(mine.grad.numpy(), np.conj(theirs.grad.resolve_conj().numpy()), **TOL)


REAL_CASES = [c for c in CASES if not c[4]]


@pytest.mark.parametrize("case", REAL_CASES, ids=[f"{c[0]}-{c[1]}-{c[3]}" for c in REAL_CASES])
def test_gradients_of_real_inputs_match_central_differences(case, rng):
    name, n, kwargs, shape, _ = case
    x = rng.standard_normal(shape)
    out_shape = getattr(fg.fft, name)(fg.tensor(x), n, **kwargs).shape
    w_re, w_im = rng.standard_normal(out_shape), rng.standard_normal(out_shape)
    assert fg.gradcheck(lambda t: _real_loss(fg, getattr(fg.fft, name)(t, n, **kwargs), w_re, w_im),
                        [fg.tensor(x, requires_grad=True)])


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
