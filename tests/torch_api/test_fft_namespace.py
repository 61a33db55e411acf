"""fastgrad.fft against torch.fft: float64 values, dtypes and input gradients (through real and
imaginary parts into a real loss), central differences and bad arguments; the Hermitian
transforms (hfft, ihfft and their 2-d / n-d forms) have more in test_fft_hermitian.py."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.numpy as fnp

TOL = dict(rtol=1e-10, atol=1e-12)

# (name, args, kwargs, input shape, complex input)
CASES = [
    ("fft", (), {}, (8,), False),
    ("fft", (5,), dict(dim=0), (3, 4), False),
    ("fft", (12,), dict(norm="ortho"), (2, 7), True),
    ("ifft", (), dict(norm="forward"), (6,), True),
    ("ifft", (), dict(dim=1), (3, 5), False),
    ("rfft", (), {}, (9,), False),
    ("rfft", (6,), dict(dim=0, norm="ortho"), (4, 3), False),
    ("irfft", (), {}, (5,), True),
    ("irfft", (9,), dict(dim=-1, norm="forward"), (2, 5), True),
    ("fft2", (), {}, (3, 4, 5), False),
    ("fft2", (), dict(s=(4, 6), dim=(0, 2)), (3, 2, 5), True),
    ("ifft2", (), dict(norm="ortho"), (4, 4), True),
    ("fftn", (), {}, (2, 3, 4), False),
    ("fftn", (), dict(s=(5,), dim=(1,)), (2, 3), True),
    ("ifftn", (), dict(dim=(0, 1)), (3, 4, 2), True),
    ("rfft2", (), {}, (4, 6), False),
    ("irfft2", (), dict(s=(4, 6)), (4, 4), True),
    ("rfftn", (), dict(dim=(0, 2)), (3, 2, 6), False),
    ("rfftn", (), dict(s=(-1, 8)), (3, 5), False),
    ("irfftn", (), {}, (3, 4), True),
    ("fftshift", (), {}, (4, 5), False),
    ("fftshift", (), dict(dim=1), (4, 5), True),
    ("ifftshift", (), dict(dim=(0,)), (5, 3), False),
    # Hermitian transforms
    ("hfft", (), {}, (5,), True),
    ("hfft", (9,), {}, (5,), True),
    ("hfft", (6,), dict(dim=0, norm="ortho"), (4, 3), True),
    ("hfft", (), dict(norm="forward"), (2, 6), True),
    ("hfft", (), {}, (3, 4), False),
    ("hfft", (3,), dict(dim=-2), (5, 2), False),
    ("ihfft", (), {}, (8,), False),
    ("ihfft", (7,), dict(norm="ortho"), (2, 5), False),
    ("ihfft", (), dict(dim=0, norm="forward"), (6, 3), False),
    ("ihfft", (4,), {}, (3, 9), False),
    ("hfft2", (), {}, (3, 4, 5), True),
    ("hfft2", ((4, 6),), dict(norm="ortho"), (4, 4), True),
    ("hfftn", (), {}, (3, 4, 5), True),
    ("hfftn", ((5,),), dict(dim=(0,), norm="forward"), (3, 4), True),
    ("hfftn", (), dict(dim=(0, 2)), (3, 2, 4), False),
    ("ihfft2", (), {}, (3, 4, 6), False),
    ("ihfft2", ((3, 8),), dict(norm="forward"), (4, 6), False),
    ("ihfftn", (), {}, (3, 4, 6), False),
    ("ihfftn", ((4, 5),), dict(dim=(0, 1), norm="ortho"), (3, 6, 2), False),
]


def _input(rng, shape, is_complex):
    x = rng.standard_normal(shape)
    return x + 1j * rng.standard_normal(shape) if is_complex else x


def _real_loss(t, out, w_re, w_im):
    """A real number that depends on every real and imaginary part of out (t: fastgrad or torch)."""
    if not out.is_complex():
        return (out * t.tensor(w_re)).sum()
    real, imag = (fnp.real(out), fnp.imag(out)) if t is fg else (out.real, out.imag)
    return (real * t.tensor(w_re)).sum() + (imag * t.tensor(w_im)).sum()


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}{c[1]}{c[2]}{c[3]}{'c' if c[4] else ''}" for c in CASES])
def test_values_dtypes_and_gradients_match_pytorch(case, rng):
    torch = pytest.importorskip("torch")
    name, args, kwargs, shape, is_complex = case
    x = _input(rng, shape, is_complex)
    mine, theirs = fg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    got = getattr(fg.fft, name)(mine, *args, **kwargs)
    expected = getattr(torch.fft, name)(theirs, *args, **kwargs)
    assert got.shape == tuple(expected.shape)
    assert str(got.dtype) == str(expected.dtype).replace("torch.", "")
    np.testing.assert_allclose(got.numpy(), expected.detach().resolve_conj().numpy(), **TOL)
    w_re, w_im = rng.standard_normal(got.shape), rng.standard_normal(got.shape)
    _real_loss(fg, got, w_re, w_im).backward()
    _real_loss(torch, expected, w_re, w_im).backward()
    # fastgrad's gradient of a complex input is the conjugate of PyTorch's (HIPS autograd's convention)
    np.testing.assert_allclose(mine.grad.numpy(), np.conj(theirs.grad.resolve_conj().numpy()), **TOL)


@pytest.mark.parametrize("case", [c for c in CASES if not c[4] and np.prod(c[3])],
                         ids=[f"{c[0]}{c[1]}{c[2]}{c[3]}" for c in CASES if not c[4] and np.prod(c[3])])
def test_gradients_of_real_inputs_match_central_differences(case, rng):
    name, args, kwargs, shape, _ = case
    x = rng.standard_normal(shape)
    out_shape = getattr(fg.fft, name)(fg.tensor(x), *args, **kwargs).shape
    w_re, w_im = rng.standard_normal(out_shape), rng.standard_normal(out_shape)
    assert fg.gradcheck(lambda t: _real_loss(fg, getattr(fg.fft, name)(t, *args, **kwargs), w_re, w_im),
                        [fg.tensor(x, requires_grad=True)])


def test_an_empty_batch_transforms_to_an_empty_batch(rng):
    x = fg.tensor(np.zeros((0, 4)), requires_grad=True)
    out = fg.fft.fft(x)
    assert out.shape == (0, 4) and out.dtype == np.complex128
    fnp.real(out).sum().backward()
    assert x.grad.shape == (0, 4)


def test_float32_gives_complex64_as_pytorch(rng):
    x = rng.standard_normal((4, 6)).astype(np.float32)
    assert fg.fft.fft(fg.tensor(x)).dtype == np.complex64
    assert fg.fft.rfft2(fg.tensor(x)).dtype == np.complex64
    assert fg.fft.irfft(fg.fft.rfft(fg.tensor(x))).dtype == np.float32


@pytest.mark.parametrize("name", ["fftfreq", "rfftfreq"])
@pytest.mark.parametrize("n, d", [(8, 1.0), (7, 0.1), (1, 2.0), (0, 1.0)])
def test_frequencies_match_pytorch(name, n, d):
    torch = pytest.importorskip("torch")
    got, expected = getattr(fg.fft, name)(n, d), getattr(torch.fft, name)(n, d)
    assert got.dtype == np.float32 and got.shape == tuple(expected.shape)
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-6)    # NaN where PyTorch's is
    assert getattr(fg.fft, name)(n, d, dtype=fg.float64).dtype == np.float64


@pytest.mark.parametrize("call, error, words", [
    (lambda: fg.fft.fft(fg.zeros(4), norm="unit"), ValueError, "fft.fft: argument 'norm'"),
    (lambda: fg.fft.fft(fg.zeros(4), 0), ValueError, "fft.fft: argument 'n'"),
    (lambda: fg.fft.fft(fg.zeros(4), dim=1), IndexError, "fft.fft: dim 1 is out of range"),
    (lambda: fg.fft.fft(fg.zeros(4), dim=0.5), TypeError, "fft.fft: argument 'dim'"),
    (lambda: fg.fft.rfft(fg.tensor([1j, 2j])), TypeError, "fft.rfft: expects a real input"),
    (lambda: fg.fft.fft2(fg.zeros(4, 4), s=(4,), dim=(0, 1)), ValueError, "fft.fft2: s (4,) and dim (0, 1)"),
    (lambda: fg.fft.fftn(fg.zeros(4, 4), dim=(0, -2)), ValueError, "fft.fftn: repeated dimension"),
    (lambda: fg.fft.fftfreq(-1), ValueError, "fft.fftfreq: argument 'n'"),
    (lambda: fg.fft.fftshift(fg.zeros(3), dim=2), IndexError, "fft.fftshift: dim 2 is out of range"),
])
def test_bad_arguments_are_refused_by_name(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)
