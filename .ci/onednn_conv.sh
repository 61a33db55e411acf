#!/usr/bin/env bash
# CI stage: float32 convolutions through oneDNN.  Installs the `onednn` extra
# (onednn-cpu-gomp: libdnnl for GNU OpenMP) into the active CI environment, where
# fastgrad is already installed, then runs the oneDNN convolution tests (against the
# im2col path and PyTorch), the convolution tests with oneDNN chosen, and the CNN
# benchmark in smoke mode.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

source .ci/install_extras.sh
install_extras onednn
python -c "from fastgrad.backend.onednn_conv import conv_description; print('convolutions:', conv_description())"

FASTGRAD_CONV=onednn pytest tests/backend/test_onednn_conv.py tests/ops/test_conv.py tests/nn/test_conv_pool_modules.py -q -rs
FASTGRAD_CONV=onednn pytest bench/bench_cnn.py --benchmark-disable -q
