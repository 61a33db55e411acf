"""The .npz format: NumPy's zip of .npy entries, read as untrusted input.

Reading never goes through np.load: each entry's .npy header is parsed with
NumPy's literal-only header reader, its dtype, shape and byte count are checked
against the size the zip declares and against the load's memory budget, and
only then is the array allocated and filled, reading at most the bytes
declared.  Object arrays (pickles) are refused, so nothing is ever executed.
"""
import io
import zipfile
import zlib

import numpy as np
from numpy.lib import format as npy_format

from .checks import ZIP_DAMAGE, checked_dtype, checked_shape, nbytes_of


def write_npz(arrays, f):
    """Write {name: array} as an uncompressed .npz to the binary file f."""
    np.savez(f, **arrays)


def read_npz(data, budget):
    """{name: array} from the bytes of an .npz file; CheckpointError for anything malformed."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except ZIP_DAMAGE as e:
        raise budget.error(f"is truncated or corrupted ({type(e).__name__}: {e})") from None
    arrays = {}
    for info in infos:
        name = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
        if name in arrays:
            raise budget.error(f"holds the entry '{name}' twice")
        try:
            arrays[name] = _read_entry(data, archive, info, name, budget)
        except ZIP_DAMAGE as e:
            raise budget.error(f"entry '{name}' is truncated or corrupted ({type(e).__name__}: {e})") from None
    return arrays


def _read_entry(data, archive, info, name, budget):
    if info.flag_bits & 0x1:
        raise budget.error(f"entry '{name}' is encrypted")
    if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
        raise budget.error(f"entry '{name}' declares {info.file_size} bytes but stores {info.compress_size}")
    with archive.open(info) as fp:
        version = npy_format.read_magic(fp)
        if version == (1, 0):
            shape, fortran_order, dtype = npy_format.read_array_header_1_0(fp)
        elif version == (2, 0):
            shape, fortran_order, dtype = npy_format.read_array_header_2_0(fp)
        else:
            raise budget.error(f"entry '{name}' has .npy format version {version}, not 1.0 or 2.0")
        dtype = checked_dtype(dtype, budget, name)
        shape = checked_shape(shape, budget, name)
        nbytes = nbytes_of(shape, dtype)
        header_bytes = fp.tell()
        if info.file_size != header_bytes + nbytes:
            raise budget.error(
                f"entry '{name}' declares shape {shape} of {dtype} ({nbytes} bytes) but holds "
                f"{info.file_size - header_bytes} bytes of data")
        budget.take(nbytes, name)
        if info.compress_type == zipfile.ZIP_STORED:
            raw = _stored_bytes(data, info, name, budget)[header_bytes:]
        else:
            raw = _read_exactly(fp, nbytes, name, budget)
    array = np.frombuffer(raw, dtype=dtype).reshape(shape, order="F" if fortran_order else "C")
    return array.astype(dtype.newbyteorder("="), copy=not isinstance(raw, bytearray))


def _stored_bytes(data, info, name, budget):
    # An uncompressed entry's bytes, straight from the file (a view), checksum verified.
    at = info.header_offset
    local = data[at:at + 30]
    if len(local) != 30 or local[:4] != b"PK\x03\x04":
        raise budget.error(f"entry '{name}' has a damaged local header")
    start = at + 30 + int.from_bytes(local[26:28], "little") + int.from_bytes(local[28:30], "little")
    raw = memoryview(data)[start:start + info.file_size]
    if len(raw) != info.file_size:
        raise budget.error(f"entry '{name}' is truncated")
    if zlib.crc32(raw) != info.CRC:
        raise budget.error(f"entry '{name}' fails its checksum (corrupted)")
    return raw


def _read_exactly(fp, nbytes, name, budget):
    # A compressed entry's data: at most nbytes are decompressed (the zip module checks the CRC).
    raw = bytearray(nbytes)
    view = memoryview(raw)
    filled = 0
    while filled < nbytes:
        got = fp.readinto(view[filled:])
        if not got:
            raise budget.error(f"entry '{name}' is truncated ({filled} of {nbytes} data bytes)")
        filled += got
    return raw
