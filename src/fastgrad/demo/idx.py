"""Read and write IDX files, the format of MNIST (raw or gzip-compressed).

An IDX file is a 4-byte magic number -- two zero bytes, a type code, the
number of dimensions -- then one big-endian int32 per dimension, then the
values in C order, big-endian.
"""
import gzip
import os
import struct

import numpy as np

# type code -> big-endian NumPy dtype
IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODE_OF = {dtype.newbyteorder("="): code for code, dtype in IDX_DTYPES.items()}


class IDXFormatError(ValueError):
    """A file that is not a valid IDX file."""


def _open(path):
    with open(path, "rb") as f:
        head = f.read(2)
    if head == b"\x1f\x8b":  # gzip magic: decide by content, not by the file name
        return gzip.open(path, "rb")
    return open(path, "rb")


def read_idx(path):
    """Read an IDX file (raw or .gz) into a NumPy array in native byte order.

    Example::

        images = read_idx("mnist/train-images-idx3-ubyte.gz")   # (60000, 28, 28) uint8
    """
    path = os.fspath(path)
    try:
        with _open(path) as f:
            raw = f.read()
    except (OSError, EOFError) as e:
        raise IDXFormatError(f"read_idx: cannot read {path!r}: {e}") from e
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise IDXFormatError(f"read_idx: {path!r} is not an IDX file (bad magic number)")
    code, ndim = raw[2], raw[3]
    if code not in IDX_DTYPES:
        raise IDXFormatError(f"read_idx: {path!r} has unknown IDX type code 0x{code:02X}")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise IDXFormatError(f"read_idx: {path!r} is truncated inside its header")
    shape = struct.unpack(f">{ndim}i", raw[4:header])
    if any(n < 0 for n in shape):
        raise IDXFormatError(f"read_idx: {path!r} has a negative dimension {shape}")
    dtype = IDX_DTYPES[code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) - header != expected:
        raise IDXFormatError(
            f"read_idx: {path!r} holds {len(raw) - header} bytes of data, "
            f"but its header {tuple(shape)} of {dtype.name} needs {expected}"
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def write_idx(path, array):
    """Write an array as an IDX file; gzip-compressed when `path` ends in .gz."""
    array = np.ascontiguousarray(array)
    native = array.dtype.newbyteorder("=")
    if native not in _CODE_OF:
        raise TypeError(f"write_idx: dtype {array.dtype} has no IDX type code")
    header = bytes([0, 0, _CODE_OF[native], array.ndim]) + struct.pack(f">{array.ndim}i", *array.shape)
    payload = header + array.astype(native.newbyteorder(">")).tobytes()
    opener = gzip.open if os.fspath(path).endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(payload)
