"""Devices: Tensor.to / .cpu() / .cuda() / .device, fastgrad.tensor(device=...), move_array.

Moves to "cuda" itself are tested in tests/gpu (they need a GPU); here, on
every machine: parsing, dtype conversions, host moves, and the errors that
say what is missing when "cuda" cannot be used.
"""
import sys
import types

import numpy as np
import pytest

import fastgrad as fg
from fastgrad import devices as dev

xp = pytest.importorskip("array_api_strict", reason="array-api-strict is in the 'test' extra")


# ---- Device and parsing ----------------------------------------------------------

@pytest.mark.parametrize("name, kind, index, text", [
    ("cpu", "cpu", None, "cpu"), ("CPU", "cpu", None, "cpu"), ("cuda", "cuda", None, "cuda"),
    ("cuda:0", "cuda", 0, "cuda:0"), ("cuda:3", "cuda", 3, "cuda:3"), ("gpu:1", "cuda", 1, "cuda:1"),
    (2, "cuda", 2, "cuda:2"),
])
def test_device_names(name, kind, index, text):
    d = dev.Device(name)
    assert d == text and d.type == kind and d.index == index
    assert repr(d) == (f"device(type='{kind}')" if index is None else f"device(type='{kind}', index={index})")


@pytest.mark.parametrize("bad, error", [("tpu", ValueError), ("cuda:x", ValueError), ("cuda:-1", ValueError),
                                        (-1, ValueError), (1.5, TypeError), (True, TypeError)])
def test_bad_device_names_raise(bad, error):
    with pytest.raises(error, match="device"):
        dev.parse_device(bad)


def test_objects_with_type_and_index_are_devices():
    torch = pytest.importorskip("torch")
    assert dev.parse_device(torch.device("cpu")) == ("cpu", None)
    assert dev.parse_device(torch.device("cuda", 1)) == ("cuda", 1)


def test_is_device_tells_devices_from_dtypes():
    assert dev.is_device("cpu") and dev.is_device("cuda:1") and dev.is_device(0)
    assert not dev.is_device("float32") and not dev.is_device(np.float64) and not dev.is_device(np.dtype("f4"))


# ---- Tensor.device -----------------------------------------------------------------

def test_tensor_device_is_a_device_string():
    x = fg.tensor([1.0, 2.0])
    assert x.device == "cpu"
    assert isinstance(x.device, str) and x.device.type == "cpu" and x.device.index is None


def test_tensor_device_cannot_be_assigned():
    with pytest.raises(AttributeError):
        fg.tensor([1.0]).device = "cuda"


# ---- Tensor.to with dtypes (as before) and host devices -----------------------------------

def test_to_dtype_is_differentiable():
    x = fg.tensor([1.0, 2.0], requires_grad=True)
    y = x.to(np.float64)
    assert y.dtype == np.float64 and x.dtype == np.float32
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


@pytest.mark.parametrize("call", [
    lambda x: x.to(np.float64), lambda x: x.to("float64"), lambda x: x.to(dtype=np.float64),
    lambda x: x.to("cpu", np.float64), lambda x: x.to("cpu", dtype="float64"),
    lambda x: x.to(device="cpu", dtype=np.dtype("f8")), lambda x: x.to(fg.zeros(1, dtype=np.float64)),
])
def test_to_accepts_pytorch_forms(call):
    x = fg.tensor([1.0, 2.0])
    y = call(x)
    assert y.dtype == np.float64 and y.device == "cpu"
    np.testing.assert_array_equal(y._data, [1.0, 2.0])


def test_to_the_same_place_returns_the_tensor_itself():
    x = fg.tensor([1.0, 2.0], requires_grad=True)
    assert x.to("cpu") is x
    assert x.cpu() is x
    assert x.to(np.float32) is x
    assert x.to(None) is x


def test_to_with_copy_makes_a_differentiable_copy():
    x = fg.tensor([1.0, 2.0], requires_grad=True)
    y = x.to("cpu", copy=True)
    assert y is not x and y._data is not x._data
    np.testing.assert_array_equal(y._data, x._data)
    (3 * y).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])


def test_to_rejects_unknown_keywords():
    with pytest.raises(TypeError, match="unexpected keyword"):
        fg.tensor([1.0]).to("cpu", pin=True)


def test_cpu_turns_other_host_arrays_into_numpy_and_sends_gradients_back():
    x = fg.tensor(xp.asarray([1.0, -2.0]), requires_grad=True)
    assert "CPU_DEVICE" not in x.device  # host memory is "cpu"
    y = x.cpu()
    assert type(y._data) is np.ndarray
    (y * y).sum().backward()
    assert type(x.grad._data) is type(x._data)  # the gradient comes back as the tensor's own array type
    np.testing.assert_array_equal(np.asarray(x.grad), [2.0, -4.0])


