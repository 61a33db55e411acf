"""PyTorch's functions added under their own names (acos, copysign, matrix_exp, cummax, trapezoid,
hsplit, histogram, result_type, ...): values and input gradients against PyTorch in float64,
gradients against central differences, integer and bool results against PyTorch, and refusals."""
import numpy as np
import pytest

import fastgrad as fg
from refusals import refusal_test
from torch_parity import assert_same_result, check_against_torch

TOL = dict(rtol=1e-10, atol=1e-12)

# Where each case draws its inputs from.
DOMAINS = {
    "any": lambda rng, s: rng.standard_normal(s),
    "unit": lambda rng, s: rng.uniform(-0.9, 0.9, s),
    "above1": lambda rng, s: rng.uniform(1.1, 3.0, s),
    "positive": lambda rng, s: rng.uniform(0.5, 2.0, s),
    "increasing": lambda rng, s: np.cumsum(rng.uniform(0.1, 1.0, s), axis=-1),
    "spd": lambda rng, s: (lambda a: a @ np.swapaxes(a, -1, -2) + np.eye(s[-1]))(rng.standard_normal(s)),
}

# (name, args, kwargs, input shapes, domain, which result of a tuple to take or None)
DIFFERENTIABLE = [
    ("acos", (), {}, [(3, 4)], "unit", None),
    ("asin", (), {}, [(5,)], "unit", None),
    ("atan", (), {}, [(2, 3)], "any", None),
    ("acosh", (), {}, [(4,)], "above1", None),
    ("asinh", (), {}, [(2, 2)], "any", None),
    ("atanh", (), {}, [()], "unit", None),
    ("negative", (), {}, [(3,)], "any", None),
    ("positive", (), {}, [(2, 3)], "any", None),
    ("swapdims", (0, 2), {}, [(2, 3, 4)], "any", None),
    ("ravel", (), {}, [(2, 3)], "any", None),
    ("fliplr", (), {}, [(3, 4, 2)], "any", None),
    ("flipud", (), {}, [(4,)], "any", None),
    ("deg2rad", (), {}, [(3,)], "any", None),
    ("rad2deg", (), {}, [(2, 2)], "any", None),
    ("diagflat", (), {}, [(2, 2)], "any", None),
    ("diagflat", (), dict(offset=-1), [(3,)], "any", None),
    ("copysign", (-0.0,), {}, [(3, 4)], "any", None),
    ("copysign", (2.0,), {}, [(3,)], "any", None),
    ("float_power", (), {}, [(3,), (3,)], "positive", None),
    ("float_power", (2.5,), {}, [(2, 3)], "positive", None),
    ("rsub", (), dict(alpha=2.0), [(3, 2), (2,)], "any", None),
    ("logdet", (), {}, [(3, 3)], "spd", None),
    ("logdet", (), {}, [(2, 4, 4)], "spd", None),
    ("matrix_exp", (), {}, [(3, 3)], "any", None),
    ("matrix_exp", (), {}, [(2, 4, 4)], "any", None),
    ("matrix_exp", (), {}, [(1, 1)], "any", None),
    ("inverse", (), {}, [(3, 3)], "spd", None),
    ("pinverse", (), {}, [(3, 5)], "any", None),
    ("vander", (), {}, [(4,)], "any", None),
    ("vander", (), dict(N=3, increasing=True), [(5,)], "any", None),
    ("trapezoid", (), {}, [(3, 5)], "any", None),
    ("trapezoid", (), dict(dx=0.5, dim=0), [(3, 5)], "any", None),
    ("trapezoid", (), dict(dim=1), [(2, 4), (4,)], "increasing", None),
    ("trapz", (), {}, [(3, 4), (3, 4)], "increasing", None),
    ("cumulative_trapezoid", (), {}, [(3, 5)], "any", None),
    ("cumulative_trapezoid", (), dict(dim=0), [(4, 2), (4, 2)], "any", None),
    ("cummax", (1,), {}, [(3, 5)], "any", 0),
    ("cummin", (0,), {}, [(4, 2)], "any", 0),
    ("cummax", (0,), {}, [()], "any", 0),
    ("hsplit", (2,), {}, [(3, 4)], "any", None),
    ("hsplit", ([1, 3],), {}, [(5,)], "any", None),
    ("vsplit", (3,), {}, [(6, 2)], "any", None),
    ("dsplit", ([1],), {}, [(2, 2, 3)], "any", None),
]
STACKING = [("column_stack", [(3,), (3, 2), (3,)]), ("column_stack", [(), ()]), ("row_stack", [(3,), (2, 3)])]


