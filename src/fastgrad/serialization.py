"""fastgrad.save / fastgrad.load: state dicts (model and optimizer) on disk, never pickled.

Two formats:

- `.npz` (the default): NumPy's zip of arrays, read with allow_pickle=False.
  Arrays and tensors are stored as entries; the structure around them (dicts,
  lists, numbers, strings) as a JSON document in one more entry.
- `.safetensors` (chosen by the file name or `format="safetensors"`): the
  safetensors layout (an 8-byte header length, a JSON header, raw
  little-endian data), readable by the `safetensors` package and so by
  PyTorch: `safetensors.torch.load_file(path)` gives the same weights.

A truncated or corrupted file raises `CheckpointError` (a ValueError) naming
the file and what is wrong; nothing in a file is ever executed.

    >>> fastgrad.save({"model": model.state_dict(), "optim": opt.state_dict()}, "ckpt.npz")
    >>> ckpt = fastgrad.load("ckpt.npz")
    >>> model.load_state_dict(ckpt["model"])
"""
import io
import json
import os
import struct
import zipfile

import numpy as np

from .autograd.tensor import Tensor

__all__ = ["CheckpointError", "save", "load"]

_TREE_KEY = "__fastgrad_tree__"
_META_KEY = "fastgrad_tree"
_VERSION = 1


class CheckpointError(ValueError):
    """A file that is not a readable fastgrad checkpoint (truncated, corrupted, or another format)."""


# ---- the structure around the arrays --------------------------------------------


def _encode(obj, arrays, path):
    """A JSON-able description of obj; arrays are collected into `arrays` by name."""
    if isinstance(obj, Tensor):
        return {"t": "tensor", "ref": _put(arrays, path, np.asarray(obj.data))}
    if isinstance(obj, np.ndarray):
        return {"t": "array", "ref": _put(arrays, path, obj)}
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


def _decode(node, arrays, where):
    try:
        kind = node["t"]
        if kind == "tensor":
            return Tensor(arrays[node["ref"]])
        if kind == "array":
            return arrays[node["ref"]]
        if kind == "npscalar":
            return arrays[node["ref"]][()]
        if kind == "value":
            return node["v"]
        if kind == "float":
            return float(node["v"])
        if kind == "dict":
            return {k: _decode(v, arrays, where) for k, v in node["items"]}
        if kind == "list":
            return [_decode(v, arrays, where) for v in node["items"]]
        if kind == "tuple":
            return tuple(_decode(v, arrays, where) for v in node["items"])
    except (KeyError, TypeError, ValueError) as e:
        raise CheckpointError(f"load: {where}: the structure entry is damaged ({type(e).__name__}: {e})") from None
    raise CheckpointError(f"load: {where}: unknown entry kind {kind!r}")


# ---- npz -------------------------------------------------------------------------


def _save_npz(obj, f):
    arrays = {}
    tree = {"version": _VERSION, "root": _encode(obj, arrays, "")}
    arrays[_TREE_KEY] = np.frombuffer(json.dumps(tree).encode("utf-8"), dtype=np.uint8)
    np.savez(f, **arrays)


def _load_npz(data, where):
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            if _TREE_KEY not in z.files:
                raise CheckpointError(f"load: {where} is an .npz file but not a fastgrad checkpoint "
                                      f"(no '{_TREE_KEY}' entry)")
            tree = json.loads(bytes(z[_TREE_KEY]).decode("utf-8"))
            arrays = {name: z[name] for name in z.files if name != _TREE_KEY}
    except CheckpointError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, KeyError, ValueError, UnicodeDecodeError) as e:
        raise CheckpointError(f"load: {where} is truncated or corrupted ({type(e).__name__}: {e})") from None
    return _decode(tree.get("root") if isinstance(tree, dict) else None, arrays, where)


# ---- safetensors -------------------------------------------------------------------

_ST_DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32,
              "I16": np.int16, "I8": np.int8, "U64": np.uint64, "U32": np.uint32, "U16": np.uint16,
              "U8": np.uint8, "BOOL": np.bool_}
_ST_CODES = {np.dtype(v): k for k, v in _ST_DTYPES.items()}
_MAX_HEADER = 100 * 1024 * 1024


