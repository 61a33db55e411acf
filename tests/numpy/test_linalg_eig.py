"""eig and eigvals of general matrices: NumPy's values, gradients checked
numerically to second order and against PyTorch."""
import numpy as onp
import pytest

import fastgrad
import fastgrad.numpy as np
from fastgrad.test_util import check_grads

rng = onp.random.RandomState(7)


def phase_free(a):   # each eigenvector is defined up to a phase
    w, v = np.linalg.eig(a)
    return w, np.abs(v)


@pytest.mark.parametrize("a", [
    rng.randn(5, 5),                                 # real, complex eigenvalues
    rng.randn(5, 5) + 1j * rng.randn(5, 5),          # complex
    rng.randn(3, 4, 4) + 1j * rng.randn(3, 4, 4),    # a stack
], ids=["real", "complex", "batched"])
def test_eig_values_and_gradients(a):
    w, v = np.linalg.eig(fastgrad.tensor(a, requires_grad=True))
    w_ref, v_ref = onp.linalg.eig(a)
    onp.testing.assert_allclose(w.detach().data, w_ref, atol=1e-12)
    onp.testing.assert_allclose(v.detach().data, v_ref, atol=1e-12)
    check_grads(lambda a: (np.abs(np.linalg.eig(a)[0]), np.abs(np.linalg.eig(a)[1])))(a)
    check_grads(phase_free if onp.iscomplexobj(a) else lambda a: np.real(np.linalg.eigvals(a)))(a)


def test_eig_with_real_eigenvalues_stays_real():
    q = onp.linalg.qr(rng.randn(4, 4))[0]
    a = q @ onp.diag([1.0, 2.0, 3.5, -1.0]) @ onp.linalg.inv(q) + 0.1 * rng.randn(4, 4)
    w, v = np.linalg.eig(fastgrad.tensor(a, requires_grad=True))
    assert w.dtype == onp.float64 and v.dtype == onp.float64
    check_grads(lambda a: tuple(np.linalg.eig(a)), modes=["rev"])(a)  # real vectors: only a sign is free
    g = fastgrad.grad(lambda a: np.sum(np.linalg.eigvals(a)))(a)      # d trace / dA = I
    onp.testing.assert_allclose(g, onp.eye(4), atol=1e-10)


@pytest.mark.parametrize("complex_input", [False, True])
def test_eig_gradients_match_pytorch(complex_input):
    torch = pytest.importorskip("torch")
    a = rng.randn(4, 4) + (1j * rng.randn(4, 4) if complex_input else 0)
    cw, cv = rng.randn(4), rng.randn(4, 4)

    def loss(a):
        w, v = np.linalg.eig(a)
        return np.sum(cw * np.real(w)) + np.sum(cw * np.imag(w)) + np.sum(cv * np.abs(v))

    ours = fastgrad.grad(loss)(a)
    ta = torch.tensor(a, requires_grad=True)
    w, v = torch.linalg.eig(ta)
    tcw, tcv = torch.tensor(cw), torch.tensor(cv)
    ((tcw * w.real).sum() + (tcw * w.imag).sum() + (tcv * v.abs()).sum()).backward()
    # fastgrad's gradient for complex inputs is the conjugate of PyTorch's.
    onp.testing.assert_allclose(ours, onp.conj(ta.grad.numpy()), rtol=1e-8, atol=1e-10)
