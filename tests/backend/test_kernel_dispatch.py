"""The NumPy backend's compiled kernel check (_C.KernelOrTwin) answers every call as the
backend's Python method does: the C wrapper for arrays it takes as they are, the method
(NumPy scalars converted, else the reference twin) for everything else."""
import numpy as np
import pytest

from fastgrad import _C
from fastgrad.backend import NUMPY
from fastgrad.backend.numpy_backend import C_KERNELS, NumpyBackend


def method_of(name):
    """The backend's Python method, which the compiled check falls back to."""
    return getattr(NumpyBackend, name).__get__(NUMPY)


def same_result(a, b):
    if isinstance(a, tuple):
        return isinstance(b, tuple) and len(a) == len(b) and all(same_result(x, y) for x, y in zip(a, b))
    if a is None or b is None:
        return a is b
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def test_every_c_kernel_method_is_checked_in_c():
    for name in C_KERNELS:
        entry = getattr(NUMPY, name)
        assert type(entry) is _C.KernelOrTwin, name
        assert entry.kernel is getattr(_C, name)


CASES = {
    "float32": lambda rng: (rng.standard_normal((3, 4)).astype(np.float32),),
    "float64 0-d": lambda rng: (np.asarray(rng.standard_normal()),),
    "numpy scalar": lambda rng: (np.float32(-1.5),),
    "float16 (reference twin)": lambda rng: (rng.standard_normal((3, 4)).astype(np.float16),),
    "big-endian float32": lambda rng: (rng.standard_normal((5,)).astype(">f4"),),
    "non-contiguous": lambda rng: (rng.standard_normal((4, 6))[:, ::2],),
}


@pytest.mark.parametrize("case", list(CASES))
def test_one_array_calls_answer_as_the_method(case, rng):
    (x,) = CASES[case](rng)
    assert same_result(NUMPY.relu_fwd(x), method_of("relu_fwd")(x))
    assert same_result(NUMPY.leaky_relu_fwd(x, negative_slope=0.2), method_of("leaky_relu_fwd")(x, negative_slope=0.2))


PAIRS = {
    "same float32": lambda rng: (rng.standard_normal(7).astype(np.float32), rng.standard_normal(7).astype(np.float32)),
    "float32 and float64": lambda rng: (rng.standard_normal(7).astype(np.float32), rng.standard_normal(7)),
    "array and scalar": lambda rng: (rng.standard_normal(()).astype(np.float64), np.float64(0.5)),
    "float16 pair": lambda rng: (rng.standard_normal(4).astype(np.float16), rng.standard_normal(4).astype(np.float16)),
}


@pytest.mark.parametrize("case", list(PAIRS))
def test_two_array_calls_answer_as_the_method(case, rng):
    y, g = PAIRS[case](rng)
    try:
        expected = method_of("sigmoid_bwd")(y, g)
    except Exception as e:  # the same error, whichever way the call went
        with pytest.raises(type(e)):
            NUMPY.sigmoid_bwd(y, g)
        return
    assert same_result(NUMPY.sigmoid_bwd(y, g), expected)


def test_keywords_reach_the_kernel_and_bad_ones_raise(rng):
    z = rng.standard_normal((4, 3)).astype(np.float32)
    bias = rng.standard_normal(3).astype(np.float32)
    assert same_result(NUMPY.bias_act_fwd(z.copy(), bias=bias, activation="relu"),
                       _C.bias_act_fwd(z.copy(), bias=bias, activation="relu"))
    with pytest.raises(ValueError, match="linear"):
        NUMPY.bias_act_fwd(z, bias=bias, activation="no such activation")
    with pytest.raises(TypeError):
        NUMPY.bias_act_fwd(z, no_such_keyword=1)


def test_shapes_that_differ_are_refused_by_name():
    with pytest.raises((ValueError, TypeError)):
        NUMPY.sigmoid_bwd(np.ones(3, np.float32), np.ones(4, np.float32))
