"""use_deterministic_algorithms, set_float32_matmul_precision and set_default_device: what they
accept, record and report (as PyTorch's do), where new tensors go, and what they refuse."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad import devices
from refusals import refusal_test


@pytest.fixture(autouse=True)
def restore_flags():
    deterministic = fg.are_deterministic_algorithms_enabled()
    warn_only = fg.is_deterministic_algorithms_warn_only_enabled()
    precision = fg.get_float32_matmul_precision()
    yield
    fg.use_deterministic_algorithms(deterministic, warn_only=warn_only)
    fg.set_float32_matmul_precision(precision)
    fg.set_default_device(None)


def test_deterministic_flag_is_recorded_and_reported_as_pytorchs():
    torch = pytest.importorskip("torch")
    assert fg.are_deterministic_algorithms_enabled() is torch.are_deterministic_algorithms_enabled() is False
    fg.use_deterministic_algorithms(True, warn_only=True)
    assert fg.are_deterministic_algorithms_enabled() and fg.is_deterministic_algorithms_warn_only_enabled()
    fg.use_deterministic_algorithms(False)
    assert not fg.are_deterministic_algorithms_enabled() and not fg.is_deterministic_algorithms_warn_only_enabled()


@pytest.mark.parametrize("precision", ["medium", "high", "highest"])
def test_matmul_precision_is_recorded_and_float32_products_stay_float32(precision, rng):
    torch = pytest.importorskip("torch")
    assert fg.get_float32_matmul_precision() == torch.get_float32_matmul_precision() == "highest"
    fg.set_float32_matmul_precision(precision)
    assert fg.get_float32_matmul_precision() == precision
    a, b = rng.standard_normal((8, 5)).astype(np.float32), rng.standard_normal((5, 3)).astype(np.float32)
    product = fg.tensor(a) @ fg.tensor(b)
    assert product.dtype == np.float32
    np.testing.assert_allclose(product.numpy(), a.astype(np.float64) @ b.astype(np.float64), rtol=1e-5, atol=1e-5)


def test_default_device_cpu_is_accepted_and_reported():
    fg.set_default_device("cpu")
    assert fg.get_default_device() == "cpu" and fg.get_default_device().type == "cpu"
    assert fg.zeros(2).device == "cpu" and fg.tensor([1.0]).device == "cpu"
    assert fg.zeros_like(fg.ones(2)).device == "cpu"
    fg.set_default_device(fg.device("cpu"))
    assert fg.get_default_device() == "cpu"


@pytest.mark.skipif(devices.cuda_is_available(), reason="a GPU is usable here")
def test_default_device_cuda_without_a_usable_gpu_is_refused_and_nothing_changes():
    with pytest.raises(RuntimeError, match="set_default_device: argument 'device': device 'cuda'"):
        fg.set_default_device("cuda")
    assert fg.get_default_device() == "cpu" and fg.ones(1).device == "cpu"


test_bad_arguments_are_refused = refusal_test([
    (lambda: fg.use_deterministic_algorithms("yes"), TypeError, "argument 'mode' must be a bool"),
    (lambda: fg.use_deterministic_algorithms(True, warn_only=1), TypeError, "argument 'warn_only' must be a bool"),
    (lambda: fg.set_float32_matmul_precision("low"), ValueError, "argument 'precision' must be one of"),
    (lambda: fg.set_default_device("tpu"), ValueError, "argument 'device': device: expected 'cpu'"),
    (lambda: fg.set_default_device(1.5), TypeError, "argument 'device': device: expected 'cpu'"),
], r"^(use_deterministic_algorithms|set_float32_matmul_precision|set_default_device)")
