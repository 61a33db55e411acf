"""fastgrad.distributed outside an MPI job: clear errors, and a clear message without mpi4py."""
import subprocess
import sys

import numpy as np
import pytest

import fastgrad as fg
import fastgrad.distributed as dist
from fastgrad import nn
from fastgrad.nn.parallel import DistributedDataParallel
from fastgrad.utils.data import DistributedSampler, TensorDataset


@pytest.mark.parametrize("call", [
    lambda: dist.get_rank(),
    lambda: dist.get_world_size(),
    lambda: dist.all_reduce(np.ones(2)),
    lambda: dist.broadcast(np.ones(2), src=0),
    lambda: dist.barrier(),
    lambda: dist.destroy_process_group(),
    lambda: DistributedDataParallel(nn.Linear(2, 2)),
    lambda: DistributedSampler(TensorDataset(np.arange(4))),
])
def test_calls_before_init_process_group_say_what_to_do(call):
    assert not dist.is_initialized()
    with pytest.raises(RuntimeError, match=r"call fastgrad.distributed.init_process_group\(backend='mpi'\) first"):
        call()


def test_only_the_mpi_backend_exists():
    with pytest.raises(ValueError, match="backend must be 'mpi', got 'gloo'"):
        dist.init_process_group(backend="gloo")
    assert not dist.is_initialized()


def test_missing_mpi4py_gives_the_install_command():
    # A Python in which `import mpi4py` fails, whatever is installed.
    code = (
        "import sys; sys.modules['mpi4py'] = None\n"
        "import fastgrad.distributed as dist\n"
        "assert not dist.is_available()\n"
        "try:\n"
        "    dist.init_process_group(backend='mpi')\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "pip install 'fastgrad[distributed]'" in out.stdout, out.stdout


def test_importing_fastgrad_does_not_start_mpi():
    code = "import fastgrad, fastgrad.distributed, fastgrad.nn.parallel, sys; print('mpi4py' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False", out.stderr


def test_ddp_bucket_layout():
    from fastgrad.nn.parallel._reducer import build_buckets

    fg.manual_seed(0)
    params = list(nn.Sequential(nn.Linear(100, 50), nn.Linear(50, 10)).parameters())   # float32
    one = build_buckets(params, 25 * 1024 * 1024)
    assert [b.indices for b in one] == [[3, 2, 1, 0]]                  # reverse order, one bucket
    small = build_buckets(params, 2100)                                 # 50*10*4 = 2000 bytes fit with the bias
    assert [b.indices for b in small] == [[3, 2], [1], [0]]
    assert sum(b.flat.size for b in small) == sum(p.data.size for p in params)
    mixed = params[:2] + [nn.Parameter(np.zeros(3))]                     # float64 goes to its own bucket
    assert sorted(b.flat.dtype.name for b in build_buckets(mixed, 1 << 20)) == ["float32", "float64"]


def test_demo_distributed_without_mpi4py_says_what_to_install():
    code = ("import sys; sys.modules['mpi4py'] = None\n"
            "from fastgrad.__main__ import main\n"
            "sys.exit(main(['demo', '--distributed', '--epochs', '1']))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert "--distributed" in out.stderr and "pip install 'fastgrad[distributed]'" in out.stderr, out.stderr


def test_ddp_refuses_parameters_that_are_not_numpy_arrays():
    # the check comes before any communication, so no process group is needed
    xp = pytest.importorskip("array_api_strict")
    layer = nn.Linear(2, 2)
    layer.weight.data = xp.asarray(np.zeros((2, 2), np.float32))
    with pytest.raises(TypeError, match="parameter weight holds a array_api_strict"):
        DistributedDataParallel(layer)
