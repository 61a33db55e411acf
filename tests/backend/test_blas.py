"""Choosing the GEMM BLAS: set_blas/get_blas, FASTGRAD_BLAS, MKL absent, MKL's threads."""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import fastgrad as fg
from fastgrad.backend import blas


def run_python(code, **env):
    """Run `code` in a fresh interpreter; return its last stdout line parsed as JSON."""
    environ = {k: v for k, v in os.environ.items() if k != "FASTGRAD_BLAS"}
    environ.update(env)
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          env=environ, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def test_set_blas_rejects_unknown_names():
    with pytest.raises(ValueError, match=r"set_blas: argument 'name' must be one of \('auto', 'mkl', 'numpy'\)"):
        fg.set_blas("openblas")


def test_numpy_choice_uses_matmul(rng):
    before = fg.get_blas()
    try:
        assert fg.set_blas("numpy") == "numpy"
        assert fg.get_blas() == "numpy"
        assert "np.matmul" in blas.blas_description()
    finally:
        fg.set_blas(before)


def expected_auto():
    return "mkl" if blas.find_mkl_library() else "numpy"


def test_auto_picks_mkl_exactly_when_it_is_installed():
    before = fg.get_blas()
    try:
        assert fg.set_blas("auto") == expected_auto()
    finally:
        fg.set_blas(before)


def test_mkl_request_without_the_package_raises(monkeypatch):
    before = fg.get_blas()
    monkeypatch.setattr(blas, "find_mkl_library", lambda: None)
    try:
        with pytest.raises(RuntimeError, match=r"set_blas\('mkl'\): the mkl package is not installed"):
            fg.set_blas("mkl")
        assert fg.get_blas() == "numpy"
        assert fg.set_blas("auto") == "numpy"
    finally:
        monkeypatch.undo()
        fg.set_blas(before)


def test_a_library_that_is_not_mkl_is_refused(tmp_path):
    """A path that is not MKL's runtime library: 'mkl' raises why, 'auto' falls back."""
    fake = tmp_path / "libmkl_rt.so.3"
    fake.write_bytes(b"not a shared library")
    result, _ = run_python(f"""
        import json, fastgrad as fg
        from fastgrad.backend import blas
        blas.find_mkl_library = lambda: {str(fake)!r}
        try:
            fg.set_blas("mkl")
            message = None
        except RuntimeError as e:
            message = str(e)
        print(json.dumps([message, fg.get_blas(), fg.set_blas("auto")]))
    """)
    message, after_error, auto = result
    assert message.startswith("set_blas('mkl'): cannot use ") and "as the GEMM library" in message
    assert after_error == "numpy" and auto == "numpy"


def test_import_does_not_load_mkl():
    result, _ = run_python("""
        import json, fastgrad
        maps = open('/proc/self/maps').read()
        print(json.dumps('libmkl_rt' in maps))
    """)
    assert result is False


@pytest.mark.parametrize("value,expected", [("numpy", "numpy"), ("NumPy", "numpy"), ("", None), ("auto", None)])
def test_environment_variable_chooses(value, expected):
    result, _ = run_python("""
        import json, fastgrad
        print(json.dumps(fastgrad.get_blas()))
    """, FASTGRAD_BLAS=value)
    assert result == (expected or expected_auto())


def test_environment_variable_with_a_bad_value_warns_and_uses_auto():
    result, stderr = run_python("""
        import json, fastgrad
        print(json.dumps(fastgrad.get_blas()))
    """, FASTGRAD_BLAS="fastest")
    assert result == expected_auto()
    assert "FASTGRAD_BLAS='fastest' is not one of" in stderr


def test_without_the_mkl_package_everything_runs_on_numpy():
    """MKL absent: nothing fails, products are np.matmul's, info says so, MKL never loads."""
    result, _ = run_python("""
        import json, numpy as np, fastgrad as fg
        from fastgrad.backend import blas
        blas.find_mkl_library = lambda: None
        x = fg.tensor(np.ones((3, 4), np.float32), requires_grad=True)
        w = fg.tensor(np.ones((4, 2), np.float32), requires_grad=True)
        (x @ w).sum().backward()
        from fastgrad.info import collect
        print(json.dumps([fg.get_blas(), collect()["gemm_blas"], x.grad.tolist(),
                          "libmkl_rt" in open("/proc/self/maps").read()]))
    """, FASTGRAD_BLAS="auto")
    active, description, grad, mkl_loaded = result
    assert active == "numpy"
    assert "the mkl package is not installed" in description
    assert grad == [[2.0] * 4] * 3
    assert mkl_loaded is False


def test_environment_variable_mkl_without_the_package_warns():
    result, stderr = run_python("""
        import json, fastgrad as fg
        from fastgrad.backend import blas
        blas.find_mkl_library = lambda: None
        print(json.dumps(fg.get_blas()))
    """, FASTGRAD_BLAS="mkl")
    assert result == "numpy"
    assert "the mkl package is not installed" in stderr


