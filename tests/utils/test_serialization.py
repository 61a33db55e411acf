"""fastgrad.save / load: both formats round-trip model and optimizer state; bad files raise clearly."""
import io
import os
import subprocess
import sys

import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn, optim
from fastgrad.serialization import CheckpointError


def _trained():
    fg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2))
    opt = optim.AdamW(model.parameters(), lr=1e-2, amsgrad=True)
    x = fg.randn(16, 4)
    for _ in range(3):
        opt.zero_grad()
        (model(x) ** 2).mean().backward()
        opt.step()
    return model, opt, x


@pytest.mark.parametrize("name", ["ckpt.npz", "ckpt.safetensors", "ckpt.bin"])
def test_round_trip_model_and_optimizer(tmp_path, name):
    model, opt, x = _trained()
    path = tmp_path / name
    fg.save({"model": model.state_dict(), "optim": opt.state_dict(), "epoch": 3, "note": "hi",
             "lr": 1e-3, "inf": float("inf"), "none": None, "pair": (1, [2.5, "x"])}, path)
    assert not os.path.exists(str(path) + ".tmp")
    ckpt = fg.load(path)
    assert ckpt["epoch"] == 3 and ckpt["note"] == "hi" and ckpt["lr"] == 1e-3 and ckpt["inf"] == float("inf")
    assert ckpt["none"] is None and ckpt["pair"] == (1, [2.5, "x"])
    assert list(ckpt["model"]) == list(model.state_dict())
    for k, v in model.state_dict().items():
        assert isinstance(ckpt["model"][k], fg.Tensor)
        assert ckpt["model"][k].dtype == v.dtype
        np.testing.assert_array_equal(ckpt["model"][k]._data, v._data)
    assert sorted(ckpt["optim"]["state"]) == sorted(opt.state_dict()["state"])
    assert ckpt["optim"]["param_groups"][0]["betas"] == (0.9, 0.999)

    model2 = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2))
    opt2 = optim.AdamW(model2.parameters(), lr=1.0, amsgrad=True)
    model2.load_state_dict(ckpt["model"])
    opt2.load_state_dict(ckpt["optim"])
    for o, m in ((opt, model), (opt2, model2)):
        for _ in range(2):
            o.zero_grad()
            (m(x) ** 2).mean().backward()
            o.step()
    for a, b in zip(model.parameters(), model2.parameters()):
        np.testing.assert_array_equal(a._data, b._data)


def test_file_objects_and_dtypes():
    buf = io.BytesIO()
    obj = {"i": np.arange(5, dtype=np.int32), "b": np.array([True, False]), "h": np.ones(3, np.float16),
           "s": np.float32(2.5), "empty": np.zeros((0, 3)), "scalar": np.array(7.0)}
    fg.save(obj, buf)
    buf.seek(0)
    back = fg.load(buf)
    for k, v in obj.items():
        assert np.asarray(back[k]).dtype == np.asarray(v).dtype
        np.testing.assert_array_equal(back[k], v)
    buf = io.BytesIO()
    fg.save(obj, buf, format="safetensors")
    buf.seek(0)
    back = fg.load(buf)
    np.testing.assert_array_equal(back["i"], obj["i"])


def test_a_whole_module_or_optimizer_is_refused_naming_state_dict():
    model = fg.nn.Linear(2, 3)
    with pytest.raises(TypeError, match=r"whole Linear at '<root>'.*state_dict\(\).*load_state_dict"):
        fg.save(model, io.BytesIO())
    opt = fg.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(TypeError, match=r"whole SGD at 'opt'.*no pickle"):
        fg.save({"opt": opt}, io.BytesIO())


def test_unsupported_objects_are_refused():
    with pytest.raises(TypeError, match="cannot store an object of type object"):
        fg.save({"x": object()}, io.BytesIO())
    with pytest.raises(TypeError, match="pickle"):
        fg.save({"x": np.array([{}], dtype=object)}, io.BytesIO())
    with pytest.raises(TypeError, match="keys"):
        fg.save({(1, 2): 3}, io.BytesIO())


