"""PyTorch's legacy constructors: Tensor(*sizes), Tensor(Size), Tensor(), and FloatTensor /
DoubleTensor / LongTensor / ... of sizes or data (zero-filled where PyTorch leaves memory
uninitialized)."""
import numpy as np
import pytest

import fastgrad as fg


@pytest.mark.parametrize("args, shape", [((2, 3), (2, 3)), ((5,), (5,)), ((), (0,)), ((fg.Size([2, 2]),), (2, 2))])
def test_tensor_forms_match_pytorch_shapes(args, shape):
    t = fg.Tensor(*args)
    assert t.shape == shape and t.dtype == np.float32
    torch = pytest.importorskip("torch")
    torch_args = tuple(torch.Size(a) if isinstance(a, fg.Size) else a for a in args)
    assert tuple(torch.Tensor(*torch_args).shape) == shape


def test_sized_tensors_are_zeros_of_the_default_dtype_and_data_keeps_its_values_and_dtype():
    """Tensor(data) keeps the data's dtype (PyTorch's legacy Tensor(data) casts to the default
    dtype: FloatTensor(data) does that here)."""
    assert fg.Tensor([5]).dtype == np.int64 and fg.FloatTensor([5]).dtype == np.float32
    assert not fg.Tensor(3, 2).numpy().any()
    assert fg.Tensor(2, dtype=fg.float64).dtype == np.float64
    np.testing.assert_array_equal(fg.Tensor(np.arange(3.0)).numpy(), [0.0, 1.0, 2.0])
    assert fg.nn.Parameter(fg.Tensor(4, 3)).shape == (4, 3)


@pytest.mark.parametrize("args, message", [((np.ones(2), True), r"got data and 1 more positional argument\(s\); give"),
                                           ((2, -1), "sizes must be non-negative ints"),
                                           ((2, 1.5), "sizes must be non-negative ints")])
def test_bad_forms(args, message):
    with pytest.raises(TypeError, match=f"Tensor: {message}"):
        fg.Tensor(*args)


@pytest.mark.parametrize("name, dtype", [("FloatTensor", np.float32), ("DoubleTensor", np.float64),
                                         ("HalfTensor", np.float16), ("LongTensor", np.int64),
                                         ("IntTensor", np.int32), ("ByteTensor", np.uint8), ("BoolTensor", np.bool_)])
def test_typed_constructors(name, dtype):
    make = getattr(fg, name)
    assert make(2, 3).shape == (2, 3) and make(2, 3).dtype == dtype and not make(2, 3).numpy().any()
    assert make().shape == (0,)
    np.testing.assert_array_equal(make([1, 0, 1]).numpy(), np.array([1, 0, 1], dtype=dtype))
    assert make(fg.tensor([1.0, 0.0])).dtype == dtype
    torch = pytest.importorskip("torch")
    assert str(getattr(torch, name)(2).dtype) == "torch." + {"float32": "float32", "float64": "float64",
                                                            "float16": "float16", "int64": "int64",
                                                            "int32": "int32", "uint8": "uint8",
                                                            "bool": "bool"}[np.dtype(dtype).name]
