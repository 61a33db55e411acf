"""fastgrad.numpy.fft: NumPy's values; gradients (real and complex inputs) checked
numerically to second order."""
import numpy as onp
import pytest

import fastgrad
import fastgrad.numpy as np
from fastgrad.test_util import check_grads

rng = onp.random.RandomState(3)
real_2d = rng.randn(4, 5)
complex_2d = rng.randn(4, 5) + 1j * rng.randn(4, 5)
half_spectrum = onp.fft.rfft(rng.randn(4, 6))


@pytest.mark.parametrize("name, x, kwargs", [
    ("fft", real_2d, {}), ("fft", complex_2d, dict(n=3)), ("fft", complex_2d, dict(n=7, axis=0, norm="ortho")),
    ("ifft", complex_2d, dict(norm="forward")), ("fft2", complex_2d, dict(s=(3, 6))), ("ifft2", real_2d, {}),
    ("fftn", complex_2d, {}), ("ifftn", complex_2d, dict(s=(5,), axes=(0,))),
    ("rfft", real_2d, {}), ("rfft", real_2d, dict(n=8, norm="ortho")), ("rfft2", real_2d, {}),
    ("rfftn", rng.randn(3, 4, 5), dict(axes=(0, 2))),
    ("irfft", half_spectrum, {}), ("irfft", half_spectrum, dict(n=7, norm="ortho")),
    ("irfft2", half_spectrum, {}), ("irfftn", half_spectrum, dict(s=(3, 5))),
    ("fftshift", real_2d, {}), ("ifftshift", complex_2d, dict(axes=1)),
])
def test_values_match_numpy_and_gradients_check(name, x, kwargs):
    ours, numpys = getattr(np.fft, name), getattr(onp.fft, name)
    tensor = fastgrad.tensor(x, requires_grad=True)
    onp.testing.assert_allclose(ours(tensor, **kwargs).detach().data, numpys(x, **kwargs), atol=1e-12)
    onp.testing.assert_allclose(onp.fft.__dict__[name](x, **kwargs), numpys(x, **kwargs))
    check_grads(lambda x: ours(x, **kwargs), modes=["rev"])(x)


def test_numpy_calls_on_tensors_are_differentiable():
    g = fastgrad.grad(lambda x: np.sum(np.abs(onp.fft.fft(x)) ** 2))(real_2d)
    onp.testing.assert_allclose(g, 2 * real_2d.shape[-1] * real_2d)   # Parseval
