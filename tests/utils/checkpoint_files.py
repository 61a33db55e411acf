"""Hand-made checkpoint files, valid and hostile, for the loader's tests."""
import io
import json
import struct
import zipfile

import numpy as np

TREE_KEY = "__fastgrad_tree__"


def npy_bytes(header, data=b""):
    """A .npy file (format 1.0) with the given header text (a dict literal) and data bytes."""
    text = header.encode("latin1")
    pad = -(10 + len(text) + 1) % 64
    text += b" " * pad + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text + data


def npz_bytes(entries, compression=zipfile.ZIP_STORED):
    """An .npz (zip) holding {name: .npy bytes}."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as z:
        for name, raw in entries.items():
            z.writestr(name + ".npy", raw)
    return buf.getvalue()


def tree_entry(root):
    """The .npy bytes of a fastgrad structure document with this root."""
    text = json.dumps({"version": 1, "root": root}).encode()
    return npy_bytes(f"{{'descr': '|u1', 'fortran_order': False, 'shape': ({len(text)},), }}", text)


def checkpoint_npz(root, arrays):
    """A fastgrad .npz: structure `root` plus {name: array} stored as NumPy writes them."""
    entries = {TREE_KEY: tree_entry(root)}
    for name, a in arrays.items():
        buf = io.BytesIO()
        np.save(buf, a)
        entries[name] = buf.getvalue()
    return npz_bytes(entries)


def safetensors_bytes(header, data=b""):
    """A safetensors file from a header (dict, or raw JSON bytes) and a data buffer."""
    text = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data
