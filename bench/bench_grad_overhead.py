"""grad(f) call overhead on a small NumPy function, beside HIPS autograd and MyGrad.

f(x) = sum(tanh(x * w + b) ** 2) with x of 10 float64 values: five ops, so
the time is the per-call cost of the library (wrapping, graph, backward),
not arithmetic.  Each library differentiates the same function written with
its NumPy namespace:

- fastgrad.grad with `import fastgrad.numpy as np` (HIPS-autograd style);
- fastgrad.grad with plain `numpy` (Tensor's NumPy protocols);
- autograd.grad with `import autograd.numpy as np`;
- MyGrad: plain `numpy` on a mygrad.tensor, then .backward();
- jax.grad, eager (no jit), with `jax.numpy`, in float64.

Target: fastgrad (either column) <= 0.3x HIPS autograd's time.

Run:  pytest bench/bench_grad_overhead.py --benchmark-only --benchmark-group-by=group \\
          --benchmark-columns=median,iqr,rounds
"""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.numpy as fnp

GROUP = "grad(f) overhead: sum(tanh(x*w+b)**2), x of 10 float64"
W = np.linspace(-1.0, 1.0, 10)
B = 0.1
X = np.linspace(0.0, 2.0, 10)
EXPECTED = 2 * np.tanh(X * W + B) * (1 - np.tanh(X * W + B) ** 2) * W


def small_function(np):
    def f(x):
        return np.sum(np.tanh(x * W + B) ** 2)

    return f


def test_fastgrad_numpy_namespace(benchmark):
    benchmark.group = GROUP
    df = fg.grad(small_function(fnp))
    np.testing.assert_allclose(benchmark(df, X), EXPECTED, rtol=1e-12)


def test_fastgrad_numpy_protocols(benchmark):
    benchmark.group = GROUP
    df = fg.grad(small_function(np))
    np.testing.assert_allclose(benchmark(df, X), EXPECTED, rtol=1e-12)


def test_hips_autograd(benchmark):
    autograd = pytest.importorskip("autograd", reason="HIPS autograd not installed: its column is skipped")
    import autograd.numpy as anp

    benchmark.group = GROUP
    df = autograd.grad(small_function(anp))
    np.testing.assert_allclose(benchmark(df, X), EXPECTED, rtol=1e-12)


def test_mygrad(benchmark):
    mygrad = pytest.importorskip("mygrad", reason="MyGrad not installed: its column is skipped")
    benchmark.group = GROUP
    f = small_function(np)

    def df(x):
        t = mygrad.tensor(x)
        f(t).backward()
        return t.grad

    np.testing.assert_allclose(benchmark(df, X), EXPECTED, rtol=1e-12)


def test_jax_grad_eager(benchmark):
    jax = pytest.importorskip("jax", reason="JAX not installed: its column is skipped")
    jax.config.update("jax_enable_x64", True)   # the same float64 work as the others
    import jax.numpy as jnp

    benchmark.group = GROUP
    df = jax.grad(small_function(jnp))
    np.testing.assert_allclose(np.asarray(benchmark(df, X)), EXPECTED, rtol=1e-12)
