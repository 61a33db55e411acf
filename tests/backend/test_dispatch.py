"""Backend dispatch: which backend an op's arrays choose, and the errors for mixed arrays.

Runs on every machine with NumPy and array-api-strict arrays; the CuPy side
of dispatch is exercised for real in tests/gpu when a GPU is present.
"""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.backend import NUMPY, Backend, array_device_name, backend_for
from fastgrad.backend import cupy_backend as cupy_backend_module
from fastgrad.backend import cupy_kernels
from fastgrad.backend import reference

xp = pytest.importorskip("array_api_strict", reason="array-api-strict is in the 'test' extra")


def strict(values, dtype=None):
    return xp.asarray(np.asarray(values, dtype=dtype or np.float64))


# ---- backend_for ------------------------------------------------------------------

def test_numpy_arrays_choose_the_numpy_backend():
    assert backend_for(np.ones(3)) is NUMPY
    assert backend_for(np.ones(3), np.zeros((2, 3))) is NUMPY


@pytest.mark.parametrize("args", [(), (1.0,), (2, None, (1, 2)), (np.float32(1.5), slice(1)), (np.float64, "x")])
def test_arguments_without_arrays_choose_numpy(args):
    assert backend_for(*args) is NUMPY


def test_numpy_subclasses_choose_the_numpy_backend():
    assert backend_for(np.ma.masked_array([1.0, 2.0])) is NUMPY
    assert backend_for(np.ones(2).view(np.recarray)) is NUMPY


def test_array_api_arrays_choose_a_backend_of_their_namespace():
    b = backend_for(strict([1.0, 2.0]), 3.0, None)
    assert type(b) is Backend
    assert b.xp is xp
    assert b.name == "array_api_strict"
    assert backend_for(strict([0.0])) is b  # one backend per namespace, cached


def test_generic_backend_has_every_reference_kernel():
    b = backend_for(strict([1.0]))
    for name in reference.TWINS:
        assert callable(getattr(b, name)), name


def test_mixing_numpy_and_another_namespace_names_both_devices():
    with pytest.raises(TypeError) as info:
        backend_for(np.ones(2), strict([1.0, 2.0]))
    message = str(info.value)
    assert "cannot mix" in message
    assert "a NumPy array (device cpu)" in message
    assert "array_api_strict" in message and "CPU_DEVICE" in message


def test_mixing_in_an_op_raises_the_same_error():
    a = fg.tensor(np.ones(3), requires_grad=True)
    b = fg.tensor(strict([1.0, 2.0, 3.0]))
    with pytest.raises(TypeError, match="cannot mix a NumPy array .device cpu. and"):
        a + b
    with pytest.raises(TypeError, match="cannot mix"):
        fg.matmul(b, fg.tensor(np.ones(3)))


def test_an_op_records_the_backend_chosen_at_forward():
    x = fg.tensor(strict([0.5, -1.0]), requires_grad=True)
    y = x.sigmoid()
    assert y.grad_fn.backend.xp is xp
    assert isinstance(y.data, type(x.data))
    z = fg.tensor(np.array([0.5, -1.0]), requires_grad=True).sigmoid()
    assert z.grad_fn.backend is NUMPY


def test_namespace_of_arrays():
    from fastgrad.backend import namespace_of

    assert namespace_of(np.ones(2)) is np
    assert namespace_of(strict([1.0])) is xp
    assert namespace_of(3.0) is np and namespace_of(None) is np


def test_array_device_name_of_arrays():
    assert array_device_name(np.ones(2)) == "cpu"
    assert array_device_name(np.float32(1)) == "cpu"
    assert "CPU_DEVICE" in array_device_name(strict([1.0]))


# ---- the CuPy side, without CuPy ---------------------------------------------------

def test_cupy_types_are_recognised_by_module_and_name():
    from fastgrad.backend import _is_cupy

    assert not _is_cupy(np.ones(2))
    assert not _is_cupy(strict([1.0]))
    # The check reads only the type's module and name (CuPy itself need not be importable).
    assert _is_cupy(type("ndarray", (), {"__module__": "cupy._core.core"})())
    assert not _is_cupy(type("ndarray", (), {"__module__": "notcupy"})())


def test_cupy_backend_module_imports_without_cupy():
    # Importing the backend and its kernel sources never imports CuPy; only running does.
    assert cupy_backend_module.CupyBackend.name == "cupy"
    assert cupy_kernels.KERNELS


def test_cupy_backend_binds_every_cupy_kernel_function():
    cls = cupy_backend_module.CupyBackend
    for name in cupy_kernels.FUNCTIONS:
        assert getattr(cls, name).__name__ == name
    for name in reference.TWINS:
        assert hasattr(cls, name)  # twins without a CuPy kernel are inherited from Backend


def test_cupy_backend_uses_the_twin_for_dtypes_its_kernels_do_not_take():
    # An instance over another namespace: only the twin fallback can run here.
    b = cupy_backend_module.CupyBackend(xp)
    x = xp.asarray([-2, 0, 3])
    assert host_list(b.relu_fwd(x)) == host_list(reference.TWINS["relu_fwd"](xp, x)) == [0, 0, 3]
    mixed = (xp.ones(3, dtype=xp.float32), xp.ones(3, dtype=xp.float64))
    assert host_list(b.sigmoid_bwd(*mixed)) == host_list(reference.TWINS["sigmoid_bwd"](xp, *mixed))


def host_list(a):
    return np.asarray(a).tolist()


def test_cupy_kernels_without_a_twin_reject_other_dtypes_clearly():
    def fused(x):
        raise AssertionError("the fused kernel must not run on int32")

    method = cupy_backend_module._fused_or_reference("no_twin_fwd", fused)
    with pytest.raises(TypeError, match="no_twin_fwd: the CuPy kernel takes float32 or float64 arrays of one "
                                        "dtype, got .*int32"):
        method(cupy_backend_module.CupyBackend(xp), xp.ones(3, dtype=xp.int32))


def test_cupy_kernels_reject_numpy_arrays_naming_both_devices():
    b = cupy_backend_module.CupyBackend(xp)
    with pytest.raises(TypeError, match=r"cross_entropy_fwd: got a NumPy array \(device cpu\) among CuPy "
                                        r"arrays \(device cuda\)"):
        b.cross_entropy_fwd(xp.ones((2, 3)), target=np.array([0, 1]))


@pytest.mark.parametrize("args, expected", [
    ((np.ones(2, np.float32),), True),
    ((np.ones(2, np.float64), None, np.ones(2, np.float64)), True),
    ((np.ones(2, np.float32), np.ones(2, np.float64)), False),
    ((np.ones(2, np.int32),), False),
    ((np.ones(2, np.float16),), False),
    ((None,), False),
    ((np.ones(2, np.float32), np.float64(0.1), 0.5, "relu"), True),  # numbers are parameters
    ((np.ones(2, np.float32), np.ones(2, np.int64)), True),  # class targets come along
    ((np.ones(2, np.int64),), False),
])
def test_fused_path_needs_one_float_dtype(args, expected):
    assert cupy_backend_module._float_arrays(args) is expected
