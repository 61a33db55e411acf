"""The constants, tensor queries (typename, is_conj, get_device, is_cpu, ...), fill / asarray /
detach at the top level, and the bitwise functions, methods and operators, against PyTorch."""
import math
import operator

import numpy as np
import pytest

import fastgrad as fg
from refusals import refusal_test


def test_constants_are_pytorchs():
    torch = pytest.importorskip("torch")
    for name in ("pi", "e", "inf"):
        assert getattr(fg, name) == getattr(torch, name)
    assert math.isnan(fg.nan) and fg.newaxis is None is torch.newaxis
    assert fg.ones(3)[:, fg.newaxis].shape == (3, 1)


def test_typename_names_tensors_by_their_type_and_other_objects_by_class():
    torch = pytest.importorskip("torch")
    assert fg.typename(fg.zeros(2, dtype=fg.int64)) == fg.zeros(2, dtype=fg.int64).type()
    assert fg.typename(fg.ones(2)).split(".")[1] == torch.typename(torch.ones(2)).split(".")[1]
    assert fg.typename(1.5) == torch.typename(1.5) == "float"
    linear = fg.nn.Linear(1, 1)
    assert fg.typename(linear) == f"{type(linear).__module__}.Linear"
    assert fg.typename(fg.nn.Linear) == fg.typename(linear)


def test_conjugation_and_negation_bits_are_never_set():
    torch = pytest.importorskip("torch")
    for values in ([1.0, -2.0], [1 + 2j, 3j]):
        x, t = fg.tensor(values), torch.tensor(values)
        assert fg.is_conj(x) is False and x.is_conj() is False and x.is_neg() is False
        assert x.resolve_conj() is x and x.resolve_neg() is x and fg.resolve_conj(x) is x
        np.testing.assert_array_equal(fg.conj(x).numpy(), torch.conj(t).resolve_conj().numpy())
        np.testing.assert_array_equal(fg.conj_physical(x).numpy(), torch.conj_physical(t).numpy())
        y = x.clone()
        assert y.conj_physical_() is y
        np.testing.assert_array_equal(y.numpy(), torch.conj_physical(t).numpy())


def test_device_queries():
    x = fg.ones(2)
    assert x.is_cpu is True and x.get_device() == -1 and x.is_inference() is False


def test_top_level_detach_fill_and_zero():
    torch = pytest.importorskip("torch")
    x = fg.tensor([1.0, 2.0], requires_grad=True)
    d = fg.detach(x * 2)
    assert not d.requires_grad
    y = x * 3
    assert fg.detach_(y) is y and not y.requires_grad
    z = fg.zeros(3)
    assert fg.fill_(z, 2.5) is z and z.tolist() == [2.5] * 3
    assert fg.zero_(z) is z and z.tolist() == [0.0] * 3
    # fill: a new tensor; input gets a zero gradient, a 0-d tensor value the sum
    for lib in (fg, torch):
        a = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        v = lib.tensor(4.0, dtype=lib.float64, requires_grad=True)
        out = lib.fill(a, v)
        (out * lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64)).sum().backward()
        if lib is fg:
            mine = (out.numpy(), a.grad.numpy(), v.grad.numpy(), a.detach().numpy())
        else:
            theirs = (out.detach().numpy(), a.grad.numpy(), v.grad.numpy(), a.detach().numpy())
    for m, t in zip(mine, theirs):
        np.testing.assert_array_equal(m, t)
    assert fg.fill(fg.zeros(2, dtype=fg.int64), 3).dtype == np.int64


def test_asarray_shares_copies_and_refuses_like_pytorch():
    torch = pytest.importorskip("torch")
    a = np.zeros(3)
    shared = fg.asarray(a)
    shared[0] = 1.0
    assert a[0] == 1.0
    copied = fg.asarray(a, copy=True)
    copied[1] = 5.0
    assert a[1] == 0.0
    t = fg.ones(2)
    assert fg.asarray(t) is t
    assert fg.asarray([1, 2]).dtype == torch.asarray([1, 2]).numpy().dtype
    assert fg.asarray([1.0, 2.0]).dtype == torch.asarray([1.0, 2.0]).numpy().dtype
    leaf = fg.asarray([1.0, 2.0], requires_grad=True)
    assert leaf.requires_grad and leaf.is_leaf
    assert fg.asarray(a, dtype=fg.float32).dtype == np.float32
    assert fg.default_generator is fg.manual_seed(3)


test_asarray_refusals = refusal_test([
    (lambda: fg.asarray(np.zeros(2), dtype=fg.float32, copy=False), ValueError, "has to be copied"),
    (lambda: fg.asarray([1, 2], copy=False), ValueError, "has to be copied"),
    (lambda: fg.asarray([1, 2], requires_grad=True), RuntimeError, "only floating point"),
    (lambda: fg.is_conj([1.0]), TypeError, "must be a Tensor"),
], "^(asarray|is_conj)")


# ---- bitwise -------------------------------------------------------------------------------

INTS = np.array([[12, -7, 0, 5], [255, 3, -128, 64]], dtype=np.int64)
SHIFTS = np.array([[1, 0, 3, 63], [64, -1, 2, 70]], dtype=np.int64)


def _pair(torch, a, dtype):
    return fg.tensor(a.astype(dtype)), torch.tensor(a.astype(dtype))


