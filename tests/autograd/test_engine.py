"""The backward engine: accumulation, freeing, errors, hooks, grad modes, in-place detection."""
import numpy as np
import pytest

import fastgrad as fg
from grad_modes import assert_decorators_record_nothing


def test_leaves_accumulate_until_cleared():
    x = fg.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad, [6.0, 6.0])
    x.grad = None
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_grad_is_a_tensor_over_a_plain_array_of_the_tensors_dtype_and_shape():
    x = fg.tensor(np.ones((2, 3), np.float32), requires_grad=True)
    y = fg.tensor(np.ones(3, np.float64))
    (x * y).sum().backward()
    assert isinstance(x.grad, fg.Tensor) and not x.grad.requires_grad and x.grad.grad_fn is None
    assert type(x.grad._data) is np.ndarray and x.grad.dtype == np.float32 and x.grad.shape == (2, 3)
    assert np.asarray(x.grad) is x.grad._data  # no copy


def test_grad_can_be_assigned_arrays_tensors_or_none_of_the_right_shape():
    x = fg.tensor([1.0, 2.0], requires_grad=True)
    g = np.array([3.0, 4.0], np.float32)
    x.grad = g
    assert isinstance(x.grad, fg.Tensor) and x.grad._data is g
    x.grad = fg.tensor([1.0, 1.0])
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])
    with pytest.raises(RuntimeError, match="grad: assigned grad has shape"):
        x.grad = np.zeros(3)
    with pytest.raises(TypeError, match="grad: assigned grad must be"):
        x.grad = [1.0, 2.0]
    x.grad = None
    assert x.grad is None


def test_shared_gradient_arrays_are_not_aliased():
    x = fg.tensor([1.0, 2.0], requires_grad=True)
    y = fg.tensor([3.0, 4.0], requires_grad=True)
    (x + y).sum().backward()
    x.grad *= 10  # an in-place change to one gradient ...
    np.testing.assert_array_equal(y.grad, [1.0, 1.0])  # ... leaves the other alone
    z = fg.tensor(np.zeros((2, 3)), requires_grad=True)
    z.sum().backward()
    assert z.grad._data.flags.writeable and z.grad._data.base is None


def test_user_gradient_array_is_copied():
    x = fg.tensor([1.0, 2.0], requires_grad=True)
    g = np.array([1.0, 1.0])
    (x + 0.0).backward(g)
    x.grad += 1
    np.testing.assert_array_equal(g, [1.0, 1.0])


def test_nonscalar_backward_needs_gradient():
    x = fg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        (x * 2).backward()
    (x * 2).backward(np.array([1.0, 0.5]))
    np.testing.assert_array_equal(x.grad, [2.0, 1.0])


def test_gradient_of_wrong_shape_is_rejected():
    x = fg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"gradient has shape \(3,\)"):
        (x * 2).backward(np.ones(3))


def test_second_backward_through_freed_graph_raises():
    x = fg.tensor(2.0, requires_grad=True)
    y = x.exp() * x
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = fg.tensor(2.0, requires_grad=True)
    y = x * x
    y.backward(retain_graph=True)
    y.backward()
    assert float(x.grad) == 8.0


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        fg.tensor(1.0).backward()


def test_integer_tensor_cannot_require_grad():
    with pytest.raises(RuntimeError, match="only floating point"):
        fg.tensor([1, 2, 3], requires_grad=True)


def test_leaf_backward_sets_ones():
    x = fg.tensor(3.0, requires_grad=True)
    x.backward()
    assert float(x.grad) == 1.0


def test_million_op_chain_has_no_recursion_error():
    x = fg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(1_000_000):
        y = y + 0.0
    y.backward()
    assert float(x.grad) == 1.0


def test_diamond_graph_sums_paths():
    x = fg.tensor(3.0, requires_grad=True)
    a = x * 2
    b = a * a + a.exp() + a  # a used three times
    b.backward()
    assert float(x.grad) == pytest.approx(2 * (2 * 6.0 + np.exp(6.0) + 1))


def test_no_grad_and_decorators():
    x = fg.tensor(1.0, requires_grad=True)
    with fg.no_grad():
        assert not (x * 2).requires_grad
        assert not fg.is_grad_enabled()
        with fg.enable_grad():
            assert (x * 2).requires_grad
    assert fg.is_grad_enabled()

    assert_decorators_record_nothing(fg.no_grad, x)
    with fg.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad


def test_inplace_on_leaf_requiring_grad_raises():
    x = fg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        x += 1
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        x[0] = 5.0
    with fg.no_grad():
        x -= 1
    np.testing.assert_array_equal(x._data, [0.0, 1.0])


def test_modifying_saved_tensor_is_detected():
    w = fg.tensor([1.0, 2.0], requires_grad=True)
    x = fg.tensor([3.0, 4.0])
    y = (w * x).sum()  # saves x
    x += 1  # x needs no grad: written in place
    with pytest.raises(RuntimeError, match=r"MulBackward: .*modified by an in-place operation"):
        y.backward()


def test_modifying_through_a_view_is_detected():
    w = fg.tensor([1.0, 2.0], requires_grad=True)
    x = fg.tensor([3.0, 4.0])
    y = (w * x).sum()
    v = x[0:1]
    v[0] = 7.0
    with pytest.raises(RuntimeError, match="in-place"):
        y.backward()


