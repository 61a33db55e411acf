"""svd, pinv and the norms built on singular values: NumPy's values (signs included),
gradients checked numerically."""
import numpy as onp
import pytest

import fastgrad
import fastgrad.numpy as np
from fastgrad.test_util import check_grads

rng = onp.random.RandomState(4)


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4), (2, 5, 3), (2, 3, 5)])
def test_svd_values_and_gradients(shape):
    a = rng.randn(*shape)
    u, s, vh = np.linalg.svd(fastgrad.tensor(a, requires_grad=True), full_matrices=False)
    ref = onp.linalg.svd(a, full_matrices=False)
    for ours, theirs in zip((u, s, vh), ref):
        onp.testing.assert_allclose(ours.detach().data, theirs, atol=1e-10)
    check_grads(lambda a: np.linalg.svd(a, full_matrices=False))(a)     # both modes, second order
    check_grads(lambda a: np.linalg.svd(a, compute_uv=False))(a)


def test_svd_second_derivatives_with_a_small_singular_value():
    # The smallest singular value is 2.7e-3: the derivatives come from NumPy's
    # factors directly, so the second-order check still holds to 1e-6.
    a = onp.random.RandomState(42).randn(3, 4, 4)
    assert onp.linalg.svd(a, compute_uv=False).min() < 3e-3
    check_grads(lambda a: tuple(np.linalg.svd(a, full_matrices=False)))(a)


def test_gradient_through_singular_values_alone_needs_no_gap():
    # The nuclear norm of an orthogonal matrix (all singular values 1): d/dA = U Vh = A.
    q = onp.linalg.qr(rng.randn(4, 4))[0]
    g = fastgrad.grad(lambda a: np.sum(np.linalg.svd(a, compute_uv=False)))(q)
    onp.testing.assert_allclose(g, q, atol=1e-12)


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 4, 4)])
def test_svd_gradients_match_pytorch(shape):
    torch = pytest.importorskip("torch")
    a, gu, gs, gvh = (rng.randn(*shape) for _ in range(4))
    k = min(shape[-2:])
    gu, gs, gvh = gu[..., :k] if shape[-1] > k else gu, onp.diagonal(gs, axis1=-2, axis2=-1)[..., :k], gvh[..., :k, :]

    def loss(a, np_svd):
        u, s, vh = np_svd(a)
        return (u * gu).sum() + (s * gs).sum() + (vh * gvh).sum()

    ours = fastgrad.grad(lambda a: loss(a, lambda a: np.linalg.svd(a, full_matrices=False)))(a)
    ta = torch.tensor(a, requires_grad=True)
    u, s, vh = torch.linalg.svd(ta, full_matrices=False)
    # Align the singular vectors' signs with NumPy's (the loss depends on them).
    signs = torch.sign((u.detach() * torch.tensor(onp.linalg.svd(a, full_matrices=False)[0])).sum(-2, keepdim=True))
    u, vh = u * signs, vh * signs.transpose(-1, -2)
    ((u * torch.tensor(gu)).sum() + (s * torch.tensor(gs)).sum() + (vh * torch.tensor(gvh)).sum()).backward()
    onp.testing.assert_allclose(ours, ta.grad.numpy(), rtol=1e-8, atol=1e-10)


def test_svd_refuses_what_it_cannot_differentiate():
    with pytest.raises(TypeError, match="full_matrices"):
        np.linalg.svd(fastgrad.tensor(rng.randn(4, 3), requires_grad=True))


@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (2, 3, 3)])
def test_complex_svd_values_and_phase_free_gradients(shape):
    a = rng.randn(*shape) + 1j * rng.randn(*shape)
    u, s, vh = np.linalg.svd(fastgrad.tensor(a, requires_grad=True), full_matrices=False)
    for ours, theirs in zip((u, s, vh), onp.linalg.svd(a, full_matrices=False)):
        onp.testing.assert_allclose(ours.detach().data, theirs, atol=1e-10)

    def phase_free(a):   # singular vectors are defined up to a phase each
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        return np.abs(u), s, np.abs(vh)

    check_grads(phase_free)(a)     # both modes, second order


@pytest.mark.parametrize("uplo", ["L", "U"])
def test_complex_eigh_reads_one_triangle(uplo):
    a = rng.randn(4, 4) + 1j * rng.randn(4, 4)
    w, v = np.linalg.eigh(fastgrad.tensor(a, requires_grad=True), uplo)
    w_ref, v_ref = onp.linalg.eigh(a, uplo)
    onp.testing.assert_allclose(w.detach().data, w_ref, atol=1e-12)
    assert w.dtype == onp.float64
    onp.testing.assert_allclose(v.detach().data, v_ref, atol=1e-12)
    check_grads(lambda a: (np.linalg.eigh(a, uplo)[0], np.abs(np.linalg.eigh(a, uplo)[1])))(a)


@pytest.mark.parametrize("ord", ["nuc", 2, -2])
def test_singular_value_norms(ord):
    a = rng.randn(4, 3)
    onp.testing.assert_allclose(np.linalg.norm(fastgrad.tensor(a, requires_grad=True), ord).detach().data,
                                onp.linalg.norm(a, ord))
    check_grads(lambda a: np.linalg.norm(a, ord), modes=["rev"])(a)
    b = rng.randn(3, 2, 4)
    check_grads(lambda b: np.linalg.norm(b, ord, axis=(0, 2), keepdims=True), modes=["rev"], order=1)(b)


def test_pinv():
    for shape in [(5, 3), (3, 5), (2, 4, 3)]:
        a = rng.randn(*shape)
        onp.testing.assert_allclose(np.linalg.pinv(fastgrad.tensor(a, requires_grad=True)).detach().data,
                                    onp.linalg.pinv(a), atol=1e-12)
        check_grads(np.linalg.pinv, modes=["rev"])(a)


def test_complex_norms():
    z = rng.randn(3, 4) + 1j * rng.randn(3, 4)
    check_grads(lambda z: np.linalg.norm(z))(z)
    check_grads(lambda z: np.linalg.norm(z, axis=1))(z)
