"""Every registered NumPy function and ufunc has a gradient check here: the test
walks the registry, so nothing can be registered without one."""
import importlib.util
import pathlib

import numpy as np
import pytest

import fastgrad as fg
from fastgrad.numpy.registry import FUNCTIONS, UFUNCS, numpy_name

SPD = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])

# numpy name -> function of one (3, 4) float64 Tensor, written with plain numpy
FUNCTION_CASES = {
    "numpy.amax": lambda x: np.amax(x, axis=1), "numpy.amin": lambda x: np.amin(x, axis=0),
    "numpy.max": lambda x: np.max(x), "numpy.min": lambda x: np.min(x, axis=1, keepdims=True),
    "numpy.sum": lambda x: np.sum(x, axis=(0, 1)), "numpy.mean": lambda x: np.mean(x, axis=0),
    "numpy.prod": lambda x: np.prod(x, axis=1), "numpy.var": lambda x: np.var(x, axis=1, ddof=1),
    "numpy.std": lambda x: np.std(x, axis=0), "numpy.ptp": lambda x: np.ptp(x, axis=1),
    "numpy.average": lambda x: np.average(x, axis=1, weights=np.arange(1.0, 5.0)),
    "numpy.nansum": lambda x: np.nansum(x, axis=0), "numpy.nanmean": lambda x: np.nanmean(x),
    "numpy.cumsum": lambda x: np.cumsum(x, axis=1), "numpy.cumprod": lambda x: np.cumprod(x, axis=0),
    "numpy.append": lambda x: np.append(x, x[0]), "numpy.array_split": lambda x: np.array_split(x, 3, axis=1)[0],
    "numpy.split": lambda x: np.split(x, 2, axis=1)[1], "numpy.hsplit": lambda x: np.hsplit(x, 2)[0],
    "numpy.vsplit": lambda x: np.vsplit(x[:2], 2)[1],
    "numpy.atleast_1d": lambda x: np.atleast_1d(x[0, 0]), "numpy.atleast_2d": lambda x: np.atleast_2d(x[0]),
    "numpy.atleast_3d": lambda x: np.atleast_3d(x), "numpy.broadcast_arrays": lambda x: np.broadcast_arrays(x, x[0])[1],
    "numpy.broadcast_to": lambda x: np.broadcast_to(x[0], (2, 4)), "numpy.clip": lambda x: np.clip(x, -0.5, 0.5),
    "numpy.column_stack": lambda x: np.column_stack([x[0], x[1]]), "numpy.concatenate": lambda x: np.concatenate([x, x]),
    "numpy.stack": lambda x: np.stack([x, 2 * x], axis=1), "numpy.hstack": lambda x: np.hstack([x, x]),
    "numpy.vstack": lambda x: np.vstack([x[0], x]), "numpy.dstack": lambda x: np.dstack([x, x]),
    "numpy.copy": lambda x: np.copy(x), "numpy.cross": lambda x: np.cross(x[:, :3], x[:, 1:]),
    "numpy.diag": lambda x: np.diag(x, 1), "numpy.diagonal": lambda x: np.diagonal(x, -1),
    "numpy.diff": lambda x: np.diff(x, axis=0), "numpy.dot": lambda x: np.dot(x, x.T),
    "numpy.vdot": lambda x: np.vdot(x, x), "numpy.inner": lambda x: np.inner(x, x),
    "numpy.outer": lambda x: np.outer(x[0], x[1]), "numpy.kron": lambda x: np.kron(x[:2, :2], x[:2]),
    "numpy.einsum": lambda x: np.einsum("ij,kj->ik", x, x), "numpy.tensordot": lambda x: np.tensordot(x, x, 2),
    "numpy.trace": lambda x: np.trace(x), "numpy.expand_dims": lambda x: np.expand_dims(x, -1),
    "numpy.squeeze": lambda x: np.squeeze(x[:, :1]), "numpy.reshape": lambda x: np.reshape(x, (6, 2)),
    "numpy.ravel": lambda x: np.ravel(x), "numpy.transpose": lambda x: np.transpose(x),
    "numpy.permute_dims": lambda x: np.permute_dims(x, (1, 0)), "numpy.matrix_transpose": lambda x: np.matrix_transpose(x),
    "numpy.swapaxes": lambda x: np.swapaxes(x, 0, 1), "numpy.moveaxis": lambda x: np.moveaxis(x, 1, 0),
    "numpy.flip": lambda x: np.flip(x, 1), "numpy.fliplr": lambda x: np.fliplr(x), "numpy.flipud": lambda x: np.flipud(x),
    "numpy.roll": lambda x: np.roll(x, (1, 2), axis=(0, 1)), "numpy.rot90": lambda x: np.rot90(x, 3),
    "numpy.pad": lambda x: np.pad(x, ((0, 1), (2, 0)), mode="symmetric"),
    "numpy.repeat": lambda x: np.repeat(x, [1, 2, 0], axis=0), "numpy.tile": lambda x: np.tile(x, (2, 1)),
    "numpy.take": lambda x: np.take(x, [1, 3, 3], axis=1, mode="clip"),
    "numpy.take_along_axis": lambda x: np.take_along_axis(x, np.argmax(np.asarray(x), axis=1, keepdims=True), axis=1),
    "numpy.sort": lambda x: np.sort(x, axis=0), "numpy.tril": lambda x: np.tril(x, 1),
    "numpy.triu": lambda x: np.triu(x), "numpy.where": lambda x: np.where(x > 0, x, x * x),
    "numpy.linalg.cholesky": lambda x: np.linalg.cholesky(x[:, :3] @ x[:, :3].T + SPD),
    "numpy.linalg.det": lambda x: np.linalg.det(x[:, :3] + SPD), "numpy.linalg.inv": lambda x: np.linalg.inv(x[:, :3] + SPD),
    "numpy.linalg.slogdet": lambda x: np.linalg.slogdet(x[:, :3] + SPD)[1],
    "numpy.linalg.solve": lambda x: np.linalg.solve(x[:, :3] + SPD, x[:, 3]),
    "numpy.linalg.diagonal": lambda x: np.linalg.diagonal(x), "numpy.linalg.trace": lambda x: np.linalg.trace(x),
    "numpy.linalg.matmul": lambda x: np.linalg.matmul(x, x.T), "numpy.linalg.outer": lambda x: np.linalg.outer(x[0], x[1]),
    "numpy.linalg.matrix_norm": lambda x: np.linalg.matrix_norm(x), "numpy.linalg.vector_norm": lambda x: np.linalg.vector_norm(x, axis=1),
    "numpy.linalg.matrix_power": lambda x: np.linalg.matrix_power(x[:, :3], 2),
    "numpy.linalg.matrix_transpose": lambda x: np.linalg.matrix_transpose(x),
    "numpy.linalg.multi_dot": lambda x: np.linalg.multi_dot([x, x.T, x]), "numpy.linalg.norm": lambda x: np.linalg.norm(x, axis=0),
    "numpy.concat": lambda x: np.concat([x, x], axis=1),
    "numpy.linalg.eigh": lambda x: np.sum(np.linalg.eigh(x[:, :3] + x[:, :3].T)[1] ** 2 * np.arange(9.0).reshape(3, 3)),
    "numpy.linalg.eigvalsh": lambda x: np.linalg.eigvalsh(x[:, 1:] + x[:, 1:].T),
    "numpy.median": lambda x: np.median(x, axis=1), "numpy.quantile": lambda x: np.quantile(x, [0.1, 0.8], axis=0),
    "numpy.percentile": lambda x: np.percentile(x, 35, keepdims=True),
    "numpy.real": lambda x: np.real(x * (1 + 2j)), "numpy.imag": lambda x: np.imag(x * (1 + 2j)),
    "numpy.angle": lambda x: np.angle(x + 0.5j), "numpy.real_if_close": lambda x: np.real_if_close(x + 0j),
    "numpy.dsplit": lambda x: np.dsplit(np.stack([x, 2 * x], axis=2), 2)[1],
    "numpy.gradient": lambda x: np.gradient(x, axis=1), "numpy.linspace": lambda x: np.linspace(x[0], x[1], 5),
    "numpy.nan_to_num": lambda x: np.nan_to_num(x), "numpy.partition": lambda x: np.partition(x, [0, 1, 2, 3], axis=1),
    "numpy.rollaxis": lambda x: np.rollaxis(x, 1), "numpy.sinc": lambda x: np.sinc(x),
    "numpy.select": lambda x: np.select([x > 0, x < -1], [x, x * x], default=0.5),
    "numpy.fft.fft": lambda x: np.real(np.fft.fft(x, 5) * (1 - 2j)), "numpy.fft.ifft": lambda x: np.imag(np.fft.ifft(x, axis=0)),
    "numpy.fft.fft2": lambda x: np.abs(np.fft.fft2(x)), "numpy.fft.ifft2": lambda x: np.real(np.fft.ifft2(x, norm="ortho")),
    "numpy.fft.fftn": lambda x: np.imag(np.fft.fftn(x, s=(2, 5))), "numpy.fft.ifftn": lambda x: np.real(np.fft.ifftn(x)),
    "numpy.fft.rfft": lambda x: np.abs(np.fft.rfft(x)), "numpy.fft.rfft2": lambda x: np.imag(np.fft.rfft2(x)),
    "numpy.fft.rfftn": lambda x: np.real(np.fft.rfftn(x, axes=(0,))),
    "numpy.fft.irfft": lambda x: np.fft.irfft(x * (1 + 0.5j)), "numpy.fft.irfft2": lambda x: np.fft.irfft2(x, s=(3, 5)),
    "numpy.fft.irfftn": lambda x: np.fft.irfftn(x * 1j, norm="forward"),
    "numpy.linalg.svd": lambda x: np.linalg.svd(x, full_matrices=False)[0] * np.linalg.svd(x, full_matrices=False).S,
    "numpy.linalg.pinv": lambda x: np.linalg.pinv(x),
    "numpy.linalg.eig": lambda x: np.abs(np.linalg.eig(x[:, :3])[1]) * np.abs(np.linalg.eig(x[:, :3])[0]),
    "numpy.linalg.eigvals": lambda x: np.abs(np.linalg.eigvals(x[:, 1:])),
    "numpy.fft.fftshift": lambda x: np.fft.fftshift(x), "numpy.fft.ifftshift": lambda x: np.fft.ifftshift(x, axes=1),
}