def test_inplace_on_recorded_tensor_keeps_exact_gradients():
    x = fg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0
    z = y * y  # saves y
    y += 1  # recorded: y is re-pointed, z's saved values intact
    (z.sum() + y.sum()).backward()
    np.testing.assert_array_equal(x.grad, 2 * np.array([1.0, 2.0]) + 1)


def test_hooks_see_and_replace_gradients():
    x = fg.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    h = x.register_hook(lambda g: seen.append(g.copy()))
    y = x * 2
    y.register_hook(lambda g: g * 10)
    y.sum().backward()
    np.testing.assert_array_equal(seen[0], [20.0, 20.0])
    np.testing.assert_array_equal(x.grad, [20.0, 20.0])
    h.remove()
    x.grad = None
    (x * 1).sum().backward()
    assert len(seen) == 1


def test_retain_grad_on_intermediate():
    x = fg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.retain_grad()
    (y * y).sum().backward()
    np.testing.assert_array_equal(y.grad, [6.0, 12.0])


def test_autograd_grad_leaves_dot_grad_alone_and_reports_unused():
    x = fg.tensor(2.0, requires_grad=True)
    u = fg.tensor(1.0, requires_grad=True)
    (g,) = fg.autograd.grad(x * x, x)
    assert float(g._data) == 4.0 and x.grad is None
    with pytest.raises(RuntimeError, match="not used"):
        fg.autograd.grad(x * x, [x, u])
    gx, gu = fg.autograd.grad(x * x, [x, u], allow_unused=True)
    assert gu is None


def test_higher_order_derivatives():
    x = fg.tensor(1.5, requires_grad=True, dtype=np.float64)
    y = x.sin() * x ** 3
    (d1,) = fg.autograd.grad(y, x, create_graph=True)
    (d2,) = fg.autograd.grad(d1, x, create_graph=True)
    (d3,) = fg.autograd.grad(d2, x)
    v = 1.5
    assert float(d1._data) == pytest.approx(np.cos(v) * v ** 3 + 3 * v ** 2 * np.sin(v))
    assert float(d2._data) == pytest.approx(-np.sin(v) * v ** 3 + 6 * v ** 2 * np.cos(v) + 6 * v * np.sin(v))
    expected3 = (-np.cos(v) * v ** 3 - 9 * v ** 2 * np.sin(v) + 18 * v * np.cos(v) + 6 * np.sin(v))
    assert float(d3._data) == pytest.approx(expected3)


@pytest.mark.parametrize("fn", [
    lambda x: x.sigmoid().sum(), lambda x: x.relu().sum() * x.sum(), lambda x: (x.tanh() * x).prod(),
    lambda x: (x[[0, 0, 1]] ** 2).sum(), lambda x: x.max() * x.sum(), lambda x: (x.reshape(2, 1) @ x.reshape(1, 2)).sum() ** 2,
])
def test_hessian_vector_products_match_finite_differences(fn):
    rng = np.random.default_rng(0)
    x0 = rng.uniform(0.2, 1.0, 2)
    v = rng.standard_normal(2)

    def grad_at(p):
        x = fg.tensor(p, requires_grad=True)
        return fg.autograd.grad(fn(x), x)[0]._data

    x = fg.tensor(x0, requires_grad=True)
    (g,) = fg.autograd.grad(fn(x), x, create_graph=True)
    (hv,) = fg.autograd.grad((g * v).sum(), x, allow_unused=True)
    hv = np.zeros(2) if hv is None else hv._data
    eps = 1e-6
    numeric = (grad_at(x0 + eps * v) - grad_at(x0 - eps * v)) / (2 * eps)
    np.testing.assert_allclose(hv, numeric, rtol=1e-5, atol=1e-7)


class _BackwardMustNotRun(fg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 1.0

    @staticmethod
    def backward(ctx, g):
        raise AssertionError("autograd.grad ran a node that does not lead to the requested inputs")


def test_autograd_grad_runs_only_the_nodes_that_lead_to_the_inputs():
    a = fg.tensor([1.0, 2.0], requires_grad=True)
    b = fg.tensor([3.0, 4.0], requires_grad=True)
    hidden = _BackwardMustNotRun.apply(a)       # a non-leaf input: its own backward is not needed
    out = (hidden * hidden + _BackwardMustNotRun.apply(b)).sum()   # a branch to another leaf
    (g_hidden,) = fg.autograd.grad(out, [hidden], retain_graph=True)
    np.testing.assert_array_equal(g_hidden.data, [2.0, 4.0])
    with pytest.raises(AssertionError, match="does not lead"):
        fg.autograd.grad(out, [a])              # a lies past the node, so it must run


def test_autograd_grad_through_shared_subgraphs_reaches_every_input():
    # A node reached first through a short path and again through a long one is
    # decided only after all of its parents (a diamond over a non-leaf input).
    x = fg.tensor(2.0, requires_grad=True)
    y = x * 3.0
    z = y * y
    w = z + y * z
    (g,) = fg.autograd.grad(w, [y], create_graph=True)     # 2y + 3y^2 = 120
    assert float(g.data) == pytest.approx(120.0)
    (gg,) = fg.autograd.grad(g, [x])                        # (2 + 6y) * 3 = 114
    assert float(gg.data) == pytest.approx(114.0)
