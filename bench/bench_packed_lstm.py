"""R2: forward and backward of an LSTM on a packed batch of variable-length sequences.

nn.LSTM(32, 64, num_layers=2, bidirectional=True), a batch of 32 sequences of lengths 4..32
(unsorted, so pack_padded_sequence sorts them), float32; the loss the sum of the final states.
Peers: fastgrad on the PackedSequence (the fused sequence primitive on each run of steps with
one batch size, as many runs as distinct lengths), fastgrad on the padded batch without
packing (every sequence run to 32 steps: the plain path's cost, not the same result), and
PyTorch on the PackedSequence.  After the group the ratios packed / torch and
packed / padded of the medians are printed.

Run:  pytest bench/bench_packed_lstm.py --benchmark-only --benchmark-group-by=group \
          --benchmark-columns=median,iqr,rounds
"""
import numpy as np
import pytest

import ratios
from peers import library

GROUP = "R2 packed LSTM(32, 64, 2 layers, bidirectional), batch 32, lengths 4..32, fwd+bwd, float32"
STEPS, BATCH, INPUT, HIDDEN = 32, 32, 32, 64


print_ratios = ratios.printed_after_module("R2 ratios (medians of this run):", [
    (GROUP, "fastgrad packed", "torch packed", ""),
    (GROUP, "fastgrad packed", "fastgrad padded", "the padded run computes every padding step")])


def _problem(lib):
    rng = np.random.default_rng(0)
    lengths = rng.integers(4, STEPS + 1, size=BATCH)
    lengths[0] = STEPS
    x = rng.standard_normal((STEPS, BATCH, INPUT)).astype(np.float32)
    lib.manual_seed(0)
    lstm = lib.nn.LSTM(INPUT, HIDDEN, num_layers=2, bidirectional=True)
    return lstm, lib.tensor(x, requires_grad=True), lengths


def _packed_step(lib):
    lstm, x, lengths = _problem(lib)
    lengths = lib.tensor(lengths)

    def step():
        packed = lib.nn.utils.rnn.pack_padded_sequence(x, lengths, enforce_sorted=False)
        _, (h, c) = lstm(packed)
        (h.sum() + c.sum()).backward()
    return step


def _padded_step(lib):
    lstm, x, _ = _problem(lib)

    def step():
        _, (h, c) = lstm(x)
        (h.sum() + c.sum()).backward()
    return step


@pytest.mark.parametrize("peer", ["fastgrad packed", "fastgrad padded", "torch packed"])
def test_packed_lstm(benchmark, peer):
    lib = library(peer.split()[0])
    step = _packed_step(lib) if peer.endswith("packed") else _padded_step(lib)
    benchmark.group, benchmark.name = GROUP, peer
    benchmark(step)
    ratios.record(benchmark)
