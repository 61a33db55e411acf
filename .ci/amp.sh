#!/usr/bin/env bash
# CI stage: mixed precision with oneDNN.  Installs the `onednn` and `bf16` extras
# (onednn-cpu-gomp: libdnnl for GNU OpenMP; ml_dtypes) into the active CI
# environment, where fastgrad is already installed, then runs the mixed-precision
# tests (oneDNN's bf16 GEMM where the CPU has AVX512-BF16 or AMX, the emulation
# everywhere) and the amp benchmarks in smoke mode.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

source .ci/install_extras.sh
install_extras onednn bf16
python -c "import fastgrad; print('bf16 GEMM:', fastgrad.backend.onednn.bf16_gemm_description())"

pytest tests/amp -q -rs
pytest bench/bench_amp.py --benchmark-disable -q
