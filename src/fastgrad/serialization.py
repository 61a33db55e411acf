"""fastgrad.save / fastgrad.load: state dicts (model and optimizer) on disk, never pickled.

Two formats:

- `.npz` (the default): NumPy's zip of arrays.  Arrays and tensors are stored
  as entries; the structure around them (dicts, lists, numbers, strings) as a
  JSON document in one more entry.
- `.safetensors` (chosen by the file name or `format="safetensors"`): the
  safetensors layout (an 8-byte header length, a JSON header, raw
  little-endian data), readable by the `safetensors` package and so by
  PyTorch: `safetensors.torch.load_file(path)` gives the same weights.

`load` also reads what PyTorch's `torch.save` writes (a zip holding a pickle
and raw storages: a state dict, an optimizer's state, nested dicts and lists of
tensors), without unpickling it (_checkpoint/torch_zip.py), so PyTorch
weights load into the same fastgrad model with `load_state_dict`.

Loading treats every file as untrusted: a truncated, corrupted or hostile file
raises `CheckpointError` (a ValueError) naming the file and what is wrong;
nothing in a file is ever executed, and the sizes a file declares are checked
against the bytes it holds and against a memory budget before anything is
allocated (see `load`'s max_bytes).  Saving to a path is atomic and safe for
several processes saving to the same path at once.

    >>> fastgrad.save({"model": model.state_dict(), "optim": opt.state_dict()}, "ckpt.npz")
    >>> ckpt = fastgrad.load("ckpt.npz")
    >>> model.load_state_dict(ckpt["model"])
"""
import io
import json
import os
import zipfile

import numpy as np

from ._checkpoint.atomic import atomic_write
from ._checkpoint.checks import DEFAULT_EXTRA_BYTES, Budget, CheckpointError
from ._checkpoint.npz import read_npz, write_npz
from ._checkpoint.safetensors import read_safetensors, write_safetensors
from ._checkpoint.torch_zip import archive_prefix, legacy_torch_error, read_torch_zip
from .autograd.tensor import Tensor
from .backend import _is_cupy
from .devices import is_device_name, move_array

__all__ = ["CheckpointError", "DEFAULT_EXTRA_BYTES", "save", "load"]

_TREE_KEY = "__fastgrad_tree__"
_META_KEY = "fastgrad_tree"
_VERSION = 1


# ---- the structure around the arrays --------------------------------------------


def _encode(obj, arrays, path):
    """A JSON-able description of obj; arrays are collected into `arrays` by name."""
    if isinstance(obj, Tensor):
        return {"t": "tensor", "ref": _put(arrays, path, move_array(obj._data, "cpu"))}
    if isinstance(obj, np.ndarray):
        return {"t": "array", "ref": _put(arrays, path, obj)}
    if _is_cupy(obj):
        return {"t": "array", "ref": _put(arrays, path, move_array(obj, "cpu"))}
    if isinstance(obj, np.generic):
        return {"t": "npscalar", "ref": _put(arrays, path, np.asarray(obj))}
    if obj is None or isinstance(obj, (bool, str)):
        return {"t": "value", "v": obj}
    if isinstance(obj, int):
        return {"t": "value", "v": obj}
    if isinstance(obj, float):
        return {"t": "float", "v": repr(obj)}   # keeps inf and nan exact
    if isinstance(obj, dict):
        items = []
        for k, v in obj.items():
            if isinstance(k, bool) or not isinstance(k, (str, int)):
                raise TypeError(f"save: dict keys must be str or int, got {type(k).__name__} at '{path}'")
            items.append([k, _encode(v, arrays, f"{path}.{k}" if path else str(k))])
        return {"t": "dict", "items": items}
    if isinstance(obj, (list, tuple)):
        return {"t": "list" if isinstance(obj, list) else "tuple",
                "items": [_encode(v, arrays, f"{path}.{i}" if path else str(i)) for i, v in enumerate(obj)]}
    if hasattr(obj, "__array__") and hasattr(obj, "shape"):
        return {"t": "array", "ref": _put(arrays, path, np.asarray(obj))}
    if callable(getattr(obj, "state_dict", None)):  # a whole Module or Optimizer, as torch.save(model, f)
        raise TypeError(
            f"save: cannot store a whole {type(obj).__name__} at '{path or '<root>'}': fastgrad's files hold "
            "data only, so that loading one never runs code (no pickle).  Save its state_dict() instead, "
            "and load it into an object your code builds: obj.load_state_dict(fastgrad.load(f))")
    raise TypeError(f"save: cannot store an object of type {type(obj).__name__} at '{path or '<root>'}' "
                    "(only tensors, arrays, numbers, strings, None, and dicts/lists/tuples of them)")