def _run(module, name, args, kwargs, pick):
    def run(*tensors):
        result = getattr(module, name)(*tensors, *args, **kwargs)
        if pick is not None:
            result = result[pick]
        if isinstance(result, tuple):   # the pieces of a split, joined for comparison
            result = module.cat([piece.reshape(-1) for piece in result])
        return result

    return run


def _ids(cases):
    return [f"{c[0]}{c[1]}{c[2]}{c[3]}" for c in cases]


def _arrays(case, rng):
    return [DOMAINS[case[4]](rng, s) for s in case[3]]


@pytest.mark.parametrize("case", DIFFERENTIABLE, ids=_ids(DIFFERENTIABLE))
def test_values_and_gradients_match_pytorch(case, rng):
    torch = pytest.importorskip("torch")
    name, args, kwargs, _, _, pick = case
    if name == "vander":   # PyTorch 2.13's vander backward fails (an in-place error of its own): values only
        arrays = _arrays(case, rng)
        got = _run(fg, name, args, kwargs, pick)(*(fg.tensor(a) for a in arrays))
        np.testing.assert_allclose(got.numpy(), _run(torch, name, args, kwargs, pick)(
            *(torch.tensor(a) for a in arrays)).numpy(), **TOL)
        return
    check_against_torch(torch, _run(fg, name, args, kwargs, pick), _run(torch, name, args, kwargs, pick),
                        _arrays(case, rng), rng, TOL)


@pytest.mark.parametrize("case", DIFFERENTIABLE, ids=_ids(DIFFERENTIABLE))
def test_gradients_match_central_differences(case, rng):
    name, args, kwargs, _, _, pick = case
    leaves = [fg.tensor(a, requires_grad=True) for a in _arrays(case, rng)]
    assert fg.gradcheck(_run(fg, name, args, kwargs, pick), leaves)


@pytest.mark.parametrize("name, shapes", STACKING, ids=[f"{n}{s}" for n, s in STACKING])
def test_stacking_matches_pytorch(name, shapes, rng):
    torch = pytest.importorskip("torch")
    arrays = [rng.standard_normal(s) for s in shapes]
    check_against_torch(torch, lambda *t: getattr(fg, name)(list(t)), lambda *t: getattr(torch, name)(list(t)),
                        arrays, rng, TOL)


def test_matrix_exp_of_a_large_matrix_and_its_second_derivative_match_pytorch(rng):
    torch = pytest.importorskip("torch")
    a = rng.standard_normal((4, 4)) * 6
    expected = torch.matrix_exp(torch.tensor(a)).numpy()
    np.testing.assert_allclose(fg.matrix_exp(fg.tensor(a)).numpy(), expected, rtol=1e-11,
                               atol=1e-13 * np.abs(expected).max())
    b = rng.standard_normal((3, 3))
    mine, theirs = fg.tensor(b, requires_grad=True), torch.tensor(b, requires_grad=True)
    (g,) = fg.autograd.grad(fg.matrix_exp(mine).sum(), mine, create_graph=True)
    (g * g).sum().backward()
    (gt,) = torch.autograd.grad(torch.matrix_exp(theirs).sum(), theirs, create_graph=True)
    (gt * gt).sum().backward()
    np.testing.assert_allclose(mine.grad.numpy(), theirs.grad.numpy(), rtol=1e-9, atol=1e-11)


def test_logdet_of_negative_and_zero_determinants_matches_pytorch():
    torch = pytest.importorskip("torch")
    for a in (np.diag([1.0, -2.0]), np.zeros((2, 2)), np.eye(3)):
        np.testing.assert_array_equal(fg.logdet(fg.tensor(a)).numpy(), torch.logdet(torch.tensor(a)).numpy())


