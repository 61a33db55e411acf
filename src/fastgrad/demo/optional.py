"""Optional packages of the demo and examples (the `examples` extra), imported lazily."""
import importlib

INSTALL_HINT = 'pip install "fastgrad[examples]"'

# import name -> what fastgrad uses it for
EXTRAS = {
    "matplotlib": "plots",
    "tqdm": "progress bars",
    "sklearn": "scikit-learn utilities",
}


class MissingExtra(ImportError):
    """An optional package is needed and absent; the message is one line with the fix."""


def optional_import(name):
    """The module `name`, or None when it is not installed."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def require(name, purpose=None):
    """Import `name` or raise MissingExtra with one line naming the extra to install."""
    module = optional_import(name)
    if module is None:
        package = "scikit-learn" if name == "sklearn" else name
        purpose = purpose or EXTRAS.get(name, "this feature")
        raise MissingExtra(f"{package} is needed for {purpose}: {INSTALL_HINT}")
    return module


def missing(names):
    """The subset of `names` that cannot be imported, in order."""
    return [name for name in names if optional_import(name) is None]