def test_numpy_of_a_non_numpy_tensor_points_to_cpu():
    with pytest.raises(TypeError, match=r"use \.cpu\(\) first"):
        fg.tensor(xp.asarray([1.0])).numpy()
    np.testing.assert_array_equal(fg.tensor(xp.asarray([1.0])).cpu().numpy(), [1.0])


# ---- fastgrad.tensor(..., device=) and move_array on the host ---------------------------

def test_tensor_with_device_cpu():
    t = fg.tensor([[1.0, 2.0]], device="cpu", requires_grad=True)
    assert t.device == "cpu" and t.dtype == np.float32 and t.requires_grad
    t64 = fg.tensor([1, 2], dtype=np.float64, device="cpu")
    assert t64.dtype == np.float64
    from_strict = fg.tensor(xp.asarray([1.0, 2.0]), device="cpu")
    assert type(from_strict._data) is np.ndarray


def test_cupy_arrays_are_recognised_by_type_for_new_tensors():
    # CuPy arrays have no __array_namespace__: fastgrad.tensor recognises them by their type.
    from fastgrad.backend import _is_cupy

    assert _is_cupy(type("ndarray", (), {"__module__": "cupy._core.core"})())
    assert not _is_cupy(np.ones(2)) and not _is_cupy(xp.ones(2))


def test_move_array_to_cpu():
    a = np.arange(3.0)
    assert dev.move_array(a, "cpu") is a
    moved = dev.move_array(xp.asarray([1.0, 2.0]), "cpu")
    assert type(moved) is np.ndarray and moved.tolist() == [1.0, 2.0]
    assert type(dev.move_array(np.float32(2.0), "cpu")) is np.ndarray


def test_move_tensor_in_place_keeps_the_object():
    p = fg.tensor(xp.asarray([1.0, 2.0]), requires_grad=True)
    p.grad = xp.asarray([0.5, 0.5])
    version = p._version[0]
    assert dev.move_tensor_(p, "cpu") is p
    assert type(p._data) is np.ndarray and type(p.grad._data) is np.ndarray
    assert p._version[0] == version + 1
    y = (p * 2).sum()
    with pytest.raises(RuntimeError, match="only leaf tensors"):
        dev.move_tensor_(y, "cpu")


# ---- asking for "cuda" without CuPy or without a GPU ------------------------------------------

@pytest.fixture
def fresh_cuda_check(monkeypatch):
    monkeypatch.setattr(dev, "_cuda_checked", [])


def test_cuda_without_cupy_says_cupy_is_missing(monkeypatch, fresh_cuda_check):
    monkeypatch.setitem(sys.modules, "cupy", None)  # `import cupy` raises ImportError
    assert not dev.cuda_is_available()
    for ask in (lambda: fg.tensor([1.0]).cuda(), lambda: fg.tensor([1.0]).to("cuda"),
                lambda: fg.tensor([1.0], device="cuda"), lambda: dev.move_array(np.ones(2), "cuda:0")):
        with pytest.raises(RuntimeError, match="device 'cuda' needs CuPy, which is not installed"):
            ask()


def _cupy_module_reporting(count=None, error=None):
    """A module standing in for an installed CuPy whose runtime reports `count` GPUs or raises."""
    def get_device_count():
        if error is not None:
            raise error
        return count

    runtime = types.SimpleNamespace(getDeviceCount=get_device_count)
    module = types.ModuleType("cupy")
    module.cuda = types.SimpleNamespace(runtime=runtime)
    return module


def test_cuda_with_cupy_but_no_driver_says_no_gpu(monkeypatch, fresh_cuda_check):
    error = RuntimeError("cudaErrorInsufficientDriver: CUDA driver version is insufficient")
    monkeypatch.setitem(sys.modules, "cupy", _cupy_module_reporting(error=error))
    with pytest.raises(RuntimeError, match="CuPy is installed but no CUDA GPU can be used .cudaErrorInsufficient"):
        fg.tensor([1.0]).cuda()
    assert not dev.cuda_is_available()


def test_cuda_with_cupy_and_zero_gpus_says_no_gpu(monkeypatch, fresh_cuda_check):
    monkeypatch.setitem(sys.modules, "cupy", _cupy_module_reporting(count=0))
    with pytest.raises(RuntimeError, match="CuPy is installed but it finds no CUDA GPU"):
        fg.tensor([1.0], device="cuda")


def test_cuda_availability_matches_this_machine(fresh_cuda_check):
    try:
        import cupy  # noqa: F401
    except ImportError:
        assert not dev.cuda_is_available()
        return
    if dev.cuda_is_available():
        assert fg.tensor([1.0]).cuda().device.type == "cuda"
    else:
        with pytest.raises(RuntimeError, match="no CUDA GPU"):
            fg.tensor([1.0]).cuda()
