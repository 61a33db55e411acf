"""The package's layers (DESIGN.md): Tensor's methods are set in one module, and the
layers below fastgrad.numpy never import the layers above them (those register what
the lower layers need instead)."""
import ast
import pathlib

import numpy as np

import fastgrad as fg

SOURCE = pathlib.Path(fg.__file__).parent
LOWER = ("backend", "autograd", "ops")            # the graph core and the differentiable ops
UPPER = ("numpy", "torch_functions", "functional", "nn", "optim", "utils", "extend", "scipy", "misc", "demo")
# autograd/functional.py is torch.autograd.functional (jacobian, hessian, ...), written with ops.
NOT_LOWER = {"autograd/functional.py"}


def _modules_imported(path):
    """Every fastgrad module a file imports (at the top or inside a function), as dotted
    paths relative to the package."""
    parts = list(path.relative_to(SOURCE).parts[:-1])
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = parts[:len(parts) - (node.level - 1)]
            if node.module:
                yield ".".join(base + node.module.split("."))
            else:
                for alias in node.names:
                    yield ".".join(base + [alias.name])
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            for name in names:
                if name and name.startswith("fastgrad."):
                    yield name[len("fastgrad."):]


def _lower_files():
    for layer in LOWER:
        for path in sorted((SOURCE / layer).rglob("*.py")):
            rel = path.relative_to(SOURCE).as_posix()
            if rel not in NOT_LOWER:
                yield rel, path


def test_lower_layers_import_nothing_from_the_layers_above():
    upward = []
    for rel, path in _lower_files():
        for module in _modules_imported(path):
            if module.split(".")[0] in UPPER:
                upward.append(f"{rel} imports fastgrad.{module}")
    assert not upward, upward


def _sets_tensor_attributes(path):
    """Lines that set an attribute on Tensor: Tensor.x = ... or setattr(Tensor, ...)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        targets = node.targets if isinstance(node, ast.Assign) else []
        for t in targets:
            if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "Tensor":
                found.append(node.lineno)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr"
                and node.args and isinstance(node.args[0], ast.Name) and node.args[0].id == "Tensor"):
            found.append(node.lineno)
    return found


def test_tensor_methods_are_set_in_one_module():
    # jit/guards.py swaps methods for the length of one recording and puts them back.
    allowed = {"ops/methods.py", "jit/guards.py"}
    setters = {path.relative_to(SOURCE).as_posix(): lines for path in SOURCE.rglob("*.py")
               if (lines := _sets_tensor_attributes(path))}
    assert set(setters) <= allowed, setters
    assert "ops/methods.py" in setters


def test_methods_handed_in_from_above_are_bound():
    x = fg.tensor([[1.0, np.nan], [2.0, 3.0]])
    assert x.isnan().tolist() == [[False, True], [False, False]]
    assert x.tril().tolist()[0][1] == 0.0 and x.triu(1).tolist()[1] == [0.0, 0.0]
    assert x.conj() is x and x.device == "cpu" and x.size() == (2, 2) and repr(x.size()) == "fastgrad.Size([2, 2])"
    assert x.trace is not None and np.exp(x).shape == (2, 2)
    z = fg.tensor(np.array([[1 + 2j, 3j], [1.0, 2j]]), requires_grad=True)
    np.testing.assert_array_equal(z.H.data, np.conj(z.data).T)


def test_one_is_cupy_and_one_device_of():
    names = {"def _is_cupy": [], "def device_of": []}
    for path in SOURCE.rglob("*.py"):
        text = path.read_text()
        for name in names:
            if name + "(" in text:
                names[name].append(path.relative_to(SOURCE).as_posix())
    assert names == {"def _is_cupy": ["backend/__init__.py"], "def device_of": ["devices.py"]}