def _put(arrays, path, a):
    if a.dtype == object:
        raise TypeError(f"save: object arrays cannot be stored without pickle ('{path}')")
    name = path or "value"
    while name in arrays or name == _TREE_KEY:
        name += "_"
    arrays[name] = a
    return name


def _decode(node, arrays, budget):
    """The object a structure entry describes; CheckpointError for anything malformed."""
    if not isinstance(node, dict) or not isinstance(node.get("t"), str):
        raise budget.error(f"a structure entry is not an object with a kind ({_short(node)})")
    kind = node["t"]
    if kind in ("tensor", "array", "npscalar"):
        ref = node.get("ref")
        if not isinstance(ref, str) or ref not in arrays:
            raise budget.error(f"a structure entry refers to a missing array ({_short(ref)})")
        if kind == "tensor":
            return Tensor(arrays[ref])
        if kind == "npscalar":
            if arrays[ref].ndim != 0:
                raise budget.error(f"the scalar entry '{ref}' has shape {arrays[ref].shape}")
            return arrays[ref][()]
        return arrays[ref]
    if kind == "value":
        v = node.get("v")
        if v is not None and not isinstance(v, (bool, int, str)):
            raise budget.error(f"a value entry holds a {type(v).__name__}")
        return v
    if kind == "float":
        v = node.get("v")
        try:
            return float(v)
        except (TypeError, ValueError):
            raise budget.error(f"a float entry holds {_short(v)}") from None
    items = node.get("items")
    if kind not in ("dict", "list", "tuple"):
        raise budget.error(f"unknown structure entry kind {_short(kind)}")
    if not isinstance(items, list):
        raise budget.error(f"a {kind} entry has no list of items")
    if kind == "dict":
        out = {}
        for item in items:
            if (not isinstance(item, list) or len(item) != 2 or isinstance(item[0], bool)
                    or not isinstance(item[0], (str, int))):
                raise budget.error(f"a dict entry has an item that is not a [str or int key, value] pair "
                                   f"({_short(item)})")
            out[item[0]] = _decode(item[1], arrays, budget)
        return out
    values = [_decode(v, arrays, budget) for v in items]
    return values if kind == "list" else tuple(values)


