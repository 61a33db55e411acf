"""TensorBoard's event files, written without TensorBoard or protobuf installed.

An event file is a sequence of records (TFRecord framing: the length as a little-endian
uint64, its masked CRC-32C, the bytes, their masked CRC-32C); each record is one serialized
`Event` message.  The few messages written here (Event, Summary, Summary.Value,
HistogramProto, SummaryMetadata, TensorProto) are encoded by hand with protobuf's wire format,
using the field numbers of TensorBoard's .proto files.
"""
import os
import socket
import struct
import threading
import time

# ---- CRC-32C (Castagnoli), as TFRecord frames use it -----------------------------------------

def _crc_table():
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC_TABLE = _crc_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _CRC_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data):
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def record(data):
    """One TFRecord: length, its checksum, the data, its checksum."""
    length = struct.pack("<Q", len(data))
    return length + struct.pack("<I", masked_crc32c(length)) + data + struct.pack("<I", masked_crc32c(data))


# ---- protobuf wire format ---------------------------------------------------------------------

def _varint(value):
    value &= (1 << 64) - 1  # negative int64s are ten-byte two's complement
    out = bytearray()
    while True:
        bits = value & 0x7F
        value >>= 7
        if value:
            out.append(bits | 0x80)
        else:
            out.append(bits)
            return bytes(out)


def field_varint(number, value):
    return _varint(number << 3) + _varint(int(value))


def field_double(number, value):
    return _varint(number << 3 | 1) + struct.pack("<d", float(value))


def field_float(number, value):
    return _varint(number << 3 | 5) + struct.pack("<f", float(value))


def field_bytes(number, data):
    """A string, bytes or an embedded message (already encoded)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def field_packed_doubles(number, values):
    return field_bytes(number, b"".join(struct.pack("<d", float(v)) for v in values))


# ---- the messages -------------------------------------------------------------------------------

def event(step, wall_time=None, *, summary_values=(), file_version=None):
    """An Event: wall_time (1), step (2), and a file_version (3) or a Summary (5) of values (1)."""
    out = field_double(1, time.time() if wall_time is None else wall_time) + field_varint(2, step)
    if file_version is not None:
        out += field_bytes(3, file_version)
    if summary_values:
        out += field_bytes(5, b"".join(field_bytes(1, v) for v in summary_values))
    return out


def scalar_value(tag, value):
    """Summary.Value: tag (1), simple_value (2)."""
    return field_bytes(1, tag) + field_float(2, value)


def tensor_scalar_value(tag, value, double_precision=False):
    """Summary.Value in the scalars plugin's tensor form: tag (1), metadata (9) naming the
    plugin, tensor (8) = a DT_FLOAT (1) float_val (5) or DT_DOUBLE (2) double_val (6) TensorProto."""
    metadata = field_bytes(1, field_bytes(1, "scalars"))
    if double_precision:
        tensor = field_varint(1, 2) + field_bytes(2, b"") + field_packed_doubles(6, [value])
    else:
        tensor = field_varint(1, 1) + field_bytes(2, b"") + field_bytes(5, struct.pack("<f", float(value)))
    return field_bytes(1, tag) + field_bytes(9, metadata) + field_bytes(8, tensor)


def histogram_value(tag, minimum, maximum, count, total, total_squares, limits, counts):
    """Summary.Value: tag (1), histo (5) = HistogramProto: min, max, num, sum, sum_squares,
    bucket_limit (packed), bucket (packed)."""
    histo = (field_double(1, minimum) + field_double(2, maximum) + field_double(3, count) + field_double(4, total)
             + field_double(5, total_squares) + field_packed_doubles(6, limits) + field_packed_doubles(7, counts))
    return field_bytes(1, tag) + field_bytes(5, histo)


def text_value(tag, text):
    """Summary.Value: tag (1), metadata (9) naming the text plugin, tensor (8) = a DT_STRING
    (7) TensorProto holding the text in string_val (8)."""
    metadata = field_bytes(1, field_bytes(1, "text"))      # plugin_data { plugin_name: "text" }
    tensor = field_varint(1, 7) + field_bytes(2, b"") + field_bytes(8, text)  # dtype, shape [], string_val
    return field_bytes(1, tag) + field_bytes(9, metadata) + field_bytes(8, tensor)


# ---- the file ---------------------------------------------------------------------------------

_files_made = [0]
_files_lock = threading.Lock()


class EventFile:
    """An events.out.tfevents.* file in `log_dir`; writes are appended and flushed on demand."""

    def __init__(self, log_dir, filename_suffix=""):
        os.makedirs(log_dir, exist_ok=True)
        with _files_lock:
            _files_made[0] += 1
            serial = _files_made[0]
        name = f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}.{os.getpid()}.{serial}"
        self.path = os.path.join(log_dir, name + filename_suffix)
        self._file = open(self.path, "wb")
        self._lock = threading.Lock()
        self.write(event(0, file_version="brain.Event:2"))
        self.flush()

    def write(self, encoded_event):
        with self._lock:
            if self._file is None:
                raise RuntimeError(f"SummaryWriter: {self.path} is closed")
            self._file.write(record(encoded_event))

    def flush(self):
        with self._lock:
            if self._file is not None:
                self._file.flush()

    def close(self):
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
