"""The safetensors format, written and read with the format's rules enforced.

Layout: an 8-byte little-endian header length N, N bytes of JSON header
(starting with '{', padded with spaces), then the data buffer.  The header
maps each tensor name to {"dtype", "shape", "data_offsets": [begin, end]}
(offsets into the data buffer) plus an optional "__metadata__" map of strings.
The reader refuses duplicate names, unknown dtypes, byte ranges whose length
is not dtype size x shape, and ranges that overlap, leave holes or do not
cover the data buffer exactly.
"""
import json
import struct

import numpy as np

from .checks import checked_shape, nbytes_of

DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32,
          "I16": np.int16, "I8": np.int8, "U64": np.uint64, "U32": np.uint32, "U16": np.uint16,
          "U8": np.uint8, "BOOL": np.bool_}
CODES = {np.dtype(v): k for k, v in DTYPES.items()}
MAX_HEADER_BYTES = 100 * 1024 * 1024
METADATA = "__metadata__"


def write_safetensors(arrays, metadata, f):
    """Write {name: array} and a {str: str} metadata map to the binary file f."""
    header, chunks, offset = {}, [], 0
    for name, a in arrays.items():
        code = CODES.get(a.dtype)
        if code is None:
            raise TypeError(f"save: dtype {a.dtype} of '{name}' has no safetensors code")
        raw = np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": code, "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    header[METADATA] = metadata
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    f.write(struct.pack("<Q", len(text)))
    f.write(text)
    for raw in chunks:
        f.write(raw)


def _no_duplicate_keys(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("a name appears twice")
    return dict(pairs)


def read_safetensors(data, budget):
    """({name: array}, metadata) from the bytes of a safetensors file; CheckpointError
    for anything that breaks the format's rules."""
    if len(data) < 8:
        raise budget.error(f"is truncated ({len(data)} bytes, no header)")
    (n,) = struct.unpack("<Q", data[:8])
    if n > MAX_HEADER_BYTES:
        raise budget.error(f"declares a header of {n} bytes (at most {MAX_HEADER_BYTES})")
    if n > len(data) - 8:
        raise budget.error(f"is truncated (header of {n} bytes, file of {len(data)})")
    text = data[8:8 + n]
    if text[:1] != b"{":
        raise budget.error("has a header that does not start with '{'")
    try:
        header = json.loads(text.decode("utf-8"), object_pairs_hook=_no_duplicate_keys)
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise budget.error(f"has a corrupted header ({type(e).__name__}: {e})") from None
    if not isinstance(header, dict):
        raise budget.error("has a header that is not a JSON object")
    metadata = header.pop(METADATA, None)
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise budget.error("has __metadata__ that is not a map of strings")

    buffer = memoryview(data)[8 + n:]
    entries = [_entry(name, info, budget) for name, info in header.items()]
    end_of_previous = 0
    for name, _, _, begin, end in sorted(entries, key=lambda e: (e[3], e[4])):
        if begin != end_of_previous:
            problem = "overlaps the previous tensor" if begin < end_of_previous else "leaves a gap before it"
            raise budget.error(f"tensor '{name}' starts at byte {begin} and {problem} (which ends at "
                               f"{end_of_previous}); the format requires contiguous, non-overlapping data")
        end_of_previous = end
    if end_of_previous != len(buffer):
        raise budget.error(f"the tensors cover {end_of_previous} bytes of data but the file holds {len(buffer)} "
                           "(truncated, or trailing bytes)")
    arrays = {}
    for name, dtype, shape, begin, end in entries:
        budget.take(end - begin, name)
        arrays[name] = np.frombuffer(buffer[begin:end], dtype=dtype).astype(dtype.newbyteorder("=")).reshape(shape)
    return arrays, metadata


def _entry(name, info, budget):
    # (name, dtype, shape, begin, end) of one header entry, every field checked.
    if not isinstance(info, dict) or set(info) != {"dtype", "shape", "data_offsets"}:
        raise budget.error(f"tensor '{name}' is not an object with exactly dtype, shape and data_offsets")
    code = info["dtype"]
    if not isinstance(code, str) or code not in DTYPES:
        raise budget.error(f"tensor '{name}' has dtype {code!r}, which fastgrad cannot read "
                           f"(supported: {', '.join(DTYPES)})")
    dtype = np.dtype(DTYPES[code]).newbyteorder("<")
    shape = checked_shape(info["shape"], budget, name)
    offsets = info["data_offsets"]
    if (not isinstance(offsets, list) or len(offsets) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in offsets)):
        raise budget.error(f"tensor '{name}' has data_offsets {offsets!r}, not two integers")
    begin, end = offsets
    if not 0 <= begin <= end:
        raise budget.error(f"tensor '{name}' has data_offsets {offsets}, not 0 <= begin <= end")
    nbytes = nbytes_of(shape, dtype)
    if end - begin != nbytes:
        raise budget.error(f"tensor '{name}' of dtype {code} and shape {list(shape)} needs {nbytes} bytes but "
                           f"its data_offsets span {end - begin}")
    return name, dtype, shape, begin, end
