"""Saving to a path is atomic: readers see the old or the new complete file, several
processes may save to one path at once, and no temporary file is left behind."""
import os
import signal
import socket
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import fastgrad as fg
from fastgrad._checkpoint.atomic import atomic_write

SAVER = textwrap.dedent("""
    import sys, numpy as np, fastgrad as fg
    path, value, count = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    state = {"w": np.full((256, 256), value), "tag": value}
    for _ in range(count):
        fg.save(state, path)
""")


def _leftovers(directory, keep):
    return sorted(name for name in os.listdir(directory) if name != keep)


@pytest.mark.parametrize("name", ["ckpt.npz", "ckpt.safetensors"])
def test_two_processes_saving_to_one_path_never_corrupt_it(tmp_path, name):
    path = tmp_path / name
    fg.save({"w": np.zeros((256, 256)), "tag": 0.0}, path)
    savers = [subprocess.Popen([sys.executable, "-c", SAVER, str(path), str(v), "40"]) for v in (1.0, 2.0)]
    seen = set()
    try:
        while any(p.poll() is None for p in savers):
            ckpt = fg.load(path)   # must always be one complete checkpoint
            tag = float(ckpt["tag"])
            assert np.all(np.asarray(ckpt["w"]) == tag)
            seen.add(tag)
    finally:
        codes = [p.wait(timeout=300) for p in savers]
    assert codes == [0, 0]
    final = fg.load(path)
    assert float(final["tag"]) in (1.0, 2.0) and np.all(np.asarray(final["w"]) == float(final["tag"]))
    assert seen <= {0.0, 1.0, 2.0}
    assert _leftovers(tmp_path, name) == []


def test_failed_save_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "ckpt.npz"
    fg.save({"w": np.ones(3)}, path)

    def failing_writer(f):
        f.write(b"partial")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        atomic_write(path, failing_writer)
    with pytest.raises(TypeError, match="cannot store"):
        fg.save({"w": np.ones(3), "bad": object()}, path)
    np.testing.assert_array_equal(fg.load(path)["w"], np.ones(3))
    assert _leftovers(tmp_path, "ckpt.npz") == []


def test_temporary_of_a_killed_save_is_removed_by_the_next_save(tmp_path):
    path = tmp_path / "ckpt.npz"
    # A process that starts a save of a large checkpoint and is killed mid-write.
    code = textwrap.dedent(f"""
        import numpy as np, fastgrad as fg
        from fastgrad._checkpoint import atomic
        def slow_write(f):
            f.write(b"x" * 1000)
            f.flush()
            print("writing", flush=True)
            import time; time.sleep(60)
        atomic.atomic_write({str(path)!r}, slow_write)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    stale = _leftovers(tmp_path, "ckpt.npz")
    assert len(stale) == 1 and stale[0].startswith(".ckpt.npz.") and stale[0].endswith(".tmp")
    assert not path.exists()   # the killed save never produced a half file under the real name

    fg.save({"w": np.ones(2)}, path)
    assert _leftovers(tmp_path, "ckpt.npz") == []
    np.testing.assert_array_equal(fg.load(path)["w"], np.ones(2))


def test_temporaries_of_running_processes_are_left_alone(tmp_path):
    path = tmp_path / "ckpt.npz"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        other = tmp_path / f".ckpt.npz.{socket.gethostname()}.{sleeper.pid}.abc.tmp"
        other.write_bytes(b"in progress")
        fg.save({"w": np.ones(2)}, path)
        assert other.exists()
    finally:
        sleeper.kill()
        sleeper.wait()
    fg.save({"w": np.ones(2)}, path)
    assert not other.exists()


def test_saved_file_gets_the_usual_permissions(tmp_path):
    path = tmp_path / "ckpt.npz"
    fg.save({"w": np.ones(2)}, path)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
