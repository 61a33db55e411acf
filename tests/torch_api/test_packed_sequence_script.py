"""A PyTorch-style classifier of variable-length token sequences (embedding, packed 2-layer LSTM,
linear head on the last layer's final state) runs unchanged with `import fastgrad as torch`: its
label is the last token of each sequence, which the final states carry; trained under both
libraries (random draws differ), both must reach the same quality.  (That h_n is each sequence's
state at its own last step, exactly, is checked against PyTorch in tests/nn/test_packed_sequences.py.)"""
import importlib.util

import numpy as np
from torch_parity import run_script

SCRIPT = """
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence

torch.manual_seed(5)
vocab, n, longest = 12, 384, 9
lengths = torch.randint(1, longest + 1, (n,))
tokens = torch.randint(1, vocab, (n, longest))
sequences = [tokens[i, :int(lengths[i])] for i in range(n)]
labels = torch.tensor([int(s[-1] < vocab // 2) for s in sequences])


class LastTokenClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(vocab, 8, padding_idx=0)
        self.lstm = nn.LSTM(8, 16, num_layers=2, batch_first=True)
        self.head = nn.Linear(16, 2)

    def forward(self, padded, lengths):
        packed = pack_padded_sequence(self.embedding(padded), lengths.cpu(), batch_first=True,
                                      enforce_sorted=False)
        output, (h, c) = self.lstm(packed)
        output, output_lengths = pad_packed_sequence(output, batch_first=True)
        return self.head(h[-1]), output, output_lengths


model = LastTokenClassifier()
optimizer = torch.optim.Adam(model.parameters(), lr=2e-2)
loss_fn = nn.CrossEntropyLoss()
losses, lengths_kept = [], True
for epoch in range(12):
    for start in range(0, n, 64):
        batch = sequences[start:start + 64]
        padded = pad_sequence(batch, batch_first=True)
        batch_lengths = lengths[start:start + 64]
        optimizer.zero_grad()
        logits, output, output_lengths = model(padded, batch_lengths)
        lengths_kept = lengths_kept and output_lengths.tolist() == batch_lengths.tolist()
        lengths_kept = lengths_kept and output.shape[1] == int(batch_lengths.max())
        loss = loss_fn(logits, labels[start:start + 64])
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
with torch.no_grad():
    logits, _, _ = model(pad_sequence(sequences, batch_first=True), lengths)
    accuracy = (logits.argmax(1) == labels).float().mean().item()
"""


def _run(library):
    return run_script(SCRIPT, library, "packed_lstm_classifier")


def test_packed_lstm_script_runs_unchanged_and_learns_the_last_token():
    out = _run("fastgrad")
    assert out["lengths_kept"] is True
    assert np.all(np.isfinite(out["losses"]))
    assert np.mean(out["losses"][-5:]) < 0.3 * np.mean(out["losses"][:5])
    assert out["accuracy"] > 0.9
    if importlib.util.find_spec("torch") is not None:
        assert out["accuracy"] > _run("torch")["accuracy"] - 0.05
