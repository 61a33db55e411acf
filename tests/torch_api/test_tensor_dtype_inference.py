"""tensor() and as_tensor() infer a sequence's dtype as PyTorch does: the dtypes of the Tensors,
NumPy arrays and NumPy scalars in it promoted with its Python numbers (a float counting as the
default dtype), so `tensor([R])` keeps a float64 R float64, while a list of Python floats takes the
default dtype."""
import numpy as np
import pytest
from torch_parity import float64_scripts, needs_torch

import fastgrad as fg

# name: (items, made with the library's module L, the dtype PyTorch infers under a float32 default)
CASES = {
    "float64 0-d tensor": (lambda L: [L.tensor(1.5, dtype=L.float64)], "float64"),
    "float64 0-d tensor and a float": (lambda L: [L.tensor(1.5, dtype=L.float64), 2.0], "float64"),
    "tuple of a float64 tensor": (lambda L: (L.tensor(1.5, dtype=L.float64),), "float64"),
    "float64 tensor needing grad": (lambda L: [L.tensor(1.5, dtype=L.float64, requires_grad=True) * 2], "float64"),
    "nested float64 tensors": (lambda L: [[L.tensor(1.5, dtype=L.float64), L.tensor(-2.0, dtype=L.float64)]],
                               "float64"),
    "float32 tensor and a float": (lambda L: [L.tensor(1.5), 2.0], "float32"),
    "float16 tensor and a float": (lambda L: [L.tensor(1.5, dtype=L.float16), 1.0], "float32"),
    "int64 tensor and a float": (lambda L: [L.tensor(1), 2.5], "float32"),
    "int32 tensor and an int": (lambda L: [L.tensor(1, dtype=L.int32), 2], "int64"),
    "int8 and uint8 tensors": (lambda L: [L.tensor(1, dtype=L.int8), L.tensor(2, dtype=L.uint8)], "int16"),
    "int64 and float16 tensors": (lambda L: [L.tensor(1), L.tensor(2, dtype=L.float16)], "float16"),
    "bool tensor and a bool": (lambda L: [L.tensor(True), False], "bool"),
    "bool tensor and an int": (lambda L: [L.tensor(True), 3], "int64"),
    "numpy float64 scalar": (lambda L: [np.float64(1.5)], "float64"),
    "numpy float64 scalar and a float": (lambda L: [np.float64(1.5), 1.0], "float64"),
    "numpy int32 scalar": (lambda L: [np.int32(3)], "int32"),
    "numpy float64 arrays": (lambda L: [np.ones(2), np.zeros(2)], "float64"),
    "numpy float32 arrays": (lambda L: [np.ones(2, np.float32), np.zeros(2, np.float32)], "float32"),
    "python floats": (lambda L: [1.5, 2.5], "float32"),
    "python ints and a float": (lambda L: [[1, 2], [3, 4.5]], "float32"),
    "python ints": (lambda L: [1, 2], "int64"),
}


@pytest.mark.parametrize("make", ["tensor", "as_tensor"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_sequence_dtype_is_pytorchs(name, make):
    items, expected = CASES[name]
    data = items(fg)
    made = getattr(fg, make)(data)
    assert made.dtype == np.dtype(expected)
    assert not made.requires_grad
    np.testing.assert_array_equal(made.numpy().astype(np.float64).ravel(), _values(data))


def _values(data):
    """The numbers in a nested sequence, in order, as float64."""
    if isinstance(data, (list, tuple)):
        return np.concatenate([_values(d) for d in data])
    return np.ravel(np.asarray(data.detach().numpy() if isinstance(data, fg.Tensor) else data, dtype=np.float64))


@needs_torch
@pytest.mark.parametrize("name", sorted(CASES))
def test_expected_dtypes_are_what_pytorch_infers(name):
    import torch
    items, expected = CASES[name]
    assert str(torch.tensor(items(torch)).dtype) == f"torch.{expected}"


def test_python_floats_follow_the_default_dtype_and_explicit_dtype_wins():
    with float64_scripts(fg):
        assert fg.tensor([1.5, fg.tensor(2.0)]).dtype == np.float64    # the float is float64 now
        assert fg.tensor([fg.tensor(1, dtype=fg.int32), 2.5]).dtype == np.float64
    assert fg.tensor([fg.tensor(1.5, dtype=fg.float64)], dtype=fg.float32).dtype == np.float32
    assert fg.tensor([fg.tensor(1.5)]).dtype == np.float32
    assert fg.tensor([]).dtype == np.float32
