#!/usr/bin/env bash
# CI stage: the recurrent layers' float32 products through oneDNN's matmul.  Installs
# the `onednn` extra (onednn-cpu-gomp) into the active CI environment, where fastgrad is
# already installed, then runs the oneDNN GEMM and sequence-kernel tests (against the
# reference twins, the GEMM layer's path and PyTorch), the recurrent tests with oneDNN
# chosen, and the LSTM benchmark in smoke mode.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

source .ci/install_extras.sh
install_extras onednn
python -c "from fastgrad.backend.onednn_gemm import recurrent_gemm_description as d; print('recurrent:', d())"

FASTGRAD_RECURRENT_GEMM=onednn pytest tests/backend/test_onednn_recurrent.py \
    tests/backend/test_kernels_recurrent_sequence.py tests/nn/test_rnn_modules.py -q -rs
FASTGRAD_RECURRENT_GEMM=onednn pytest bench/bench_lstm.py --benchmark-disable -q