# ---- results without a gradient: compared with PyTorch's, dtype included ----------------------------

def _x(kind):
    return {"floats": np.array([[-1.5, 0.0, -0.0, 2.0], [np.nan, 3.0, -np.inf, 1.0]]),
            "ints": np.array([[12, -18, 0, 7], [0, 5, 40, -9]]),
            "ties": np.array([[1.0, 3.0, 3.0, 2.0, np.nan, 5.0, np.nan], [4.0, 4.0, 1.0, 1.0, 0.0, 2.0, 0.0]]),
            "samples": np.random.default_rng(5).standard_normal(37)}[kind]   # no sample on an edge


# (name, the call with the library as `t` and a tensor-maker as `T`)
NO_GRADIENT = [
    ("signbit", lambda t, T: t.signbit(T(_x("floats")))),
    ("signbit ints", lambda t, T: t.signbit(T(_x("ints")))),
    ("gcd", lambda t, T: t.gcd(T(_x("ints")), T(_x("ints")[::-1].copy()))),
    ("lcm", lambda t, T: t.lcm(T(_x("ints")), T(np.array([3, 4, 5, 6])))),
    ("isin", lambda t, T: t.isin(T(_x("ints")), T(np.array([0, 7, 40])))),
    ("isin invert", lambda t, T: t.isin(T(_x("ints")), T(np.array([0, 7])), invert=True)),
    ("isin number", lambda t, T: t.isin(T(_x("ints")), 5)),
    ("copysign ints", lambda t, T: t.copysign(T(np.array([1, -2, 3])), T(np.array([-1, 1, -0.0])))),
    ("deg2rad ints", lambda t, T: t.deg2rad(T(np.array([180, -90])))),
    ("float_power ints", lambda t, T: t.float_power(T(np.array([2, 3])), 2)),
    ("cummax ties and nan", lambda t, T: t.cummax(T(_x("ties")), 1)),
    ("cummin ties and nan", lambda t, T: t.cummin(T(_x("ties")), -1)),
    ("cummax ints", lambda t, T: t.cummax(T(_x("ints")), 0)),
    ("cummin empty", lambda t, T: t.cummin(T(np.zeros((2, 0))), 1)),
    ("tril_indices", lambda t, T: t.tril_indices(3, 4, -1)),
    ("triu_indices", lambda t, T: t.triu_indices(4, 3, 1)),
    ("triu_indices empty", lambda t, T: t.triu_indices(0, 2)),
    ("unravel_index", lambda t, T: t.unravel_index(T(np.array([[-1, 4], [6, 0]])), (2, 3))),
    ("unravel_index int", lambda t, T: t.unravel_index(T(np.array(13)), (2, 3, 4))),
    ("histogram bins", lambda t, T: t.histogram(T(_x("samples")), 5)),
    ("histogram range", lambda t, T: t.histogram(T(_x("samples")), 4, range=(-1.0, 1.0))),
    ("histogram edges density", lambda t, T: t.histogram(T(_x("samples")), T(np.array([-2.0, 0.0, 0.5, 3.0])),
                                                         density=True)),
    ("histogram weight", lambda t, T: t.histogram(T(_x("samples")), 3, weight=T(np.linspace(0, 1, 37)))),
    ("histogram constant", lambda t, T: t.histogram(T(np.ones(3)), 3)),
    ("histogram default bins", lambda t, T: t.histogram(T(_x("samples")))),
    ("scalar_tensor", lambda t, T: t.scalar_tensor(3)),
    ("scalar_tensor dtype", lambda t, T: t.scalar_tensor(2.5, dtype=t.float64)),
    ("vander ints", lambda t, T: t.vander(T(np.array([1, 2, 3])))),
    ("vander N=0", lambda t, T: t.vander(T(np.array([1.0, 2.0])), N=0)),
    ("is_complex", lambda t, T: (t.is_complex(T(_x("floats"))), t.is_complex(T(np.array([1j]))))),
    ("is_signed", lambda t, T: [t.is_signed(T(np.array([1], dtype=d))) for d in (np.uint8, np.int8, bool, float)]),
    ("is_nonzero", lambda t, T: (t.is_nonzero(T(np.array([0.0]))), t.is_nonzero(T(np.array([[2]]))))),
    ("is_same_size", lambda t, T: (t.is_same_size(T(np.ones((2, 3))), T(np.zeros((2, 3)))),
                                   t.is_same_size(T(np.ones(3)), T(np.ones((1, 3)))))),
]


