"""matmul's forward and backward run through the GEMM layer under each BLAS,
and stay differentiable (create_graph) on Tensors."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.backend import blas
from fastgrad.backend import gemm as gemm_module


@pytest.fixture(params=["numpy", "mkl"])
def blas_name(request):
    if request.param == "mkl" and blas.find_mkl_library() is None:
        pytest.skip("the mkl package is not installed (pip install mkl): MKL's GEMM path is not tested")
    before = fg.get_blas()
    fg.set_blas(request.param)
    yield request.param
    fg.set_blas(before)


SHAPES = [((3, 4), (4, 5)), ((4,), (4, 3)), ((3, 4), (4,)), ((2, 3, 4), (4, 5)), ((2, 1, 3, 4), (3, 4, 2)),
          ((5,), (2, 5, 3))]


@pytest.mark.parametrize("shapes", SHAPES, ids=str)
def test_matmul_gradcheck(blas_name, shapes, rng):
    a = fg.tensor(rng.standard_normal(shapes[0]), requires_grad=True)
    b = fg.tensor(rng.standard_normal(shapes[1]), requires_grad=True)
    assert fg.gradcheck(lambda x, y: x @ y, (a, b))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matmul_forward_and_backward_call_gemm(blas_name, dtype, rng, monkeypatch):
    calls = []
    real = gemm_module.gemm

    def counting(*args, **kwargs):
        calls.append(args[0].shape)
        return real(*args, **kwargs)

    monkeypatch.setattr("fastgrad.backend.numpy_backend.gemm", counting)
    x = fg.tensor(rng.standard_normal((6, 5)).astype(dtype), requires_grad=True)
    w = fg.tensor(rng.standard_normal((5, 3)).astype(dtype), requires_grad=True)
    y = x @ w
    y.backward(np.ones((6, 3), dtype))
    assert len(calls) == 3  # y = x w, gx = g w^T, gw = x^T g
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(x.grad, np.ones((6, 3)) @ w.data.T, rtol=tol)
    np.testing.assert_allclose(w.grad, x.data.T @ np.ones((6, 3)), rtol=tol)
    assert x.grad.dtype == dtype and w.grad.dtype == dtype


def test_second_derivative_through_matmul(blas_name, rng):
    """d/dx of (d/dx sum((x W)^2)) = 2 W W^T per row: backward must run on Tensors."""
    x = fg.tensor(rng.standard_normal((1, 3)), requires_grad=True)
    w = fg.tensor(rng.standard_normal((3, 2)))
    (g,) = fg.autograd.grad(((x @ w) ** 2).sum(), [x], create_graph=True)
    np.testing.assert_allclose(g.data, 2 * (x.data @ w.data) @ w.data.T, rtol=1e-12)
    hessian_rows = []
    for i in range(3):
        (h,) = fg.autograd.grad(g[0, i], [x], retain_graph=True)
        hessian_rows.append(np.asarray(h.data if hasattr(h, "data") else h)[0])
    np.testing.assert_allclose(np.array(hessian_rows), 2 * w.data @ w.data.T, rtol=1e-12)


@pytest.mark.parametrize("shapes", [((3, 4), (4, 5)), ((2, 3, 4), (4, 5)), ((4,), (2, 4, 3))], ids=str)
def test_matmul_matches_torch(blas_name, shapes, rng):
    torch = pytest.importorskip("torch")
    a_np = rng.standard_normal(shapes[0]).astype(np.float32)
    b_np = rng.standard_normal(shapes[1]).astype(np.float32)
    a, b = fg.tensor(a_np, requires_grad=True), fg.tensor(b_np, requires_grad=True)
    (a @ b).sum().backward()
    ta, tb = torch.tensor(a_np, requires_grad=True), torch.tensor(b_np, requires_grad=True)
    (ta @ tb).sum().backward()
    np.testing.assert_allclose(a.grad, ta.grad.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(b.grad, tb.grad.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("shapes", SHAPES[:3] + [((2, 3, 4), (4,))], ids=str)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matmul_gradients_are_the_promoted_products_of_numpy(shapes, dtype, rng):
    """With NumPy's BLAS, each gradient is np.matmul of the 1-d operands promoted to matrices
    (as np.matmul promotes them), bit for bit; y is a transposed view (not contiguous)."""
    before = fg.get_blas()
    fg.set_blas("numpy")
    try:
        x = rng.standard_normal(shapes[0]).astype(dtype)
        y = np.ascontiguousarray(rng.standard_normal(shapes[1][::-1]).astype(dtype).T) if len(shapes[1]) == 2 \
            else rng.standard_normal(shapes[1]).astype(dtype)
        g = rng.standard_normal(np.matmul(x, y).shape).astype(dtype)
        tx, ty = fg.tensor(x, requires_grad=True), fg.tensor(y, requires_grad=True)
        (fg.matmul(tx, ty) * fg.tensor(g)).sum().backward()
    finally:
        fg.set_blas(before)
    x2 = x[None, :] if x.ndim == 1 else x
    y2 = y[:, None] if y.ndim == 1 else y
    g2 = g[..., None, :] if x.ndim == 1 else g
    g2 = g2[..., None] if y.ndim == 1 else g2
    gx = np.matmul(g2, np.swapaxes(y2, -1, -2))
    gy = np.matmul(np.swapaxes(x2, -1, -2), g2)
    if gy.ndim > y2.ndim:
        gy = gy.sum(axis=tuple(range(gy.ndim - y2.ndim)))
    assert np.array_equal(tx.grad.numpy(), gx.reshape(x.shape))
    assert np.array_equal(ty.grad.numpy(), gy.reshape(y.shape))
