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
    w = fg.tensor([3.0, 4.0, 5.0])
    z = (x * w).sum()  # saves w
    w += 1  # w needs no grad: written in place
    with pytest.raises(RuntimeError, match=r"MulBackward: .*modified by an in-place operation"):
        z.backward()


def test_register_compiled_rule_rejects_unknown_names():
    with pytest.raises(ValueError, match="register_compiled_rule: name must be one of"):
        register_compiled_rule(Mul, "matmul")
