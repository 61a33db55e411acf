#!/usr/bin/env bash
# CI stage: data-parallel training over MPI.  Installs the `distributed` extra
# (mpi4py and the mpich wheel, which brings mpiexec) into the active CI
# environment, where fastgrad is already installed, then runs the MPI tests
# (each program under `mpiexec -n 2`, with a timeout) and the distributed demo
# exactly as the README shows it.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

source .ci/install_extras.sh
install_extras distributed
python -c "import mpi4py.MPI as MPI; print('MPI:', MPI.Get_library_version().splitlines()[0])"

pytest tests/distributed -q -rs
pytest bench/bench_distributed.py --benchmark-disable -q     # the data-parallel benchmark script, smoke size

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
(cd "$out" && OMP_NUM_THREADS=1 timeout 600 mpiexec -n 2 fastgrad demo --distributed --epochs 3 \
    --progress none --no-plots --out "$out" | tee "$out/demo.log")
test "$(grep -c 'final test acc' "$out/demo.log")" -eq 1   # one table, from rank 0
