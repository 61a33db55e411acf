"""The type stubs of the compiled modules match the modules (tools/make_stubs.py writes them)."""
import importlib.util
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
TOOL = ROOT / "tools" / "make_stubs.py"


def load_tool():
    spec = importlib.util.spec_from_file_location("make_stubs", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_stubs_are_current():
    proc = subprocess.run([sys.executable, str(TOOL), "--check"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("module_name", ["fastgrad._C", "fastgrad.autograd._graph"])
def test_every_public_function_of_a_compiled_module_is_in_its_stub(module_name):
    import inspect

    tool = load_tool()
    module = importlib.import_module(module_name)
    text = tool.MODULES[module_name].read_text()
    public = [name for name in dir(module)
              if tool._is_public_function(module, name, getattr(module, name))]
    assert public, module_name
    for name in public:
        parameters = inspect.signature(getattr(module, name)).parameters
        line = next((l for l in text.splitlines() if l.startswith(f"def {name}(")), None)
        assert line is not None, f"{name} missing from the stub of {module_name}"
        for p in parameters:
            assert f"{p}: Any" in line, f"{name}: parameter {p} missing from the stub"


def test_the_package_ships_its_stubs_and_py_typed():
    import fastgrad

    package = pathlib.Path(fastgrad.__file__).parent
    assert (package / "py.typed").exists()
    assert (package / "_C.pyi").exists() and (package / "autograd" / "_graph.pyi").exists()
