"""Tensor construction, dtypes, attributes and conversions."""
import numpy as np
import pytest

import fastgrad as fg


def test_python_floats_default_to_float32_and_arrays_keep_dtype():
    assert fg.tensor([1.0, 2.0]).dtype == np.float32
    assert fg.tensor(1.5).dtype == np.float32
    assert fg.tensor([1, 2]).dtype == np.int64
    assert fg.tensor(np.ones(2, np.float64)).dtype == np.float64
    assert fg.tensor([1.0], dtype=np.float64).dtype == np.float64


def test_set_default_dtype():
    try:
        fg.set_default_dtype(np.float64)
        assert fg.tensor([1.0]).dtype == np.float64
        assert fg.randn(2).dtype == np.float64
    finally:
        fg.set_default_dtype(np.float32)
    with pytest.raises(TypeError, match="floating"):
        fg.set_default_dtype(np.int32)


def test_mixed_dtypes_promote_as_pytorch_with_weak_scalars():
    a = fg.tensor(np.ones(2, np.float32))
    assert (a * 2.5).dtype == np.float32
    assert (a * fg.tensor(np.ones(2, np.float64))).dtype == np.float64
    assert (a * fg.tensor(np.float64(2.0))).dtype == np.float32       # a 0-d tensor does not widen
    assert (fg.tensor(np.ones(2, np.int64)) * 1.5).dtype == np.float32  # the default dtype


@pytest.mark.parametrize("factory, shape", [
    (lambda: fg.zeros(2, 3), (2, 3)), (lambda: fg.ones((4,)), (4,)), (lambda: fg.full((2, 2), 7.0), (2, 2)),
    (lambda: fg.rand(3), (3,)), (lambda: fg.randn(2, 2), (2, 2)), (lambda: fg.eye(3), (3, 3)),
    (lambda: fg.zeros_like(fg.ones(2)), (2,)), (lambda: fg.ones_like(fg.ones(5)), (5,)),
])
def test_factories(factory, shape):
    t = factory()
    assert t.shape == shape and t.dtype == np.float32 and t.is_leaf and not t.requires_grad


def test_arange_and_from_numpy():
    assert fg.arange(5).dtype == np.int64
    assert fg.arange(0.0, 1.0, 0.5).dtype == np.float32
    a = np.arange(3.0)
    t = fg.from_numpy(a)
    a[0] = 10
    assert t._data[0] == 10  # shares memory


def test_manual_seed_is_reproducible():
    fg.manual_seed(3)
    a = fg.randn(4)._data.copy()
    fg.manual_seed(3)
    np.testing.assert_array_equal(a, fg.randn(4)._data)


def test_attributes_and_conversions():
    t = fg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    assert t.shape == (2, 2) and t.ndim == 2 and t.size == 4 and len(t) == 2
    assert t.T.shape == (2, 2) and t.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert np.asarray(t).dtype == np.float32
    assert fg.tensor(3.0).item() == 3.0 and float(fg.tensor([2.0])) == 2.0
    assert [r.shape for r in t] == [(2,), (2,)]
    assert t.detach().requires_grad is False and t.detach()._data is t._data
    assert t.numpy() is t._data
    assert t.device == "cpu"


def test_repr_is_readable():
    assert repr(fg.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert "requires_grad=True" in repr(fg.tensor([1.0], requires_grad=True))
    assert "grad_fn=<MulBackward>" in repr(fg.tensor([1.0], requires_grad=True) * 2)
    assert "dtype=float64" in repr(fg.tensor(np.ones(1)))


def test_format_of_a_0d_tensor_formats_its_value_as_pytorch():
    t = fg.tensor([1.25, -3.5], requires_grad=True)
    assert "{:+.2f} x".format(t[1]) == "-3.50 x" and f"{t.sum():.1f}" == "-2.2"
    assert f"{fg.tensor(7):>3d}" == "  7"
    assert f"{t}" == repr(t)
    with pytest.raises(TypeError, match="unsupported format string"):
        f"{t:.2f}"
    torch = pytest.importorskip("torch")
    assert "{:+.3e}".format(torch.tensor(0.125)) == "{:+.3e}".format(fg.tensor(0.125))


def test_item_and_bool_errors():
    with pytest.raises(ValueError, match="item"):
        fg.tensor([1.0, 2.0]).item()
    with pytest.raises(ValueError, match="ambiguous"):
        bool(fg.tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="len"):
        len(fg.tensor(1.0))


def test_requires_grad_rules():
    x = fg.tensor([1.0])
    assert x.requires_grad_() is x and x.requires_grad
    y = x * 2
    with pytest.raises(RuntimeError, match="non-leaf"):
        y.requires_grad = False


def test_bad_data_raises_clear_error():
    with pytest.raises(TypeError, match="tensor"):
        fg.tensor([[1.0], [1.0, 2.0]])
    with pytest.raises(TypeError, match="tensor"):
        fg.tensor("abc" if False else object())


def test_numpy_array_on_left_defers_to_tensor():
    x = fg.tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = np.array([3.0, 4.0]) * x + np.array([1.0, 1.0])
    assert isinstance(y, fg.Tensor)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])


@pytest.mark.parametrize("op, message", [
    (lambda: fg.tensor(np.ones((2, 3))) + fg.tensor(np.ones((4,))), "add: operands could not be broadcast"),
    (lambda: fg.tensor(np.ones((2, 3))) * fg.tensor(np.ones((4,)), requires_grad=True), "mul: .*broadcast"),
    (lambda: fg.tensor(np.ones((2, 3))) @ fg.tensor(np.ones((4, 2))), r"matmul: shapes \(2, 3\) and \(4, 2\)"),
    (lambda: fg.tensor(np.ones(6)).reshape(4, 2), "reshape: cannot reshape"),
    (lambda: fg.tensor(np.ones((2, 3))).sum(axis=3), "sum: axis 3 is out of bounds"),
    (lambda: fg.numpy.squeeze(fg.tensor(np.ones(3)), 0), "squeeze"),  # NumPy's squeeze; the method is PyTorch's
    (lambda: fg.broadcast_to(fg.tensor(np.ones(3)), (2, 4)), "broadcast_to"),
    (lambda: fg.stack([fg.ones(2), fg.ones(3)]), "stack: tensor 1 has shape"),
    (lambda: fg.tensor(np.ones(0)).max(), "max: zero-size"),
])
def test_bad_shapes_raise_clear_errors(op, message):
    with pytest.raises(ValueError, match=message):
        op()


def test_squeeze_and_unsqueeze_follow_pytorch():
    x = fg.zeros(2, 1, 3)
    assert x.squeeze(0).shape == (2, 1, 3) and x.squeeze(1).shape == (2, 3) and x.squeeze().shape == (2, 3)
    assert fg.squeeze(x, dim=(0, 1)).shape == (2, 3) and fg.zeros(()).squeeze(0).shape == ()
    assert x.unsqueeze(dim=0).shape == (1, 2, 1, 3) and fg.unsqueeze(x, -1).shape == (2, 1, 3, 1)
    assert x.permute(dims=(2, 0, 1)).shape == (3, 2, 1) and x.transpose(dim0=0, dim1=2).shape == (3, 1, 2)
    with pytest.raises(IndexError, match="squeeze: dimension 3 is out of range"):
        x.squeeze(3)


def test_tensor_subclasses_are_tensors_to_every_op():
    class Param(fg.Tensor):
        __slots__ = ()

    p = Param(np.array([1.0, 2.0]), requires_grad=True)
    (p * p).sum().backward()
    np.testing.assert_array_equal(p.grad, [2.0, 4.0])