@pytest.mark.parametrize("name, call", NO_GRADIENT, ids=[n for n, _ in NO_GRADIENT])
def test_results_without_gradient_match_pytorch(name, call):
    torch = pytest.importorskip("torch")
    assert_same_result(call(fg, fg.tensor), call(torch, torch.tensor), rtol=1e-12)


DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64",
          "complex64", "complex128"]


def _dtype(library, name):
    return getattr(library, name)


def test_promote_types_and_can_cast_match_pytorch_over_all_dtype_pairs():
    torch = pytest.importorskip("torch")
    pytest.importorskip("ml_dtypes")
    for a in DTYPES:
        for b in DTYPES:
            expected = str(torch.promote_types(_dtype(torch, a), _dtype(torch, b))).replace("torch.", "")
            assert fg.promote_types(_dtype(fg, a), _dtype(fg, b)).name == expected, (a, b)
            assert fg.can_cast(_dtype(fg, a), _dtype(fg, b)) == torch.can_cast(_dtype(torch, a), _dtype(torch, b))


RESULT_TYPE_OPERANDS = [
    (("int64", (2,)), 1.0), (("int32", (2,)), ("float64", ())), (("float16", (2,)), ("float64", ())),
    (("int8", (2,)), ("int64", ())), (("bool", (2,)), 3), (True, 2), (2, 3.0), (("uint8", ()), -1),
    (("float32", (2,)), 1j), (("float64", (2,)), 1j), (("int16", ()), ("int8", (3,))), (("bool", ()), 2.5),
]


@pytest.mark.parametrize("operands", RESULT_TYPE_OPERANDS, ids=[str(o) for o in RESULT_TYPE_OPERANDS])
def test_result_type_matches_pytorch(operands):
    torch = pytest.importorskip("torch")

    def made(library, operand):
        if isinstance(operand, tuple):
            return library.zeros(operand[1], dtype=getattr(library, operand[0]))
        return operand

    expected = torch.result_type(*(made(torch, o) for o in operands))
    assert fg.result_type(*(made(fg, o) for o in operands)).name == str(expected).replace("torch.", "")


def test_aliases_are_the_functions_they_rename():
    assert fg.acos is fg.arccos and fg.atanh is fg.arctanh and fg.swapdims is fg.swapaxes
    assert fg.row_stack is fg.vstack and fg.trapz is fg.trapezoid and fg.vmap is fg.func.vmap
    assert fg.inverse is fg.linalg.inv and fg.greater is fg.gt and fg.not_equal is fg.ne


def test_vmap_at_the_top_maps_over_a_batch(rng):
    x = rng.standard_normal((4, 3))
    out = fg.vmap(lambda row: (row * row).sum())(fg.tensor(x))
    np.testing.assert_allclose(out.numpy(), (x * x).sum(axis=1), **TOL)


