"""fastgrad.load reads PyTorch's torch.save files without unpickling them
(_checkpoint/torch_zip.py): state dicts load into fastgrad models, optimizer states continue
exactly, views and dtypes come back as saved, and hostile files raise CheckpointError
without running anything."""
import io
import os
import pickle
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fastgrad as fg
from checkpoint_files import TorchPickle, torch_zip_bytes
from fastgrad.serialization import CheckpointError


def load_bytes(data, **kw):
    return fg.load(io.BytesIO(data), **kw)


def saved_by_torch(torch, obj):
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def _network(nn):
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 4, 3)
            self.bn = nn.BatchNorm2d(4)
            self.fc = nn.Linear(4 * 6 * 6, 5)
            self.emb = nn.Embedding(10, 5)
            self.lstm = nn.LSTM(5, 7, batch_first=True)

        def forward(self, x, idx):
            h = self.fc(self.bn(self.conv(x)).relu().flatten(1))
            out, _ = self.lstm(self.emb(idx) + h[:, None, :])
            return out

    return Net()


# ---- files written by PyTorch ------------------------------------------------------------


def test_pytorch_state_dict_loads_into_the_same_fastgrad_model():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs, ours = _network(torch.nn), _network(fg.nn)
    x = np.random.default_rng(0).random((2, 1, 8, 8), dtype=np.float32)
    idx = np.array([[1, 2, 3], [4, 5, 6]])
    theirs(torch.tensor(x), torch.tensor(idx))   # training mode: batch norm's running statistics move
    state = load_bytes(saved_by_torch(torch, {"model": theirs.state_dict(), "epoch": 3}))
    assert state["epoch"] == 3
    assert state["model"]["bn.num_batches_tracked"].dtype == np.int64
    result = ours.load_state_dict(state["model"])
    assert not result.missing_keys and not result.unexpected_keys
    theirs.eval()
    ours.eval()
    np.testing.assert_allclose(ours(fg.tensor(x), fg.tensor(idx)).detach().numpy(),
                               theirs(torch.tensor(x), torch.tensor(idx)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_pytorch_optimizer_state_continues_exactly():
    torch = pytest.importorskip("torch")
    p = torch.nn.Parameter(torch.tensor([1.0, -2.0, 0.5]))
    opt = torch.optim.Adam([p], lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        (p ** 2).sum().backward()
        opt.step()
    q = fg.nn.Parameter(fg.tensor(p.detach().numpy()))
    ours = fg.optim.Adam([q], lr=0.1)
    ours.load_state_dict(load_bytes(saved_by_torch(torch, opt.state_dict())))
    for _ in range(2):
        opt.zero_grad()
        (p ** 2).sum().backward()
        opt.step()
        ours.zero_grad()
        (q ** 2).sum().backward()
        ours.step()
    np.testing.assert_allclose(q.detach().numpy(), p.detach().numpy(), rtol=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int8", "uint8", "int16", "int32", "int64",
                                   "bool", "complex64", "complex128"])
def test_dtypes_round_trip_from_pytorch(dtype):
    torch = pytest.importorskip("torch")
    values = (np.arange(12) % 5 - 2).reshape(3, 4).astype(dtype)
    loaded = load_bytes(saved_by_torch(torch, {"x": torch.tensor(values), "scalar": torch.tensor(values[0, 1])}))
    assert loaded["x"].dtype == np.dtype(dtype) and loaded["scalar"].shape == ()
    np.testing.assert_array_equal(loaded["x"].numpy(), values)
    assert loaded["scalar"].item() == values[0, 1]


def test_bfloat16_tensors_load_with_their_values():
    torch = pytest.importorskip("torch")
    values = np.array([1.0, -2.5, 3.140625, 1e-3], dtype=np.float32)
    loaded = load_bytes(saved_by_torch(torch, torch.tensor(values).bfloat16()))
    expected = torch.tensor(values).bfloat16().float().numpy()
    np.testing.assert_array_equal(np.asarray(loaded.numpy(), dtype=np.float32), expected)


def test_views_come_back_with_their_values_and_do_not_share_memory():
    torch = pytest.importorskip("torch")
    base = torch.arange(24.0).reshape(4, 6)
    saved = {"base": base, "t": base.t(), "tail": base[1:, 2:5], "step": base[::2, ::3], "empty": base[:0],
             "zero_d": base[2, 3]}
    loaded = load_bytes(saved_by_torch(torch, saved))
    for name, view in saved.items():
        np.testing.assert_array_equal(loaded[name].numpy(), view.numpy(), err_msg=name)
    loaded["base"]._data[0, 0] = -1.0
    assert loaded["t"].numpy()[0, 0] == 0.0


def test_nested_plain_data_comes_back():
    torch = pytest.importorskip("torch")
    obj = {"list": [1, 2.5, "three", None, True], "tuple": (4, (5, 6)), "size": torch.Size([2, 3]),
           "device": torch.device("cpu"), "dtype": torch.float16, "nested": {"deep": [{"x": torch.ones(2)}]},
           7: "int key", "bytes": b"\x00\x01"}
    loaded = load_bytes(saved_by_torch(torch, obj))
    assert loaded["list"] == [1, 2.5, "three", None, True]
    assert loaded["tuple"] == (4, (5, 6))
    assert tuple(loaded["size"]) == (2, 3)
    assert loaded["device"] == "cpu"
    assert loaded["dtype"] == np.float16
    assert loaded[7] == "int key" and loaded["bytes"] == b"\x00\x01"
    np.testing.assert_array_equal(loaded["nested"]["deep"][0]["x"].numpy(), [1.0, 1.0])


def test_a_pickled_parameter_loads_as_a_tensor():
    torch = pytest.importorskip("torch")
    loaded = load_bytes(saved_by_torch(torch, torch.nn.Parameter(torch.tensor([1.0, 2.0]))))
    assert isinstance(loaded, fg.Tensor) and not loaded.requires_grad
    np.testing.assert_array_equal(loaded.numpy(), [1.0, 2.0])


def test_a_whole_pickled_model_is_refused_naming_its_class():
    torch = pytest.importorskip("torch")
    with pytest.raises(CheckpointError, match=r"refers to torch\.nn\.modules\.linear\.Linear.*state_dict\(\)"):
        load_bytes(saved_by_torch(torch, torch.nn.Linear(2, 2)))


# ---- hand-made files ---------------------------------------------------------------------


def _one_tensor(numel=6, offset=0, shape=(2, 3), strides=(3, 1), raw=None, kind="FloatStorage"):
    pickle_bytes = TorchPickle().tensor(kind, "0", numel, offset, shape, strides).bytes()
    raw = np.arange(numel, dtype=np.float32).tobytes() if raw is None else raw
    return torch_zip_bytes(pickle_bytes, {"0": raw})


def test_hand_made_file_loads():
    x = load_bytes(_one_tensor())
    np.testing.assert_array_equal(x.numpy(), np.arange(6, dtype=np.float32).reshape(2, 3))
    y = load_bytes(_one_tensor(numel=12, offset=1, shape=(3, 2), strides=(4, 2)))
    # element (i, j) is storage[1 + 4 i + 2 j]
    np.testing.assert_array_equal(y.numpy(), [[1, 3], [5, 7], [9, 11]])


def test_big_endian_storages_are_converted():
    pickle_bytes = TorchPickle().tensor("DoubleStorage", "0", 3, 0, (3,), (1,)).bytes()
    data = torch_zip_bytes(pickle_bytes, {"0": np.array([1.5, -2.0, 3.0], dtype=">f8").tobytes()}, byteorder=b"big")
    x = load_bytes(data)
    assert x.dtype == np.float64 and x.numpy().dtype.isnative
    np.testing.assert_array_equal(x.numpy(), [1.5, -2.0, 3.0])


class _RunsACommand:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.system, (f"touch {self.path}",))


def test_a_pickle_that_would_run_a_command_is_refused_and_never_run(tmp_path):
    marker = tmp_path / "ran"
    data = torch_zip_bytes(pickle.dumps({"w": _RunsACommand(marker)}, protocol=2))
    with pytest.raises(CheckpointError, match=r"refers to (posix|nt)\.system.*never runs code"):
        load_bytes(data)
    assert not marker.exists()


@pytest.mark.parametrize("pickle_bytes, message", [
    (TorchPickle().glob("builtins", "eval").string("1").op(b"\x85R").bytes(), "refers to builtins.eval"),
    (TorchPickle().glob("collections", "OrderedDict").op(b")\x81").bytes(), "opcode NEWOBJ"),
    (TorchPickle().op(b"}").string("k").bytes()[:-1], "exhausted before seeing STOP"),
    (TorchPickle().op(b"s").bytes(), "truncated or corrupted"),
    (TorchPickle().op(b"h\x07").bytes(), "truncated or corrupted"),
    (TorchPickle().mark().string("not a storage").op(b"tQ").bytes(), "not a storage"),
    (TorchPickle().glob("torch._utils", "_rebuild_tensor_v2").op(b")R").bytes(), "unexpected arguments"),
    (TorchPickle().storage("EvilStorage", "0", 1).bytes(), "refers to torch.EvilStorage"),
    (TorchPickle().op(b"]").op(b"]" * 3).op(b"a" * 3).op(b"Q").bytes(), "not a storage"),
])
def test_malformed_pickles_are_refused(pickle_bytes, message):
    with pytest.raises(CheckpointError, match=message):
        load_bytes(torch_zip_bytes(pickle_bytes, {"0": b"\0" * 4}))


@pytest.mark.parametrize("kwargs, message", [
    (dict(numel=100, raw=b"\0" * 24), "holds 24 bytes, but the checkpoint declares 400"),
    (dict(shape=(3, 3)), "reaching past its storage"),
    (dict(offset=5, shape=(2,), strides=(1,)), "reaching past its storage"),
    (dict(shape=(2, 3), strides=(3, -1)), "malformed view"),
    (dict(shape=(2, 3, 1), strides=(3, 1)), "malformed view"),
    (dict(kind="LongStorage"), "holds 24 bytes, but the checkpoint declares 48"),
])
def test_tensors_outside_their_storage_are_refused(kwargs, message):
    with pytest.raises(CheckpointError, match=message):
        load_bytes(_one_tensor(**kwargs))


def test_copies_of_views_count_against_the_budget():
    # one small storage, a huge view of it by zero strides: refused before it is copied
    data = _one_tensor(numel=1, shape=(1 << 20, 1 << 10), strides=(0, 0), raw=b"\0" * 4)
    with pytest.raises(CheckpointError, match="more than"):
        load_bytes(data, max_bytes=1 << 20)


def test_pytorch_files_from_before_the_zip_format_are_named():
    with pytest.raises(CheckpointError, match="before PyTorch 1.6"):
        load_bytes(b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19." + b"\0" * 64)


def test_deeply_nested_values_in_an_error_do_not_recurse():
    nested = TorchPickle().op(b"]" * 5000 + b"a" * 4999).op(b"Q").bytes()
    with pytest.raises(CheckpointError, match="not a storage"):
        load_bytes(torch_zip_bytes(nested))


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(data=st.data())
def test_mutated_hand_made_files_load_or_raise_checkpoint_error(data):
    """data.pkl and the storage mutated inside a well-formed zip (so the pickle is reached)."""
    pickle_bytes = bytearray(TorchPickle().tensor("FloatStorage", "0", 6, 0, (2, 3), (3, 1)).bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(pickle_bytes) - 1))
        pickle_bytes[i] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(pickle_bytes)))
    raw = np.arange(6, dtype=np.float32).tobytes()[:data.draw(st.sampled_from([24, 20, 0]))]
    try:
        load_bytes(torch_zip_bytes(bytes(pickle_bytes[:cut] if data.draw(st.booleans()) else pickle_bytes),
                                   {"0": raw}), max_bytes=1 << 20)
    except CheckpointError:
        pass


def test_a_fastgrad_npz_is_not_taken_for_a_pytorch_file():
    buf = io.BytesIO()
    fg.save({"w": fg.ones(2)}, buf)
    assert zipfile.ZipFile(io.BytesIO(buf.getvalue())).namelist()
    np.testing.assert_array_equal(load_bytes(buf.getvalue())["w"].numpy(), [1.0, 1.0])