def _save_safetensors(obj, f):
    arrays = {}
    root = _encode(obj, arrays, "")
    flat_tensors = (root["t"] == "dict" and all(isinstance(k, str) and v["t"] in ("tensor", "array")
                                                and v["ref"] == k for k, v in root["items"]))
    header, chunks, offset = {}, [], 0
    for name, a in arrays.items():
        code = _ST_CODES.get(a.dtype)
        if code is None:
            raise TypeError(f"save: dtype {a.dtype} of '{name}' has no safetensors code")
        raw = np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": code, "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    meta = {"format": "pt"}
    if not flat_tensors:  # anything but {name: tensor} keeps its structure in the metadata
        meta[_META_KEY] = json.dumps({"version": _VERSION, "root": root})
    header["__metadata__"] = meta
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    f.write(struct.pack("<Q", len(text)))
    f.write(text)
    for raw in chunks:
        f.write(raw)


def _load_safetensors(data, where):
    if len(data) < 8:
        raise CheckpointError(f"load: {where} is truncated ({len(data)} bytes, no header)")
    (n,) = struct.unpack("<Q", data[:8])
    if n > min(len(data) - 8, _MAX_HEADER):
        raise CheckpointError(f"load: {where} is truncated or not a checkpoint (header of {n} bytes, "
                              f"file of {len(data)})")
    try:
        header = json.loads(data[8:8 + n].decode("utf-8"))
        if not isinstance(header, dict):
            raise ValueError("the header is not a JSON object")
    except (UnicodeDecodeError, ValueError) as e:
        raise CheckpointError(f"load: {where} has a corrupted header ({e})") from None
    buf = memoryview(data)[8 + n:]
    meta = header.pop("__metadata__", None) or {}
    arrays = {}
    for name, info in header.items():
        try:
            dtype = np.dtype(_ST_DTYPES[info["dtype"]]).newbyteorder("<")
            shape = tuple(int(s) for s in info["shape"])
            begin, end = (int(v) for v in info["data_offsets"])
        except (KeyError, TypeError, ValueError) as e:
            raise CheckpointError(f"load: {where}: entry '{name}' is damaged ({type(e).__name__}: {e})") from None
        count = int(np.prod(shape)) if shape else 1
        if any(s < 0 for s in shape) or not 0 <= begin <= end <= len(buf) or end - begin != count * dtype.itemsize:
            raise CheckpointError(f"load: {where}: entry '{name}' does not fit the data (offsets {begin}..{end}, "
                                  f"{len(buf)} data bytes; the file may be truncated)")
        arrays[name] = np.frombuffer(buf[begin:end], dtype=dtype).astype(dtype.newbyteorder("="))\
            .reshape(shape)
    tree_text = meta.get(_META_KEY) if isinstance(meta, dict) else None
    if tree_text is None:
        return {name: Tensor(a) for name, a in arrays.items()}
    try:
        tree = json.loads(tree_text)
    except ValueError as e:
        raise CheckpointError(f"load: {where} has corrupted metadata ({e})") from None
    return _decode(tree.get("root") if isinstance(tree, dict) else None, arrays, where)


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

    >>> fastgrad.save(model.state_dict(), "model.safetensors")
    """
    fmt = _format_for(f, format)
    writer = _save_safetensors if fmt == "safetensors" else _save_npz
    if isinstance(f, (str, os.PathLike)):
        tmp = os.fspath(f) + ".tmp"
        with open(tmp, "wb") as out:
            writer(obj, out)
        os.replace(tmp, f)   # a crash mid-write never leaves a half file under the real name
    else:
        writer(obj, f)


def load(f, map_location=None, weights_only=True):
    """Read what `save` wrote (either format, told apart by the file's first bytes).

    Tensors come back as Tensors (not requiring grad), arrays as arrays.
    Raises CheckpointError for a truncated or corrupted file.
    """
    where = os.fspath(f) if isinstance(f, (str, os.PathLike)) else getattr(f, "name", "<file>")
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as inp:
            data = inp.read()
    else:
        data = f.read()
    if data[:4] == b"PK\x03\x04":
        return _load_npz(data, where)
    if len(data) >= 9 and data[8:9] == b"{":
        return _load_safetensors(data, where)
    if not data:
        raise CheckpointError(f"load: {where} is empty")
    raise CheckpointError(f"load: {where} is neither an .npz nor a safetensors checkpoint")
