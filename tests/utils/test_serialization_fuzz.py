"""Fuzzing fastgrad.load: valid checkpoints of both formats, mutated at random (bytes
flipped, inserted, deleted, numbers in headers replaced, entries re-packed), load or
raise CheckpointError, and never allocate more than the budget allows."""
import io
import re
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fastgrad as fg
from fastgrad.serialization import CheckpointError

BUDGET = 1 << 20  # bytes a fuzzed load may allocate
INTERESTING = [0, 1, 7, 8, 255, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 40, 2 ** 63 - 1, 2 ** 63, 2 ** 64,
               10 ** 30, -1, -(2 ** 63)]


def _state():
    rng = np.random.default_rng(0)
    return {"model": {"w": fg.tensor(rng.standard_normal((3, 4)).astype(np.float32)),
                      "b": rng.standard_normal(4)},
            "optim": {"step": 3, "lr": 1e-3, "betas": (0.9, 0.999), "flag": True, "name": "adam",
                      "none": None, "scalar": np.float64(2.5), "count": np.arange(5, dtype=np.int64)}}


def _saved(fmt, obj):
    buf = io.BytesIO()
    fg.save(obj, buf, format=fmt)
    return buf.getvalue()


SEEDS = {
    "npz": _saved("npz", _state()),
    "safetensors": _saved("safetensors", _state()),
    "flat-safetensors": _saved("safetensors", {"w": np.ones((2, 3), np.float32), "e": np.zeros(0)}),
}


def _members(data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def _repack(members, compression):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as z:
        for name, raw in members:
            z.writestr(name, raw)
    return buf.getvalue()


@st.composite
def byte_mutation(draw, data):
    """data with one random change: bytes flipped, inserted, deleted, cut, or a number replaced."""
    kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "number"]))
    n = len(data)
    if n == 0:
        return draw(st.binary(max_size=16))
    if kind == "number":
        runs = [m.span() for m in re.finditer(rb"-?\d+", data)]
        if runs:
            begin, end = draw(st.sampled_from(runs))
            value = draw(st.sampled_from(INTERESTING) | st.integers(-(2 ** 70), 2 ** 70))
            return data[:begin] + str(value).encode() + data[end:]
        kind = "flip"
    pos = draw(st.integers(0, max(n - 1, 0)))
    if kind == "flip":
        out = bytearray(data)
        for _ in range(draw(st.integers(1, 4))):
            i = draw(st.integers(0, n - 1))
            out[i] = draw(st.integers(0, 255))
        return bytes(out)
    if kind == "insert":
        return data[:pos] + draw(st.binary(min_size=1, max_size=16)) + data[pos:]
    if kind == "delete":
        return data[:pos] + data[pos + draw(st.integers(1, 16)):]
    return data[:pos]


def _load_is_clean(data):
    try:
        fg.load(io.BytesIO(data), max_bytes=BUDGET)
    except CheckpointError:
        pass


FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("seed", sorted(SEEDS))
@FUZZ
@given(data=st.data())
def test_mutated_file_loads_or_raises_checkpoint_error(seed, data):
    mutated = SEEDS[seed]
    for _ in range(data.draw(st.integers(1, 3))):
        mutated = data.draw(byte_mutation(mutated))
    _load_is_clean(mutated)


@FUZZ
@given(data=st.data())
def test_npz_with_mutated_entries_loads_or_raises_checkpoint_error(data):
    """Entries are mutated inside a well-formed zip, so the .npy headers and the
    structure document are reached (a flipped byte in the zip itself fails its checksum)."""
    members = _members(SEEDS["npz"])
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(members) - 1))
        name, raw = members[i]
        members[i] = (name, data.draw(byte_mutation(raw)))
    compression = data.draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
    _load_is_clean(_repack(members, compression))


def test_seeds_are_valid_checkpoints():
    for name, data in SEEDS.items():
        assert fg.load(io.BytesIO(data), max_bytes=BUDGET) is not None, name
    assert len(_members(SEEDS["npz"])) == 5