_M = fg.tensor(np.ones((2, 3)))
test_bad_arguments_are_refused = refusal_test([
    (lambda: fg.positive(fg.tensor([True])), TypeError, "argument 'input' is a bool tensor"),
    (lambda: fg.gcd(_M, _M), TypeError, "argument 'input' must be an integer tensor"),
    (lambda: fg.lcm(fg.tensor([2]), 1.5), TypeError, "argument 'other' must be an integer tensor"),
    (lambda: fg.signbit(fg.tensor(np.array([1j]))), TypeError, "argument 'input' is complex"),
    (lambda: fg.isin(1, 2), TypeError, "at least one of 'elements' and 'test_elements'"),
    (lambda: fg.rsub(fg.tensor([True]), 1), TypeError, "argument 'input' is a bool tensor"),
    (lambda: fg.scalar_tensor([1, 2]), TypeError, "argument 's' must be a number"),
    (lambda: fg.float_power(2, 3), TypeError, "at least one of 'input' and 'exponent'"),
    (lambda: fg.is_nonzero(_M), RuntimeError, "more than one value"),
    (lambda: fg.is_nonzero(fg.tensor([])), RuntimeError, "no values"),
    (lambda: fg.is_complex(np.ones(2)), TypeError, "argument 'input' must be a Tensor"),
    (lambda: fg.promote_types("no-such", fg.float32), TypeError, "argument 'type1' must be a bool, integer"),
    (lambda: fg.can_cast(fg.float32, object), TypeError, "argument 'to' must be a bool, integer"),
    (lambda: fg.result_type(_M, "x"), TypeError, "arguments must be tensors or numbers"),
    (lambda: fg.logdet(_M), RuntimeError, "argument 'A' must be a batch of square matrices"),
    (lambda: fg.matrix_exp(fg.tensor([[1, 2], [3, 4]])), TypeError, "argument 'A' must be floating"),
    (lambda: fg.vander(_M), RuntimeError, "argument 'x' must be a 1-D tensor"),
    (lambda: fg.vander(fg.tensor([1.0]), N=-1), ValueError, "argument 'N' must be a non-negative int"),
    (lambda: fg.cummax(fg.tensor(np.array([1j])), 0), TypeError, "argument 'input' is complex"),
    (lambda: fg.cummin(_M, 2), ValueError, "axis 2 is out of bounds"),
    (lambda: fg.trapezoid(_M, _M, dx=1.0), TypeError, "pass sample points 'x' or a spacing 'dx', not both"),
    (lambda: fg.trapezoid(_M, fg.tensor([1.0, 2.0])), RuntimeError, "argument 'x' has 2 points"),
    (lambda: fg.cumulative_trapezoid(fg.tensor(1.0)), RuntimeError, "argument 'y' must have at least one"),
    (lambda: fg.fliplr(fg.tensor([1.0])), RuntimeError, "argument 'input' must have at least 2 dimension"),
    (lambda: fg.hsplit(fg.tensor(np.ones(5)), 2), RuntimeError, "cannot be split into 2 equal parts"),
    (lambda: fg.vsplit(fg.tensor([1.0]), 1), RuntimeError, "argument 'input' must have at least 2"),
    (lambda: fg.dsplit(_M, 1), RuntimeError, "argument 'input' must have at least 3"),
    (lambda: fg.tril_indices(-1, 2), RuntimeError, "arguments 'row' and 'col' must be non-negative"),
    (lambda: fg.triu_indices(2, 2.0), TypeError, "argument 'col' must be an int"),
    (lambda: fg.tril_indices(2, 2, dtype=fg.float32), TypeError, "argument 'dtype' must be an integer"),
    (lambda: fg.unravel_index(fg.tensor([1.0]), (2,)), TypeError, "argument 'indices' must hold integers"),
    (lambda: fg.unravel_index(1, (2, -1)), ValueError, "argument 'shape' must hold non-negative ints"),
    (lambda: fg.unravel_index(1, (0, 2)), ValueError, "a shape with no elements"),
    (lambda: fg.column_stack(_M), TypeError, "argument 'tensors' must be a list or tuple"),
    (lambda: fg.histogram(fg.tensor([1, 2]), 2), TypeError, "argument 'input' must be a floating tensor"),
    (lambda: fg.histogram(_M, 0), ValueError, "argument 'bins' must be a positive int"),
    (lambda: fg.histogram(_M, fg.tensor([2.0, 1.0])), ValueError, "1-D increasing"),
    (lambda: fg.histogram(_M, 2, range=(1.0, 0.0)), ValueError, "argument 'range' must be (min, max)"),
    (lambda: fg.histogram(_M, 2, weight=fg.tensor([1.0])), ValueError, "argument 'weight' has shape"),
], r"^(positive|gcd|lcm|signbit|isin|rsub|scalar_tensor|float_power|is_nonzero|is_complex|promote_types|"
   r"can_cast|result_type|logdet|matrix_exp|vander|cummax|cummin|trapezoid|cumulative_trapezoid|fliplr|hsplit|"
   r"vsplit|dsplit|tril_indices|triu_indices|unravel_index|column_stack|histogram)")