@pytest.mark.parametrize("name", ["bitwise_and", "bitwise_or", "bitwise_xor"])
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.int8, np.bool_])
def test_bitwise_binary_functions_match_pytorch(name, dtype):
    torch = pytest.importorskip("torch")
    (x, tx), (y, ty) = _pair(torch, INTS, dtype), _pair(torch, INTS[:, ::-1] + 1, dtype)
    for got, expected in ((getattr(fg, name)(x, y), getattr(torch, name)(tx, ty)),
                          (getattr(x, name)(y), getattr(tx, name)(ty)),
                          (getattr(fg, name)(x, 6), getattr(torch, name)(tx, 6)),
                          (getattr(fg, name)(x[:, ::2], y[0, ::2]), getattr(torch, name)(tx[:, ::2], ty[0, ::2]))):
        assert got.dtype == expected.numpy().dtype
        np.testing.assert_array_equal(got.numpy(), expected.numpy())


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.int16])
@pytest.mark.parametrize("name", ["bitwise_left_shift", "bitwise_right_shift"])
def test_shifts_match_pytorch_including_out_of_range_amounts(name, dtype):
    torch = pytest.importorskip("torch")
    (x, tx), (s, ts) = _pair(torch, INTS, dtype), _pair(torch, SHIFTS, dtype)
    got, expected = getattr(fg, name)(x, s), getattr(torch, name)(tx, ts)
    assert got.dtype == expected.numpy().dtype
    np.testing.assert_array_equal(got.numpy(), expected.numpy())
    np.testing.assert_array_equal(getattr(fg, name)(x, 2).numpy(), getattr(torch, name)(tx, 2).numpy())


@pytest.mark.parametrize("dtype", [np.int64, np.uint8, np.bool_])
def test_bitwise_not_and_invert(dtype):
    torch = pytest.importorskip("torch")
    x, tx = _pair(torch, INTS, dtype)
    np.testing.assert_array_equal(fg.bitwise_not(x).numpy(), torch.bitwise_not(tx).numpy())
    np.testing.assert_array_equal((~x).numpy(), (~tx).numpy())
    y = x.clone()
    assert y.bitwise_not_() is y
    np.testing.assert_array_equal(y.numpy(), (~tx).numpy())


OPERATORS = [operator.and_, operator.or_, operator.xor, operator.lshift, operator.rshift]


@pytest.mark.parametrize("op", OPERATORS, ids=lambda o: o.__name__)
def test_operators_reflected_and_in_place_forms_match_pytorch(op):
    torch = pytest.importorskip("torch")
    (x, tx), (y, ty) = _pair(torch, INTS, np.int32), _pair(torch, np.abs(SHIFTS) % 5, np.int32)
    np.testing.assert_array_equal(op(x, y).numpy(), op(tx, ty).numpy())
    np.testing.assert_array_equal(op(3, y).numpy(), op(3, ty).numpy())
    np.testing.assert_array_equal(op(x, 2).numpy(), op(tx, 2).numpy())
    in_place = {operator.and_: operator.iand, operator.or_: operator.ior, operator.xor: operator.ixor,
                operator.lshift: operator.ilshift, operator.rshift: operator.irshift}[op]
    version = x._version[0]
    mine, theirs = in_place(x, y), in_place(tx, ty)
    assert mine is x and x._version[0] == version + 1
    np.testing.assert_array_equal(x.numpy(), theirs.numpy())


def test_in_place_bitwise_methods_and_bool_masks():
    torch = pytest.importorskip("torch")
    (x, tx) = _pair(torch, INTS, np.int64)
    for name in ("bitwise_and_", "bitwise_or_", "bitwise_xor_", "bitwise_left_shift_", "bitwise_right_shift_"):
        a, ta = x.clone(), tx.clone()
        assert getattr(a, name)(3) is a
        np.testing.assert_array_equal(a.numpy(), getattr(ta, name)(3).numpy())
    v = fg.tensor([-1.0, 0.5, 2.0])
    np.testing.assert_array_equal(((v > 0) & (v < 1)).numpy(), [False, True, False])
    np.testing.assert_array_equal(((v > 0) | ~(v < 1)).numpy(), [False, True, True])


def test_bitwise_with_empty_and_zero_dim_tensors():
    torch = pytest.importorskip("torch")
    for a in (np.zeros((0, 3), dtype=np.int64), np.array(6)):
        got, expected = fg.bitwise_xor(fg.tensor(a), 5), torch.bitwise_xor(torch.tensor(a), 5)
        assert got.shape == tuple(expected.shape)
        np.testing.assert_array_equal(got.numpy(), expected.numpy())


test_bitwise_refusals = refusal_test([
    (lambda: fg.bitwise_and(fg.ones(2), fg.ones(2)), TypeError, "integer or bool"),
    (lambda: fg.ones(2) | 1, TypeError, "integer or bool"),
    (lambda: fg.bitwise_or(fg.tensor([1]), 1.5), TypeError, "argument 'other'"),
    (lambda: fg.bitwise_not(fg.ones(2)), TypeError, "integer or bool"),
    (lambda: fg.bitwise_left_shift(fg.tensor([True]), fg.tensor([True])), TypeError, "not defined for bool"),
    (lambda: fg.bitwise_and(1, 2), TypeError, "at least one"),
    (lambda: fg.tensor([True]).bitwise_and_(fg.tensor([3])), RuntimeError, "cannot be written"),
], "^bitwise_")
