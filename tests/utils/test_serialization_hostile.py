"""fastgrad.load on hostile files: every one is answered with CheckpointError naming
the problem, before any large allocation, and never with another exception."""
import io
import zipfile

import numpy as np
import pytest

import fastgrad as fg
from checkpoint_files import (TREE_KEY, checkpoint_npz, npy_bytes, npz_bytes, safetensors_bytes,
                              tree_entry)
from fastgrad.serialization import DEFAULT_EXTRA_BYTES, CheckpointError

ARRAY_ROOT = {"t": "array", "ref": "x"}


def load_bytes(data, **kw):
    return fg.load(io.BytesIO(data), **kw)


def npz_with_header(header, data=b""):
    return npz_bytes({TREE_KEY: tree_entry(ARRAY_ROOT), "x": npy_bytes(header, data)})


# ---- npz: the .npy header of an entry -------------------------------------------------


@pytest.mark.parametrize("header, message", [
    # the product of the shape overflows int64
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }",
     "declares shape"),
    # 100 dimensions
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (" + "1, " * 100 + "), }", "100 dimensions"),
    # 8 TiB of float64
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (1099511627776,), }", "declares shape"),
    # a string dtype of 1 GiB per element
    ("{'descr': '<U268435456', 'fortran_order': False, 'shape': (), }", "declares shape"),
    # object arrays are pickles
    ("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", "may not hold"),
    # structured dtypes
    ("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }", "may not hold"),
    # not a header at all
    ("{'descr': '<f8', 'fortran_order': False, 'shape': 'x', }", "corrupted"),
    ("__import__('os').system('true')", "corrupted"),
])
def test_npz_entry_with_hostile_header_is_refused(header, message):
    with pytest.raises(CheckpointError, match=message):
        load_bytes(npz_with_header(header, b"\0" * 16))


def test_npz_entry_whose_data_is_shorter_or_longer_than_its_shape_is_refused():
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }"
    for data in (b"\0" * 16, b"\0" * 32):
        with pytest.raises(CheckpointError, match="holds 16|holds 32"):
            load_bytes(npz_with_header(header, data))
    x = load_bytes(npz_with_header(header, np.arange(3.0).tobytes()))
    np.testing.assert_array_equal(x, [0.0, 1.0, 2.0])


def _compressed_zeros_npz(nbytes):
    # An .npz whose one float32 entry of nbytes zeros is deflated to almost nothing.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr(TREE_KEY + ".npy", tree_entry(ARRAY_ROOT))
        with z.open("x.npy", "w", force_zip64=True) as f:
            f.write(npy_bytes(f"{{'descr': '<f4', 'fortran_order': False, 'shape': ({nbytes // 4},), }}"))
            chunk = bytes(1 << 22)
            for _ in range(nbytes // len(chunk)):
                f.write(chunk)
    return buf.getvalue()


def test_small_compressed_npz_cannot_expand_past_the_default_budget():
    data = _compressed_zeros_npz(DEFAULT_EXTRA_BYTES + (32 << 20))
    assert len(data) < 2 << 20   # under 2 MB on disk, ~290 MB declared
    with pytest.raises(CheckpointError, match="max_bytes"):
        load_bytes(data)


def test_max_bytes_bounds_and_raises_the_budget():
    data = _compressed_zeros_npz(8 << 20)
    with pytest.raises(CheckpointError, match="more than the 1048576 bytes"):
        load_bytes(data, max_bytes=1 << 20)
    x = load_bytes(data, max_bytes=16 << 20)
    assert x.shape == (2 << 20,) and x.dtype == np.float32 and not x.any()
    with pytest.raises(ValueError, match="max_bytes"):
        load_bytes(data, max_bytes=-1)


def test_zip_entry_declaring_more_than_it_stores_is_refused():
    data = bytearray(npz_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", b"\0" * 16))
    # Patch the uncompressed size of 'x.npy' in its central-directory record.
    cd = data.rfind(b"PK\x01\x02")
    struct_size = int.from_bytes(data[cd + 24:cd + 28], "little")
    data[cd + 24:cd + 28] = (struct_size + 1000).to_bytes(4, "little")
    with pytest.raises(CheckpointError, match="x"):
        load_bytes(bytes(data))


def test_npz_entry_that_is_encrypted_or_duplicated_is_refused():
    entry = npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", b"\0" * 8)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(TREE_KEY + ".npy", tree_entry(ARRAY_ROOT))
        z.writestr("x.npy", entry)
        with pytest.warns(UserWarning, match="Duplicate"):
            z.writestr("x.npy", entry)
    with pytest.raises(CheckpointError, match="twice"):
        load_bytes(buf.getvalue())


# ---- the structure document ---------------------------------------------------------


def _npz_with_tree(tree_text):
    text = tree_text.encode()
    raw = npy_bytes(f"{{'descr': '|u1', 'fortran_order': False, 'shape': ({len(text)},), }}", text)
    return npz_bytes({TREE_KEY: raw, "x": npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (), }",
                                                    b"\0" * 8)})


def _safetensors_with_tree(tree):
    header = {"x": {"dtype": "F64", "shape": [], "data_offsets": [0, 8]},
              "__metadata__": {"format": "pt", "fastgrad_tree": tree}}
    return safetensors_bytes(header, b"\0" * 8)


