"""The corpus (tests/numpy/corpus/functions.py), differentiated with fastgrad.

Each function is written once with `np.`; it runs with np = numpy on Tensors
(the NumPy protocols), with np = fastgrad.numpy, and with np = HIPS
autograd's numpy when that is installed.  Gradients are compared with
central differences in float64 and with autograd.grad.
"""
import pathlib
import types
import zlib

import numpy
import pytest

import fastgrad
import fastgrad.numpy as fnp

SOURCE = pathlib.Path(__file__).parent / "corpus" / "functions.py"


def load_corpus(namespace, label):
    """The corpus module with `np` bound to `namespace`."""
    module = types.ModuleType(f"corpus_{label}")
    module.np = namespace
    exec(compile(SOURCE.read_text(), str(SOURCE), "exec"), module.__dict__)
    return module.CASES


PLAIN = load_corpus(numpy, "numpy")
NAMES = sorted(PLAIN)


def inputs_for(name):
    _, shapes, (low, high) = PLAIN[name]
    rng = numpy.random.default_rng(zlib.crc32(name.encode()))  # the same inputs in every run
    if low is None:
        return [rng.standard_normal(s) for s in shapes]
    return [rng.uniform(low, high, s) for s in shapes]


def numerical_gradients(f, args, eps=1e-6):
    grads = []
    for k, x in enumerate(args):
        g = numpy.zeros_like(x)
        for i in numpy.ndindex(x.shape):
            up = [a.copy() for a in args]
            down = [a.copy() for a in args]
            up[k][i] += eps
            down[k][i] -= eps
            g[i] = (float(f(*up)) - float(f(*down))) / (2 * eps)
        grads.append(g)
    return grads


def test_corpus_has_at_least_sixty_functions():
    assert len(NAMES) >= 60


@pytest.mark.parametrize("namespace", ["numpy", "fastgrad.numpy"])
@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_central_differences(name, namespace):
    plain_fn = PLAIN[name][0]
    fn = plain_fn if namespace == "numpy" else load_corpus(fnp, "fnp")[name][0]
    args = inputs_for(name)
    argnums = tuple(range(len(args)))
    value, grads = fastgrad.value_and_grad(fn, argnums)(*args)
    assert value == pytest.approx(float(plain_fn(*args)), rel=1e-12, abs=1e-12)
    for got, expected in zip(grads, numerical_gradients(plain_fn, args)):
        assert type(got) is numpy.ndarray and got.shape == expected.shape
        numpy.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_hips_autograd(name):
    autograd = pytest.importorskip("autograd", reason="HIPS autograd is not installed")
    import autograd.numpy as anp

    hips_fn = load_corpus(anp, "autograd")[name][0]
    args = inputs_for(name)
    argnums = tuple(range(len(args)))
    try:
        expected = autograd.grad(hips_fn, argnums)(*args)
    except (NotImplementedError, TypeError, AttributeError, ValueError, AssertionError) as e:
        pytest.skip(f"HIPS autograd cannot differentiate {name}: {type(e).__name__}: {e}")
    got = fastgrad.grad(PLAIN[name][0], argnums)(*args)
    for g, e in zip(got, expected):
        numpy.testing.assert_allclose(g, e, rtol=1e-9, atol=1e-12)
