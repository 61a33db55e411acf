"""Write the type stubs of fastgrad's compiled modules from the built modules themselves.

    python tools/make_stubs.py          # rewrites src/fastgrad/_C.pyi and autograd/_graph.pyi
    python tools/make_stubs.py --check  # exit 1 if a stub differs from what would be written

Every public function keeps its real parameter names, defaults and keyword-only
markers (read with inspect.signature from the Cython functions) and the first
line of its docstring; types are `Any`, as the wrappers take any array and
validate it themselves.  A compiled class is opaque, `class Name(Any): ...` (typeshed's
way of saying its attributes and constructor are not typed). tests/test_stubs.py runs the check, so a new kernel
wrapper cannot land without its stub.
"""
import importlib
import inspect
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1] / "src" / "fastgrad"
MODULES = {"fastgrad._C": ROOT / "_C.pyi", "fastgrad.autograd._graph": ROOT / "autograd" / "_graph.pyi"}
HEADER = '"""Type stub of the compiled module {name}, written by tools/make_stubs.py; do not edit."""\n' \
         "from typing import Any\n"


def _parameter(p):
    text = p.name + ": Any"
    if p.default is not inspect.Parameter.empty:
        text += " = ..."
    return ("*" if p.kind is p.VAR_POSITIONAL else "**" if p.kind is p.VAR_KEYWORD else "") + text


def _signature(fn):
    params, star_done = [], False
    for p in inspect.signature(fn).parameters.values():
        if p.kind is p.KEYWORD_ONLY and not star_done:
            params.append("*")
            star_done = True
        if p.kind is p.VAR_POSITIONAL:
            star_done = True
        params.append(_parameter(p))
    return ", ".join(params)


def _summary(obj):
    doc = inspect.getdoc(obj) or ""
    line = doc.strip().splitlines()[0] if doc.strip() else ""
    return line.replace('"""', "'''").replace("\\", "\\\\")


def _is_public_function(module, name, obj):
    return (not name.startswith("_") and callable(obj) and not inspect.isclass(obj)
            and getattr(obj, "__module__", module.__name__) == module.__name__)


def stub_text(module_name):
    module = importlib.import_module(module_name)
    lines = [HEADER.format(name=module_name)]
    for name in sorted(dir(module)):
        obj = getattr(module, name)
        if inspect.isclass(obj) and obj.__module__ == module_name and not name.startswith("_"):
            lines.append(f"\nclass {name}(Any): ...\n")
        elif _is_public_function(module, name, obj):
            summary = _summary(obj)
            body = f'\n    """{summary}"""\n    ...\n' if summary else " ...\n"
            lines.append(f"\ndef {name}({_signature(obj)}) -> Any:{body}")
    return "".join(lines)


def main(argv):
    check = "--check" in argv
    stale = []
    for name, path in MODULES.items():
        text = stub_text(name)
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path))
        else:
            path.write_text(text)
            print("wrote", path)
    if stale:
        print("stale stubs (run python tools/make_stubs.py): " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
