"""The compiled rules of x + y, x - y, x * y, x / y, -x and x ** y give the same bits as the
Python rules of ops/elementwise.py, for every argument kind they accept."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.autograd._graph import register_compiled_rule
from fastgrad.ops.elementwise import Add, Div, Mul, Neg, Pow, Sub

RULES = {"add": Add, "sub": Sub, "mul": Mul, "div": Div, "neg": Neg, "pow": Pow}
OPS = {
    "add": lambda x, y: x + y, "sub": lambda x, y: x - y, "mul": lambda x, y: x * y,
    "div": lambda x, y: x / y, "neg": lambda x, y: -x, "rsub": lambda x, y: 2.5 - x,
    "pow": lambda x, y: x ** y, "square": lambda x, y: x ** 2, "pow0": lambda x, y: x ** 0,
    "pow1.5": lambda x, y: x ** 1.5, "rpow": lambda x, y: 2.0 ** x, "rdiv": lambda x, y: 3.0 / x,
    "rmul": lambda x, y: 1.5 * x, "both": lambda x, y: (x * y - y) / (-x + y),
}


def python_rules_only():
    """Unregister the compiled rules for the duration of a with block."""
    class Scope:
        def __enter__(self):
            for cls in RULES.values():
                register_compiled_rule(cls, None)

        def __exit__(self, *exc):
            for name, cls in RULES.items():
                register_compiled_rule(cls, name)

    return Scope()


def run(op, dtype, x_shape, y_shape, y_requires_grad, y_is_number):
    rng = np.random.default_rng(3)
    xa = rng.uniform(0.5, 2.0, x_shape).astype(dtype)
    x = fg.tensor(xa, requires_grad=True)
    y = 1.7 if y_is_number else fg.tensor(rng.uniform(0.5, 2.0, y_shape).astype(dtype),
                                          requires_grad=y_requires_grad)
    out = OPS[op](x, y)
    g = rng.standard_normal(out.shape).astype(out.dtype)
    out.backward(g)
    tensors = [x] if y_is_number else [x, y]
    return out.data, [None if t.grad is None else t.grad.data for t in tensors]


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shapes", [((5,), (5,)), ((3, 4), (4,)), ((), ()), ((2, 0), (0,)), ((1, 3), (2, 1))])
@pytest.mark.parametrize("y_kind", ["grad", "no-grad", "number"])
def test_compiled_and_python_rules_agree_bit_for_bit(op, dtype, shapes, y_kind):
    args = (op, dtype, *shapes, y_kind == "grad", y_kind == "number")
    compiled_out, compiled_grads = run(*args)
    with python_rules_only():
        python_out, python_grads = run(*args)
    assert compiled_out.dtype == python_out.dtype and compiled_out.shape == python_out.shape
    np.testing.assert_array_equal(compiled_out, python_out, strict=True)
    assert len(compiled_grads) == len(python_grads)
    for a, b in zip(compiled_grads, python_grads):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_array_equal(a, b, strict=True)


def test_a_rule_is_dropped_when_the_forward_is_replaced():
    # A class whose forward is no longer the registered one runs its own rules.
    original = Mul.forward
    calls = []

    def counting_forward(ctx, b, x, y):
        calls.append(1)
        return original(ctx, b, x, y)

    Mul.forward = staticmethod(counting_forward)
    try:
        x = fg.tensor([1.0, 2.0], requires_grad=True)
        (x * 3.0).sum().backward()
    finally:
        Mul.forward = staticmethod(original)
    assert calls == [1]
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])


def test_compiled_rules_keep_the_ops_name_in_errors_and_the_in_place_check():
    x = fg.tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match="^mul: "):
        x * fg.tensor(np.ones(4))
    w = fg.tensor(np.array([3.0, 4.0, 5.0]))  # x's dtype: a float32 w would be multiplied as a float64 copy
    z = (x * w).sum()  # saves w
    w += 1  # w needs no grad: written in place
    with pytest.raises(RuntimeError, match=r"MulBackward: .*modified by an in-place operation"):
        z.backward()


def test_register_compiled_rule_rejects_unknown_names():
    with pytest.raises(ValueError, match="register_compiled_rule: name must be one of"):
        register_compiled_rule(Mul, "matmul")


# Python floats meeting float32/float64 arrays: the engine converts each float to the
# array's dtype once and keeps it; results must be NumPy's own, bit for bit (an integer
# array meets a float in the default dtype, float32, as in PyTorch: ops/promotion.py).
EDGE_FLOATS = [1.01, 0.1, -2.5, 0.0, -0.0, float("nan"), float("inf"), -float("inf"), 1e300, -1e300,
               1e-50, 5e-324, 3.4028235e38, 3.4028236e38, 2.0 ** 24 + 1]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16, np.int64])
@pytest.mark.parametrize("shape", [(5,), ()])
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "radd", "rsub", "rmul", "rdiv"])
def test_python_float_operands_give_numpys_bits(dtype, shape, op):
    fns = {"add": lambda a, c: a + c, "sub": lambda a, c: a - c, "mul": lambda a, c: a * c,
           "div": lambda a, c: a / c, "radd": lambda a, c: c + a, "rsub": lambda a, c: c - a,
           "rmul": lambda a, c: c * a, "rdiv": lambda a, c: c / a}
    a = (np.arange(1, 6).reshape(shape or (5,))[:5] if shape else np.array(3)).astype(dtype)
    for c in EDGE_FLOATS:
        with np.errstate(all="ignore"):
            expected = np.asarray(fns[op](a.astype(np.float32) if a.dtype.kind == "i" else a, c))
            for requires_grad in (False, True) if a.dtype.kind == "f" else (False,):
                got = fns[op](fg.tensor(a, requires_grad=requires_grad), c).data
                np.testing.assert_array_equal(got, expected, strict=True, err_msg=f"{op} {c!r}")
                if got.dtype.kind == "f":  # the sign of zero too
                    np.testing.assert_array_equal(np.signbit(got), np.signbit(expected), err_msg=f"{op} {c!r}")


def test_many_distinct_float_operands_stay_exact():
    a = np.linspace(-3, 3, 7, dtype=np.float32)
    for k in range(1000):  # more values than the engine keeps converted
        c = 1.0 + k / 997.0
        np.testing.assert_array_equal((fg.tensor(a) * c).data, a * c, strict=True)


def test_a_float_operand_kept_by_backward_is_read_only_and_gives_the_same_gradient():
    x = fg.tensor(np.array([1.0, 2.0], np.float32), requires_grad=True)
    y = x / 3.0
    constant = y.grad_fn.saved_arrays[1]
    assert not np.asarray(constant).flags.writeable
    y.backward(np.ones(2, np.float32))
    np.testing.assert_array_equal(x.grad.data, np.ones(2, np.float32) / 3.0, strict=True)


def test_a_product_keeps_only_the_operands_its_gradients_need():
    # As in PyTorch: x * 2.0 needs 2.0 for x's gradient, not x, so x may then change in place.
    x = fg.tensor([1.0, 2.0], requires_grad=True)
    w = fg.tensor([3.0, 4.0])
    y = x * 2.0
    z = x * w  # w for x's gradient
    assert y.grad_fn.saved_arrays[0] is None
    assert z.grad_fn.saved_arrays[0] is None and z.grad_fn.saved_arrays[1] is w.data.numpy()
    q = x / w  # w for x's gradient; x only for w's, which is not needed
    assert q.grad_fn.saved_arrays[0] is None and q.grad_fn.saved_arrays[1] is w.data.numpy()
    r = w / x  # x's gradient needs both
    assert r.grad_fn.saved_arrays[0] is w.data.numpy() and r.grad_fn.saved_arrays[1] is x.data.numpy()
    with fg.no_grad():
        x.data[...] = 0.0  # not what y's backward needs
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0])


def test_a_hook_that_changes_the_dtype_still_gets_the_inputs_dtype_back():
    x = fg.tensor(np.ones(3, np.float32), requires_grad=True)
    y = x * 2.0
    y.register_hook(lambda g: g.astype(np.float64))
    (y + 1.0).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.data, np.full(3, 2.0, np.float32), strict=True)