@pytest.mark.parametrize("name", ["ckpt.npz", "ckpt.safetensors"])
def test_truncated_and_corrupted_files_raise_checkpoint_error(tmp_path, name):
    model, opt, _ = _trained()
    path = tmp_path / name
    fg.save({"model": model.state_dict(), "optim": opt.state_dict()}, path)
    data = path.read_bytes()
    for cut in (0, 5, 40, len(data) // 2, len(data) - 3):
        path.write_bytes(data[:cut])
        with pytest.raises(CheckpointError):
            fg.load(path)
    corrupted = bytearray(data)
    for i in range(100, len(corrupted), 97):
        corrupted[i] ^= 0xFF
    path.write_bytes(bytes(corrupted))
    with pytest.raises(CheckpointError):
        fg.load(path)
    path.write_bytes(b"not a checkpoint at all")
    with pytest.raises(CheckpointError, match="neither"):
        fg.load(path)


def test_plain_npz_without_structure_is_refused(tmp_path):
    path = tmp_path / "plain.npz"
    np.savez(path, a=np.ones(3))
    with pytest.raises(CheckpointError, match="not a fastgrad checkpoint"):
        fg.load(path)


def test_pickled_npz_is_never_unpickled(tmp_path):
    """An .npz holding a pickled object entry is refused, and the pickle never runs."""
    marker = tmp_path / "ran"
    code = f"""
import numpy as np, os, json
class Evil:
    def __reduce__(self):
        return (os.system, ("touch {marker}",))
tree = json.dumps({{"version": 1, "root": {{"t": "array", "ref": "x"}}}}).encode()
np.savez("{tmp_path / 'evil.npz'}", x=np.array([Evil()], dtype=object),
         __fastgrad_tree__=np.frombuffer(tree, dtype=np.uint8))
"""
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
    with pytest.raises(CheckpointError):
        fg.load(tmp_path / "evil.npz")
    assert not marker.exists()


def test_safetensors_interoperates_with_pytorch(tmp_path):
    torch = pytest.importorskip("torch")
    st = pytest.importorskip("safetensors.torch")
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    path = tmp_path / "weights.safetensors"
    fg.save(model.state_dict(), path)
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    theirs.load_state_dict(st.load_file(str(path)))
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    np.testing.assert_allclose(model(fg.tensor(x))._data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5,
                               atol=1e-6)
    torch.nn.init.normal_(theirs[0].weight)
    st.save_file(theirs.state_dict(), str(tmp_path / "back.safetensors"))
    model.load_state_dict(fg.load(tmp_path / "back.safetensors"))
    np.testing.assert_array_equal(model[0].weight._data, theirs[0].weight.detach().numpy())


def test_map_location_cpu_and_none_load_on_the_cpu(tmp_path):
    path = tmp_path / "w.npz"
    fg.save({"w": fg.tensor(np.arange(3.0)), "a": np.ones(2)}, path)
    for where in (None, "cpu"):
        state = fg.load(path, map_location=where)
        assert isinstance(state["w"]._data, np.ndarray) and isinstance(state["a"], np.ndarray)
        np.testing.assert_array_equal(state["w"]._data, np.arange(3.0))


@pytest.mark.parametrize("where, error, message", [
    ("gpu", ValueError, "map_location' must be 'cpu', 'cuda' or 'cuda:N', got 'gpu'"),
    (3, TypeError, "map_location' must be 'cpu', 'cuda', 'cuda:N' or a device, got int"),
    (lambda storage, loc: storage, TypeError, "map_location"),
])
def test_map_location_that_cannot_be_honoured_is_refused_by_name(tmp_path, where, error, message):
    path = tmp_path / "w.npz"
    fg.save({"w": fg.tensor(np.arange(3.0))}, path)
    with pytest.raises(error, match=message):
        fg.load(path, map_location=where)


def test_map_location_cuda_without_a_gpu_names_what_is_missing(tmp_path):
    try:
        import cupy
        if cupy.cuda.runtime.getDeviceCount() > 0:
            pytest.skip("a GPU is present: tests/gpu covers loading onto it")
    except Exception:
        pass
    path = tmp_path / "w.npz"
    fg.save({"w": fg.tensor(np.arange(3.0))}, path)
    with pytest.raises(RuntimeError, match="cuda"):
        fg.load(path, map_location="cuda")


def test_weights_only_must_be_a_bool(tmp_path):
    path = tmp_path / "w.npz"
    fg.save({"w": fg.tensor(np.arange(3.0))}, path)
    assert fg.load(path, weights_only=False)["w"].shape == (3,)   # nothing is ever unpickled either way
    with pytest.raises(TypeError, match="weights_only"):
        fg.load(path, weights_only="yes")
