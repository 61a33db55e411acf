"""utils.tensorboard.SummaryWriter: the event files it writes are read back here by a small
independent TFRecord + protobuf reader (checksums verified), and by TensorBoard's own
EventAccumulator where TensorBoard is installed; flushing, purge_step, bad arguments, and a
PyTorch training script that logs to TensorBoard with only its imports changed."""
import os
import struct

import numpy as np
import pytest

import fastgrad as fg
from fastgrad.utils.tensorboard import SummaryWriter
from fastgrad.utils.tensorboard.event_file import crc32c, masked_crc32c
from torch_parity import to_fastgrad


def _fields(data):
    """{field number: [values]} of one protobuf message (varints as ints, fixed64 as doubles,
    fixed32 as floats, length-delimited as bytes)."""
    out, i = {}, 0

    def varint():
        nonlocal i
        shift = value = 0
        while True:
            byte = data[i]
            i += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return value
    while i < len(data):
        key = varint()
        number, wire = key >> 3, key & 7
        if wire == 0:
            value = varint()
        elif wire == 1:
            value, i = struct.unpack_from("<d", data, i)[0], i + 8
        elif wire == 5:
            value, i = struct.unpack_from("<f", data, i)[0], i + 4
        else:
            n = varint()
            value, i = data[i:i + n], i + n
        out.setdefault(number, []).append(value)
    return out


def _events(path):
    """The Event messages of a file, each record's two checksums verified."""
    raw, i, events = open(path, "rb").read(), 0, []
    while i < len(raw):
        header = raw[i:i + 8]
        (n,) = struct.unpack("<Q", header)
        assert struct.unpack_from("<I", raw, i + 8)[0] == masked_crc32c(header)
        data = raw[i + 12:i + 12 + n]
        assert struct.unpack_from("<I", raw, i + 12 + n)[0] == masked_crc32c(data)
        events.append(_fields(data))
        i += 16 + n
    return events


def _summaries(path):
    """(step, Summary.Value fields) of every summary event."""
    return [(e.get(2, [0])[0], _fields(_fields(e[5][0])[1][0])) for e in _events(path) if 5 in e]


def _only_file(directory):
    (name,) = [n for n in os.listdir(directory) if n.startswith("events.out.tfevents.")]
    return os.path.join(directory, name)


def test_crc32c_check_value():
    assert crc32c(b"123456789") == 0xE3069283


def test_scalars_histograms_and_text_are_written(tmp_path):
    values = np.random.default_rng(0).standard_normal(1000)
    with SummaryWriter(tmp_path) as writer:
        for step in range(3):
            writer.add_scalar("loss/train", fg.tensor(1.0 / (step + 1)), step)
        writer.add_histogram("weights", fg.tensor(values), 7)
        writer.add_text("notes", "lr **0.1**", 2)
    events = _events(_only_file(tmp_path))
    assert events[0][3] == [b"brain.Event:2"]
    summaries = _summaries(_only_file(tmp_path))
    scalars = [(step, v[1][0], v[2][0]) for step, v in summaries if 2 in v]
    assert [(s, t) for s, t, _ in scalars] == [(0, b"loss/train"), (1, b"loss/train"), (2, b"loss/train")]
    np.testing.assert_allclose([x for _, _, x in scalars], [1.0, 0.5, 1 / 3], rtol=1e-7)
    (step, histogram), = [(s, _fields(v[5][0])) for s, v in summaries if 5 in v]
    assert step == 7
    np.testing.assert_allclose([histogram[k][0] for k in (1, 2, 3, 4, 5)],
                               [values.min(), values.max(), 1000, values.sum(), (values ** 2).sum()])
    counts = struct.unpack(f"<{len(histogram[7][0]) // 8}d", histogram[7][0])
    assert sum(counts) == 1000 and counts[0] > 0 and counts[-1] > 0
    (step, text), = [(s, v) for s, v in summaries if 8 in v]
    assert step == 2 and _fields(text[8][0])[8] == [b"lr **0.1**"]


def test_add_scalars_writes_one_run_per_key(tmp_path):
    with SummaryWriter(tmp_path) as writer:
        writer.add_scalars("loss", {"train": 1.5, "val": 2.5}, 4)
    for key, value in (("train", 1.5), ("val", 2.5)):
        ((step, v),) = _summaries(_only_file(tmp_path / f"loss_{key}"))
        assert step == 4 and v[1] == [b"loss"] and v[2] == [value]


