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


class TorchPickle:
    """Protocol-2 pickle opcodes written one by one, as torch.save's data.pkl holds them: for
    hand-made PyTorch checkpoints (valid and hostile) without PyTorch installed."""

    def __init__(self):
        self.out = bytearray(b"\x80\x02")

    def op(self, raw):
        self.out += raw
        return self

    def mark(self):
        return self.op(b"(")

    def string(self, text):
        raw = text.encode()
        return self.op(b"X" + struct.pack("<I", len(raw)) + raw)

    def int(self, value):
        return self.op(b"J" + struct.pack("<i", value))

    def glob(self, module, name):
        return self.op(b"c" + module.encode() + b"\n" + name.encode() + b"\n")

    def storage(self, kind, key, numel):
        """The persistent id of storage `key` (kind: FloatStorage, ...), left on the stack as a storage."""
        self.mark().string("storage").glob("torch", kind).string(key).string("cpu").int(numel)
        return self.op(b"tQ")

    def ints(self, values):
        self.mark()
        for v in values:
            self.int(v)
        return self.op(b"t")

    def tensor(self, kind, key, numel, offset, shape, strides):
        """torch._utils._rebuild_tensor_v2(storage, offset, shape, strides, False, OrderedDict())."""
        self.glob("torch._utils", "_rebuild_tensor_v2").mark().storage(kind, key, numel).int(offset)
        self.ints(shape).ints(strides).op(b"\x89").glob("collections", "OrderedDict").op(b")R")
        return self.op(b"tR")

    def bytes(self):
        return bytes(self.out + b".")


def torch_zip_bytes(pickle_bytes, storages=None, byteorder=b"little", archive="archive"):
    """A torch.save-style zip: archive/data.pkl, archive/data/<key> for each storage, and the
    byteorder and version entries."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(f"{archive}/data.pkl", pickle_bytes)
        if byteorder is not None:
            z.writestr(f"{archive}/byteorder", byteorder)
        for key, raw in (storages or {}).items():
            z.writestr(f"{archive}/data/{key}", raw)
        z.writestr(f"{archive}/version", b"3\n")
    return buf.getvalue()