def test_mkl_from_the_environment_variable(mkl):
    result, _ = run_python("""
        import json, fastgrad as fg
        from fastgrad.info import collect
        print(json.dumps([fg.get_blas(), collect()["gemm_blas"]]))
    """, FASTGRAD_BLAS="mkl")
    assert result[0] == "mkl"
    assert result[1].startswith("mkl: Intel(R)")


def test_mkl_reports_version_layer_and_threads(mkl):
    from fastgrad import _C

    info = _C.blas_info()
    assert "Math Kernel Library" in info["version"]
    assert info["threading_layer"] == ("gnu" if _C.openmp_enabled() else "sequential")
    assert "threading layer" in blas.blas_description()


THREADS_PROBE = """
    import json, numpy as np, fastgrad as fg
    from fastgrad import _C

    def threads():
        for line in open("/proc/self/status"):
            if line.startswith("Threads:"):
                return int(line.split()[1])

    fg.set_num_threads({n})
    # fastgrad's own OpenMP kernel starts the OpenMP thread pool
    _C.sigmoid_fwd(np.ones(1_000_000, np.float32))
    after_kernels = threads()
    assert fg.set_blas("mkl") == "mkl"
    rng = np.random.default_rng(0)
    x = fg.tensor(rng.standard_normal((256, 784)).astype(np.float32))
    w1 = fg.tensor(rng.standard_normal((784, 512)).astype(np.float32) * 0.03, requires_grad=True)
    w2 = fg.tensor(rng.standard_normal((512, 10)).astype(np.float32) * 0.03, requires_grad=True)
    during_steps = []
    for _ in range(5):   # training steps: GEMMs and OpenMP kernels interleaved
        h = (x @ w1).sigmoid()
        during_steps.append(threads())
        loss = (h @ w2).sum()
        during_steps.append(threads())
        loss.backward()
        during_steps.append(threads())
    maps = open("/proc/self/maps").read()
    print(json.dumps({{"after_kernels": after_kernels, "during_steps": during_steps,
                      "mkl_threads": _C.blas_info()["max_threads"],
                      "layer": _C.blas_info()["threading_layer"],
                      "intel_openmp_loaded": "libiomp5" in maps,
                      "openmp": _C.openmp_enabled()}}))
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="thread counts are read from /proc")
@pytest.mark.parametrize("n", [1, 2, 3])
def test_mkl_shares_fastgrad_threads_without_oversubscription(mkl, n):
    """MKL's threads are fastgrad's OpenMP pool: a step adds no thread beyond it."""
    result, _ = run_python(THREADS_PROBE.format(n=n))
    # libgomp may retire pool threads when MKL runs a smaller team (MKL caps its
    # team at the physical cores), so counts can dip, never rise above the pool.
    assert max(result["during_steps"]) <= result["after_kernels"]
    assert result["intel_openmp_loaded"] is False
    if result["openmp"]:
        assert result["layer"] == "gnu"
        # MKL never runs more threads than physical cores, so n = 3 on two cores gives 2.
        assert result["mkl_threads"] == 1 if n == 1 else 1 <= result["mkl_threads"] <= n
    else:
        assert result["layer"] == "sequential"


def test_mkl_threads_follow_set_num_threads(mkl):
    from fastgrad import _C
    from fastgrad.backend.gemm import gemm

    before = fg.get_num_threads()
    a = np.ones((8, 8), np.float32)   # small: runs serial, and must put MKL's setting back
    try:
        seen = []
        for n in (2, 1, 2, 1):
            fg.set_num_threads(n)
            gemm(a, a)
            seen.append(_C.blas_info()["max_threads"])
        if _C.openmp_enabled():
            assert seen[1] == seen[3] == 1
            assert 1 <= seen[0] == seen[2] <= 2   # capped at the physical cores
        else:
            assert seen == [1, 1, 1, 1]
    finally:
        fg.set_num_threads(before)


@pytest.mark.skipif(not os.path.exists("/proc/self/maps"), reason="loaded libraries are read from /proc")
@pytest.mark.parametrize("first", ["fastgrad", "torch"])
def test_one_openmp_runtime_whatever_is_imported_first(mkl, first):
    """PyTorch ships its own libgomp; MKL, fastgrad and PyTorch still end up on one."""
    pytest.importorskip("torch")
    second = "torch" if first == "fastgrad" else "fastgrad"
    result, _ = run_python(f"""
        import json
        import {first}, {second}
        import numpy as np, fastgrad as fg
        fg.set_blas("mkl")
        a = np.ones((300, 300), np.float32)
        product = fg.backend.gemm.gemm(a, a)
        runtimes = {{line.split()[-1] for line in open("/proc/self/maps")
                     if "libgomp" in line or "libiomp" in line or "libomp" in line}}
        print(json.dumps([sorted(runtimes), float(product.max())]))
    """)
    runtimes, largest = result
    assert len(runtimes) == 1 and "libgomp" in runtimes[0]
    assert largest == 300.0