def test_events_reach_the_disk_every_max_queue_events(tmp_path):
    writer = SummaryWriter(tmp_path, max_queue=3)
    path = _only_file(tmp_path)
    writer.add_scalar("a", 1.0, 0)
    writer.add_scalar("a", 2.0, 1)
    assert len(_summaries(path)) == 0
    writer.add_scalar("a", 3.0, 2)
    assert len(_summaries(path)) == 3
    writer.add_scalar("a", 4.0, 3)
    writer.flush()
    assert len(_summaries(path)) == 4
    writer.close()
    writer.close()  # twice is fine
    with pytest.raises(RuntimeError, match="SummaryWriter: the writer is closed"):
        writer.add_scalar("a", 5.0, 4)


def test_default_log_dir_is_under_runs_with_the_comment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with SummaryWriter(comment="_lr0.1") as writer:
        assert writer.get_logdir().startswith("runs" + os.sep) and writer.get_logdir().endswith("_lr0.1")
    assert os.path.isdir(tmp_path / writer.get_logdir())


def test_bad_arguments(tmp_path):
    with SummaryWriter(tmp_path) as writer:
        with pytest.raises(NotImplementedError, match="SummaryWriter.add_image is not implemented in fastgrad"):
            writer.add_image("img", np.zeros((3, 4, 4)))
        with pytest.raises(TypeError, match="add_scalar: argument 'scalar_value' must be a number"):
            writer.add_scalar("a", "high", 0)
        with pytest.raises(ValueError, match=r"add_scalar: argument 'scalar_value' must hold one number, got shape \(2,\)"):
            writer.add_scalar("a", fg.ones(2), 0)
        with pytest.raises(ValueError, match="add_histogram: argument 'values' is empty"):
            writer.add_histogram("h", np.zeros(0))
        with pytest.raises(ValueError, match="add_histogram: argument 'values' holds NaN"):
            writer.add_histogram("h", np.array([1.0, np.nan]))
        with pytest.raises(TypeError, match="add_text: argument 'text_string' must be a str"):
            writer.add_text("t", 3)
        with pytest.raises(AttributeError):
            writer.no_such_method


def test_tensorboard_reads_what_is_written(tmp_path):
    accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    with SummaryWriter(tmp_path) as writer:
        for step in range(10):
            writer.add_scalar("loss", 10.0 - step, step)
        writer.add_scalar("acc", 0.25, 3, new_style=True)
        writer.add_histogram("w", np.arange(100.0), 1, bins=10)
        writer.add_text("note", "hello", 0)
    with SummaryWriter(tmp_path, purge_step=5) as writer:  # a resumed run: steps 5.. again
        for step in range(5, 7):
            writer.add_scalar("loss", -1.0, step)
    run = accumulator.EventAccumulator(str(tmp_path), size_guidance={"scalars": 0, "tensors": 0, "histograms": 0})
    run.Reload()
    assert [(e.step, e.value) for e in run.Scalars("loss")] == [(s, 10.0 - s) for s in range(5)] + [(5, -1.0),
                                                                                                      (6, -1.0)]
    assert run.Tensors("acc")[0].tensor_proto.float_val == [0.25]
    histogram = run.Histograms("w")[0].histogram_value
    assert (histogram.num, histogram.min, histogram.max, sum(histogram.bucket)) == (100, 0.0, 99.0, 100)
    assert run.Tensors("note")[0].tensor_proto.string_val == [b"hello"]


TRAINING_SCRIPT = '''
import torch
from torch.utils.tensorboard import SummaryWriter


def train(log_dir):
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(32, 3), torch.randn(32, 1)
    writer = SummaryWriter(log_dir)
    for step in range(5):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        writer.add_scalar("Loss/train", loss, step)
        writer.add_histogram("weight", model.weight, step)
    writer.close()
    return loss.item()
'''


def test_a_pytorch_script_logs_with_only_its_imports_changed(tmp_path):
    scope = {}
    exec(to_fastgrad(TRAINING_SCRIPT), scope)
    last = scope["train"](str(tmp_path))
    losses = [v[2][0] for _, v in _summaries(_only_file(tmp_path)) if 2 in v]
    assert len(losses) == 5 and losses[-1] == pytest.approx(last, rel=1e-6) and losses[-1] < losses[0]
