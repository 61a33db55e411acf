"""What every checkpoint reader checks before it allocates anything.

A file is untrusted: each size it declares is checked against the bytes the
file really holds and against the reader's memory budget before an array is
made, so a small file can never make a load allocate gigabytes.
"""
import lzma
import tokenize
import zipfile
import zlib

import numpy as np

# Array data that a load may allocate beyond the size of the file itself (bytes).
# Uncompressed checkpoints never need any; only compressed .npz entries do.
DEFAULT_EXTRA_BYTES = 256 * 1024 * 1024

# Errors the zip and .npy machinery raise on damaged input (NumPy's .npy header
# reader tokenizes and literal-evaluates the header text, hence the syntax errors).
ZIP_DAMAGE = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, KeyError, TypeError,
              NotImplementedError, RuntimeError, zlib.error, lzma.LZMAError, OverflowError, SyntaxError,
              tokenize.TokenError)

# NumPy's limit on the number of dimensions of an array.
MAX_DIMS = 64

# dtype kinds a checkpoint may hold: bool, integers, floats, complex, strings.
_ALLOWED_KINDS = "biufcSU"


class CheckpointError(ValueError):
    """A file that is not a readable fastgrad checkpoint: truncated, corrupted,
    hostile (sizes it does not hold, more memory than allowed), or another format."""


class Budget:
    """The bytes of array data a load may still allocate, and the file's name for errors."""

    def __init__(self, where, file_bytes, max_bytes=None):
        self.where = where
        if max_bytes is None:
            max_bytes = file_bytes + DEFAULT_EXTRA_BYTES
        elif isinstance(max_bytes, bool) or not isinstance(max_bytes, (int, np.integer)) or max_bytes < 0:
            raise ValueError(f"load: max_bytes must be a non-negative int, got {max_bytes!r}")
        self.max_bytes = int(max_bytes)
        self.left = self.max_bytes

    def error(self, what):
        return CheckpointError(f"load: {self.where}: {what}")

    def take(self, nbytes, name):
        """Reserve nbytes for entry `name`, or raise before anything is allocated."""
        if nbytes > self.left:
            raise self.error(
                f"entry '{name}' declares {nbytes} bytes, more than the {self.max_bytes} bytes this load may "
                f"allocate (pass max_bytes= to fastgrad.load to allow more)")
        self.left -= nbytes


def checked_shape(shape, budget, name):
    """A declared shape as a tuple of ints, or CheckpointError: each entry a non-negative
    int (not a bool, float or string), at most MAX_DIMS of them."""
    if not isinstance(shape, (list, tuple)):
        raise budget.error(f"entry '{name}' has a shape that is not a list ({type(shape).__name__})")
    if len(shape) > MAX_DIMS:
        raise budget.error(f"entry '{name}' has {len(shape)} dimensions (at most {MAX_DIMS})")
    for s in shape:
        if isinstance(s, bool) or not isinstance(s, int) or s < 0:
            raise budget.error(f"entry '{name}' has an invalid dimension {s!r} in shape {list(shape)}")
    return tuple(shape)


def checked_dtype(dtype, budget, name):
    """A declared dtype, or CheckpointError unless it is a plain number, bool or string dtype."""
    if dtype.kind not in _ALLOWED_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise budget.error(f"entry '{name}' has dtype {dtype}, which a checkpoint may not hold")
    if dtype.itemsize == 0:
        raise budget.error(f"entry '{name}' has a zero-size dtype {dtype}")
    return dtype


def nbytes_of(shape, dtype):
    """Bytes of an array of this shape and dtype, exact (Python ints never overflow)."""
    n = dtype.itemsize
    for s in shape:
        n *= s
    return n