def test_every_registered_function_has_a_case():
    missing = sorted({numpy_name(f) for f in FUNCTIONS} - set(FUNCTION_CASES))
    assert not missing, f"registered without a gradient check: {missing}"


def test_every_registered_ufunc_has_a_case():
    spec = importlib.util.spec_from_file_location("protocol_cases", pathlib.Path(__file__).with_name("test_protocols.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    DIFFERENTIABLE_UFUNCS = module.DIFFERENTIABLE_UFUNCS
    others = {"conjugate", "fabs", "deg2rad", "radians", "rad2deg", "degrees", "remainder", "fmod"}
    missing = sorted({u.__name__ for u in UFUNCS} - set(DIFFERENTIABLE_UFUNCS) - others)
    assert not missing, f"registered without a gradient check: {missing}"


@pytest.mark.parametrize("name", sorted(FUNCTION_CASES))
def test_registered_function(name, rng):
    f = FUNCTION_CASES[name]
    x = fg.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    out = f(x)
    assert isinstance(out, fg.Tensor) and out.requires_grad
    np.testing.assert_allclose(out.data, f(x.data), rtol=1e-12, atol=1e-14)
    assert fg.gradcheck(f, (x,))
    assert fg.gradcheck(_gradient_of(f), (x,))  # second derivatives: the backward is differentiable


def _gradient_of(f):
    def gradient(t):
        out = f(t)
        v = np.random.default_rng(5).standard_normal(out.shape)
        (g,) = fg.autograd.grad((out * v).sum(), t, create_graph=True)
        return g + 0.0 * t  # linear f: a constant gradient, whose derivative 0 is checked too
    return gradient


@pytest.mark.parametrize("name", ["conjugate", "fabs", "deg2rad", "radians", "rad2deg", "degrees"])
def test_other_registered_ufuncs(name, rng):
    ufunc = getattr(np, name)
    x = fg.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    np.testing.assert_allclose(ufunc(x).data, ufunc(x.data), rtol=1e-14)
    assert fg.gradcheck(ufunc, (x,))