@pytest.mark.parametrize("make", [_npz_with_tree, _safetensors_with_tree], ids=["npz", "safetensors"])
@pytest.mark.parametrize("tree, message", [
    ('{"version": 1, "root": ' + '{"t": "list", "items": [' * 100000 + ']}' * 100000 + '}', "nested too deeply"),
    ('[' * 100000 + ']' * 100000, "nested too deeply"),
    ('{"version": 1, "root": {"t": "dict", "items": [[["not", "a", "key"], {"t": "value", "v": 1}]]}}',
     "key"),
    ('{"version": 1, "root": {"t": "dict", "items": [[1.5, {"t": "value", "v": 1}]]}}', "key"),
    ('{"version": 1, "root": {"t": "array", "ref": ["x"]}}', "missing array"),
    ('{"version": 1, "root": {"t": "tensor", "ref": "nope"}}', "missing array"),
    ('{"version": 1, "root": {"t": "float", "v": [1]}}', "float entry"),
    ('{"version": 1, "root": {"t": "value", "v": {"a": 1}}}', "value entry"),
    ('{"version": 1, "root": {"t": "eval", "v": "1"}}', "unknown"),
    ('{"version": 1, "root": "x"}', "not an object"),
    ('{"version": 1, "root": {"t": "list", "items": 5}}', "no list"),
    ('{"version": 1}', "no root"),
    ('not json', "corrupted"),
])
def test_damaged_structure_document_is_refused(make, tree, message):
    with pytest.raises(CheckpointError, match=message):
        load_bytes(make(tree))


def test_structure_document_that_is_not_a_string_is_refused():
    with pytest.raises(CheckpointError, match="map of strings"):
        load_bytes(_safetensors_with_tree({"version": 1}))


# ---- safetensors: the format's rules -----------------------------------------------


def _st(entries, data_len, metadata=None):
    header = dict(entries)
    if metadata is not None:
        header["__metadata__"] = metadata
    return safetensors_bytes(header, bytes(data_len))


def _t(dtype, shape, begin, end):
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


@pytest.mark.parametrize("entries, data_len, message", [
    ({"a": _t("F32", [2], 0, 8), "b": _t("F32", [2], 4, 12)}, 12, "overlaps"),
    ({"a": _t("F32", [2], 0, 8), "b": _t("F32", [2], 0, 8)}, 8, "overlaps"),
    ({"a": _t("F32", [2], 0, 8), "b": _t("F32", [2], 12, 20)}, 20, "gap"),
    ({"a": _t("F32", [2], 4, 12)}, 12, "gap"),
    ({"a": _t("F32", [2], 0, 8)}, 16, "cover 8 bytes"),
    ({"a": _t("F32", [2], 0, 8)}, 4, "cover 8 bytes"),
    ({"a": _t("F32", [3], 0, 8)}, 8, "needs 12 bytes"),
    ({"a": _t("F32", [2 ** 62, 2 ** 62], 0, 8)}, 8, "needs"),
    ({"a": _t("F32", [1] * 100, 0, 4)}, 4, "100 dimensions"),
    ({"a": _t("F32", [-2], 0, 0)}, 0, "invalid dimension"),
    ({"a": _t("F32", [True], 0, 4)}, 4, "invalid dimension"),
    ({"a": _t("F32", [2.0], 0, 8)}, 8, "invalid dimension"),
    ({"a": _t("F32", "2", 0, 8)}, 8, "not a list"),
    ({"a": _t("BF16", [2], 0, 4)}, 4, "BF16"),
    ({"a": _t(["F32"], [2], 0, 8)}, 8, "dtype"),
    ({"a": _t("F32", [2], 8, 0)}, 8, "begin <= end"),
    ({"a": _t("F32", [2], -8, 0)}, 8, "begin <= end"),
    ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, "8"]}}, 8, "two integers"),
    ({"a": {"dtype": "F32", "shape": [2]}}, 8, "exactly dtype"),
    ({"a": "F32"}, 8, "exactly dtype"),
])
def test_safetensors_breaking_the_format_is_refused(entries, data_len, message):
    with pytest.raises(CheckpointError, match=message):
        load_bytes(_st(entries, data_len))


def test_safetensors_header_rules():
    good = {"a": _t("F32", [2], 0, 8)}
    with pytest.raises(CheckpointError, match="map of strings"):
        load_bytes(_st(good, 8, metadata={"format": 1}))
    with pytest.raises(CheckpointError, match="twice"):
        load_bytes(safetensors_bytes(b'{"a": {"dtype": "F32", "shape": [0], "data_offsets": [0, 0]}, '
                                     b'"a": {"dtype": "F32", "shape": [0], "data_offsets": [0, 0]}}'))
    with pytest.raises(CheckpointError, match="neither"):
        load_bytes(b"\x02\0\0\0\0\0\0\0[]")
    with pytest.raises(CheckpointError, match="corrupted header"):
        load_bytes(b"\x03\0\0\0\0\0\0\0{x}")
    with pytest.raises(CheckpointError, match="header of"):
        load_bytes(b"\xff" * 8 + b"{}")
    empty = load_bytes(_st({"a": _t("F32", [0], 0, 0), "b": _t("F32", [2], 0, 8)}, 8))
    assert empty["a"].shape == (0,) and empty["b"].shape == (2,)


def test_file_path_gets_the_same_checks(tmp_path):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(_st({"a": _t("F32", [2], 0, 8), "b": _t("F32", [2], 4, 12)}, 12))
    with pytest.raises(CheckpointError, match=str(path.name)):
        fg.load(path)


def test_valid_hand_made_files_load():
    data = checkpoint_npz({"t": "dict", "items": [["w", {"t": "tensor", "ref": "w"}]]},
                          {"w": np.arange(6.0).reshape(2, 3)})
    loaded = load_bytes(data)
    np.testing.assert_array_equal(loaded["w"].data, np.arange(6.0).reshape(2, 3))
    big_endian = npz_with_header("{'descr': '>i4', 'fortran_order': True, 'shape': (2, 2), }",
                                 np.array([1, 2, 3, 4], ">i4").tobytes())
    np.testing.assert_array_equal(load_bytes(big_endian), [[1, 3], [2, 4]])