def _short(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _decode_tree(text, arrays, budget):
    """The saved object from the JSON structure document and the arrays it refers to."""
    try:
        tree = json.loads(text)
        if not isinstance(tree, dict) or "root" not in tree:
            raise budget.error("the structure document has no root entry")
        return _decode(tree["root"], arrays, budget)
    except RecursionError:
        raise budget.error("the structure document is nested too deeply") from None
    except ValueError as e:
        if isinstance(e, CheckpointError):
            raise
        raise budget.error(f"the structure document is corrupted ({e})") from None


# ---- the two formats ---------------------------------------------------------------


def _save_npz(obj, f):
    arrays = {}
    tree = {"version": _VERSION, "root": _encode(obj, arrays, "")}
    arrays[_TREE_KEY] = np.frombuffer(json.dumps(tree).encode("utf-8"), dtype=np.uint8)
    write_npz(arrays, f)


def _load_npz(data, budget):
    arrays = read_npz(data, budget)
    tree = arrays.pop(_TREE_KEY, None)
    if tree is None:
        raise budget.error(f"is an .npz file but not a fastgrad checkpoint (no '{_TREE_KEY}' entry)")
    if tree.dtype != np.uint8 or tree.ndim != 1:
        raise budget.error(f"the '{_TREE_KEY}' entry is not a byte string")
    try:
        text = tree.tobytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise budget.error(f"the structure document is not UTF-8 ({e})") from None
    return _decode_tree(text, arrays, budget)


def _save_safetensors(obj, f):
    arrays = {}
    root = _encode(obj, arrays, "")
    flat_tensors = (root["t"] == "dict" and all(isinstance(k, str) and v["t"] in ("tensor", "array")
                                                and v["ref"] == k for k, v in root["items"]))
    meta = {"format": "pt"}
    if not flat_tensors:  # anything but {name: tensor} keeps its structure in the metadata
        meta[_META_KEY] = json.dumps({"version": _VERSION, "root": root})
    write_safetensors(arrays, meta, f)


def _load_safetensors(data, budget):
    arrays, meta = read_safetensors(data, budget)
    if _META_KEY not in meta:
        return {name: Tensor(a) for name, a in arrays.items()}
    return _decode_tree(meta[_META_KEY], arrays, budget)


# ---- public ------------------------------------------------------------------------


def _format_for(f, format):
    if format is not None:
        if format not in ("npz", "safetensors"):
            raise ValueError(f"save: format must be 'npz' or 'safetensors', got {format!r}")
        return format
    name = os.fspath(f) if isinstance(f, (str, os.PathLike)) else getattr(f, "name", "")
    return "safetensors" if str(name).endswith(".safetensors") else "npz"


def save(obj, f, format=None):
    """Write a state dict (or any nesting of dicts/lists of tensors, arrays and numbers) to `f`.

    `f` is a path or a binary file.  The format is safetensors when the name
    ends in `.safetensors` (or format="safetensors"), otherwise `.npz`.
    Saving to a path is atomic: the file is written under a unique temporary
    name in the same directory, synced to disk, then renamed over `f`, so a
    reader (or a crash, or another process saving to the same path) never
    sees a partly written checkpoint.

    >>> fastgrad.save(model.state_dict(), "model.safetensors")
    """
    fmt = _format_for(f, format)
    writer = _save_safetensors if fmt == "safetensors" else _save_npz
    if isinstance(f, (str, os.PathLike)):
        atomic_write(f, lambda out: writer(obj, out))
    else:
        writer(obj, f)


def load(f, map_location=None, weights_only=True, max_bytes=None):
    """Read what `save` wrote (either format, told apart by the file's first bytes), or what
    PyTorch's torch.save wrote: tensors, dicts, lists, tuples, numbers and strings (a whole
    pickled model is refused, naming its class; save its state_dict() instead).

    Tensors come back as Tensors (not requiring grad), arrays as arrays, on the
    CPU; map_location ("cpu", "cuda", "cuda:N" or a fastgrad device) puts every
    tensor and array there instead (tensors saved from a GPU load on the CPU
    unless asked).  Loading never unpickles, so weights_only=False loads the
    same things as the default (it is accepted for code written for PyTorch).  The
    file is treated as untrusted: anything truncated, corrupted or malformed
    raises CheckpointError naming the problem, and nothing in it is executed.

    max_bytes bounds the bytes of array data the load may allocate; every size
    the file declares is checked against it before allocation.  The default is
    the file's size plus DEFAULT_EXTRA_BYTES (256 MiB): every uncompressed
    checkpoint fits, and a small compressed .npz cannot expand to gigabytes.
    Pass a larger max_bytes to read highly compressed files.

    >>> state = fastgrad.load("model.safetensors")
    >>> big = fastgrad.load("compressed.npz", max_bytes=8 * 2**30)
    """
    device = _check_map_location(map_location)
    if not isinstance(weights_only, bool):
        raise TypeError(f"load: argument 'weights_only' must be a bool, got {type(weights_only).__name__}")
    where = os.fspath(f) if isinstance(f, (str, os.PathLike)) else getattr(f, "name", "<file>")
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as inp:
            data = inp.read()
    else:
        data = f.read()
    budget = Budget(where, len(data), max_bytes)
    if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06":
        names = _zip_names(data)
        if names is not None and archive_prefix(names) is not None:
            return _to_device(read_torch_zip(data, budget, Tensor), device)
        return _to_device(_load_npz(data, budget), device)
    if data[:2] == b"\x80\x02" and len(data) > 2 and data[2:3] == b"\x8a":   # pickled magic number first
        raise legacy_torch_error(budget)
    if len(data) >= 9 and data[8:9] == b"{":
        return _to_device(_load_safetensors(data, budget), device)
    if not data:
        raise CheckpointError(f"load: {where} is empty")
    raise CheckpointError(f"load: {where} is neither an .npz nor a safetensors checkpoint")


def _zip_names(data):
    """The entry names of a zip file's bytes, or None when its directory cannot be read (then the
    .npz reader, which comes next, names the damage)."""
    try:
        return zipfile.ZipFile(io.BytesIO(data)).namelist()
    except Exception:   # any damage the zip module reports: diagnosed by the .npz reader
        return None


def _check_map_location(map_location):
    """The device name map_location asks for ("cpu" for None), checked before reading."""
    if map_location is None:
        return "cpu"
    name = str(map_location)
    if not isinstance(map_location, str) and type(map_location).__name__.lower() != "device":
        raise TypeError(f"load: argument 'map_location' must be 'cpu', 'cuda', 'cuda:N' or a device, "
                        f"got {type(map_location).__name__}")
    if not is_device_name(name):
        raise ValueError(f"load: argument 'map_location' must be 'cpu', 'cuda' or 'cuda:N', got {name!r}")
    return name


def _to_device(obj, device):
    """obj with every tensor and array moved to `device` (loaded data is on the CPU)."""
    if device == "cpu":
        return obj
    if isinstance(obj, Tensor):
        return Tensor(move_array(obj._data, device))
    if isinstance(obj, np.ndarray):
        return move_array(obj, device)
    if isinstance(obj, dict):
        return {k: _to_device(v, device) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_device(v, device) for v in obj)
    return obj
