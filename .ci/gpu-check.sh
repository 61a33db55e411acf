#!/usr/bin/env bash
# The GPU check, for a machine with an NVIDIA GPU (not part of .ci/run, which has none).
# From the repo root: builds fastgrad there, runs the GPU tests (every CuPy kernel
# against its reference twin), the GPU benchmarks beside PyTorch CUDA, `fastgrad
# bench --device cuda` and the demo on the GPU. Every log and result goes to
# $OUT (default gpu-results/), with one exit code per step in summary.txt.
#
# Needs CuPy (cupy-cuda12x or cupy-cuda13x) and, for the peer columns, a CUDA
# build of PyTorch. Offline machines: put wheels that are missing there
# (CuPy, or setuptools >= 77 for the build) in .whl/ and they are installed first.
set -uo pipefail

out="${OUT:-gpu-results}"
mkdir -p "$out"
py="${PYTHON:-python3}"
export PYTHONUNBUFFERED=1
failed=0

step() {
    local name="$1"
    shift
    echo "== $name: $*"
    "$@" > "$out/$name.log" 2>&1
    local rc=$?
    echo "$name: exit $rc" | tee -a "$out/summary.txt"
    tail -5 "$out/$name.log"
    [[ $rc -eq 0 ]] || failed=1
}

if compgen -G ".whl/*.whl" > /dev/null; then
    "$py" -m pip install -q --no-index --no-deps --no-compile --upgrade --target /tmp/fastgrad-site .whl/*.whl
    export PYTHONPATH="/tmp/fastgrad-site${PYTHONPATH:+:$PYTHONPATH}"
fi

step gpu-info bash -c "nvidia-smi; $py -c 'import cupy; print(\"cupy\", cupy.__version__, cupy.cuda.runtime.getDeviceCount(), \"GPU(s)\")'"
step install "$py" -m pip install --no-build-isolation --no-deps --no-cache-dir .
step fastgrad-info "$py" -m fastgrad info
step tests-gpu "$py" -m pytest tests/gpu tests/backend/test_no_host_transfers.py tests/test_device.py -q -p no:cacheprovider
step bench-gpu "$py" -m pytest bench/bench_gpu.py --benchmark-only --benchmark-group-by=group \
    --benchmark-columns=median,iqr,rounds --benchmark-json="$out/bench-gpu.json" -p no:cacheprovider
step fastgrad-bench-cuda "$py" -m fastgrad bench --device cuda
step demo-cuda "$py" -m fastgrad demo --device cuda --epochs 5 --lr-sweep-steps 0 --no-plots \
    --progress plain --out "$out/demo"

echo "results in $out/ (summary.txt: one exit code per step)"
exit "$failed"
