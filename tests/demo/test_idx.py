"""The IDX reader on small files the tests write (raw and gzip)."""
import gzip
import struct

import numpy as np
import pytest

from fastgrad.demo.idx import IDX_DTYPES, IDXFormatError, read_idx, write_idx


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("shape", [(0,), (7,), (3, 5), (4, 3, 2), (2, 1, 3, 2)])
def test_write_then_read_round_trip(tmp_path, rng, suffix, dtype, shape):
    data = (rng.standard_normal(shape) * 50).astype(dtype)
    path = tmp_path / f"x-idx{len(shape)}{suffix}"
    write_idx(str(path), data)
    back = read_idx(path)
    assert back.dtype == np.dtype(dtype) and back.shape == shape
    np.testing.assert_array_equal(back, data)


def test_reads_bytes_written_by_hand_big_endian(tmp_path):
    # magic 0x00000C02 (int32, 2 dims), dims 2 x 2, values big-endian
    raw = bytes([0, 0, 0x0C, 2]) + struct.pack(">2i", 2, 2) + struct.pack(">4i", 1, -2, 300, 70000)
    (tmp_path / "a").write_bytes(raw)
    with gzip.open(tmp_path / "a.gz", "wb") as f:
        f.write(raw)
    for name in ("a", "a.gz"):
        np.testing.assert_array_equal(read_idx(tmp_path / name), [[1, -2], [300, 70000]])


def test_gzip_is_detected_by_content_not_name(tmp_path):
    data = np.arange(6, dtype=np.uint8).reshape(2, 3)
    write_idx(str(tmp_path / "y.gz"), data)
    (tmp_path / "y.gz").rename(tmp_path / "y-no-suffix")
    np.testing.assert_array_equal(read_idx(tmp_path / "y-no-suffix"), data)


def test_every_type_code_has_a_dtype():
    assert sorted(IDX_DTYPES) == [0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E]


@pytest.mark.parametrize("raw, message", [
    (b"", "bad magic"),
    (b"\x01\x00\x08\x01\x00\x00\x00\x01\x05", "bad magic"),
    (b"\x00\x00\x07\x01\x00\x00\x00\x01\x05", "type code 0x07"),
    (b"\x00\x00\x08\x02\x00\x00\x00\x01", "truncated"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x03\x05\x06", "needs 3"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x01\x05\x06", "holds 2 bytes"),
    (b"\x00\x00\x08\x01\xff\xff\xff\xff", "negative dimension"),
])
def test_malformed_files_raise_a_clear_error(tmp_path, raw, message):
    path = tmp_path / "bad"
    path.write_bytes(raw)
    with pytest.raises(IDXFormatError, match=message) as info:
        read_idx(path)
    assert "read_idx" in str(info.value) and "bad" in str(info.value)


def test_truncated_gzip_raises_a_clear_error(tmp_path):
    write_idx(str(tmp_path / "z.gz"), np.zeros((50, 50), np.uint8))
    blob = (tmp_path / "z.gz").read_bytes()
    (tmp_path / "z.gz").write_bytes(blob[: len(blob) // 2])
    with pytest.raises(IDXFormatError, match="cannot read"):
        read_idx(tmp_path / "z.gz")


def test_missing_file_raises_a_clear_error(tmp_path):
    with pytest.raises(IDXFormatError, match="cannot read"):
        read_idx(tmp_path / "nope")


def test_write_rejects_dtypes_without_a_type_code(tmp_path):
    with pytest.raises(TypeError, match="no IDX type code"):
        write_idx(str(tmp_path / "c"), np.zeros(3, np.complex64))
