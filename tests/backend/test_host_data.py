"""backend.host_data: what the functions that compute on the host take, and how they refuse
device data (a stand-in CuPy array type here; tests/gpu checks real CuPy arrays)."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
from fastgrad.backend import host_data

DeviceArray = type("ndarray", (), {"__module__": "cupy._core.core", "ndim": 2, "dtype": np.dtype(np.float32),
                                   "shape": (2, 2)})


def test_numpy_data_and_lists_pass_through():
    a = np.ones(3)
    assert host_data("op", "x", a) is a
    np.testing.assert_array_equal(host_data("op", "x", [1, 2]), [1, 2])


def test_device_data_is_refused_by_name():
    with pytest.raises(TypeError, match=r"kthvalue: argument 'input' holds CuPy data; kthvalue works on NumPy data "
                                        r"only \(move it with .cpu\(\) first\)"):
        host_data("kthvalue", "input", DeviceArray())


@pytest.mark.parametrize("call, message", [
    (lambda x: F.ctc_loss(x, [[1]], [1], [1]), "ctc_loss: argument 'log_probs' holds CuPy data"),
    (lambda x: F.grid_sample(x, fg.zeros(1, 1, 1, 2), align_corners=False), "grid_sample: argument 'input' holds CuPy"),
])
def test_host_only_ops_name_their_argument(call, message, monkeypatch):
    x = fg.zeros(1, 1, 2, 2)
    monkeypatch.setattr(x, "_data", DeviceArray(), raising=False)
    with pytest.raises(TypeError, match=message):
        call(x)
