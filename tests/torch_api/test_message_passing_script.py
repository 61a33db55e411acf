"""A PyTorch-style message-passing network on a small graph runs unchanged with
`import fastgrad as torch`: neighbour features summed with index_add_, per-relation scales in
an nn.ParameterDict, a diag_embed mixing matrix, a MultiplicativeLR schedule, then aminmax,
diagonal, CosineSimilarity, PairwiseDistance, block_diag, broadcast_tensors, sum_to_size,
take, frac and sgn on the result, and torch.testing.assert_close.  Nothing is drawn at
random, so every loss and result equals PyTorch's (float64)."""
import importlib.util

import numpy as np
import pytest
from torch_parity import run_script

SCRIPT = """
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.optim.lr_scheduler import MultiplicativeLR

f64 = torch.float64
num_nodes, dim = 6, 4
features = torch.linspace(-1.0, 1.0, num_nodes * dim, dtype=f64).reshape(num_nodes, dim)
src = torch.tensor([0, 1, 2, 3, 4, 5, 0, 2])
dst = torch.tensor([1, 2, 3, 4, 5, 0, 3, 5])
relation = torch.tensor([0, 0, 1, 1, 0, 1, 1, 0])
target = torch.sin(torch.arange(num_nodes, dtype=f64))


class MessagePassing(nn.Module):
    def __init__(self):
        super().__init__()
        self.scales = nn.ParameterDict({"near": nn.Parameter(torch.ones(dim, dtype=f64)),
                                        "far": nn.Parameter(torch.full((dim,), 0.5, dtype=f64))})
        self.mix = nn.Parameter(torch.diag_embed(torch.linspace(0.5, 1.5, dim, dtype=f64)))
        self.readout = nn.Parameter(torch.linspace(-0.3, 0.3, dim, dtype=f64))

    def forward(self, x):
        scale = torch.stack([self.scales["near"], self.scales["far"]])
        messages = x[src] * scale[relation]
        summed = torch.zeros_like(x).index_add_(0, dst, messages)
        degree = torch.zeros(num_nodes, dtype=f64).index_add(0, dst, torch.ones(len(dst), dtype=f64))
        mean = summed / torch.atleast_2d(degree).t().clamp(min=1)
        return torch.tanh(mean @ self.mix) @ self.readout


model = MessagePassing()
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
scheduler = MultiplicativeLR(optimizer, lr_lambda=lambda epoch: 0.95)
losses = []
for epoch in range(30):
    optimizer.zero_grad()
    loss = F.mse_loss(model(features), target)
    loss.backward()
    optimizer.step()
    scheduler.step()
    losses.append(loss.item())

with torch.no_grad():
    low, high = torch.aminmax(model(features))
    a, b = torch.broadcast_tensors(features[:, :1], model.readout)
    results = {
        "range": torch.stack([low, high]),
        "diagonal": torch.diagonal(model.mix),
        "similarity": nn.CosineSimilarity(dim=0)(model.scales["near"], model.scales["far"]),
        "distance": nn.PairwiseDistance()(features[:3], features[3:]),
        "block": torch.block_diag(model.mix[:2, :2], torch.tensor([[2.0]], dtype=f64)),
        "broadcast": a * b,
        "summed_rows": torch.ones(3, dim, dtype=f64).sum_to_size(1, dim),
        "taken": torch.take(features, torch.tensor([0, -1])),
        "frac": torch.frac(features * 3),
        "sgn": torch.sgn(features - 0.1),
        "parameters": torch.cat([p.flatten() for p in model.parameters()]),
    }
torch.testing.assert_close(results["block"][2, 2], torch.tensor(2.0, dtype=f64))
last_lr = scheduler.get_last_lr()
names = [name for name, _ in model.named_parameters()]
"""


def _run(library):
    namespace = run_script(SCRIPT, library, "message_passing")
    assert namespace["torch"].__name__ == library and namespace["MultiplicativeLR"].__module__.startswith(library)
    return namespace


def test_message_passing_script_runs_unchanged_and_learns():
    out = _run("fastgrad")
    assert out["names"] == ["mix", "readout", "scales.far", "scales.near"]
    assert out["losses"][-1] < 0.3 * out["losses"][0]


def test_message_passing_script_equals_pytorch():
    if importlib.util.find_spec("torch") is None:
        pytest.skip("PyTorch is not installed")
    mine, theirs = _run("fastgrad"), _run("torch")
    np.testing.assert_allclose(mine["losses"], theirs["losses"], rtol=1e-10)
    np.testing.assert_allclose(mine["last_lr"], theirs["last_lr"], rtol=1e-12)
    assert mine["names"] == theirs["names"]
    for key, value in theirs["results"].items():
        np.testing.assert_allclose(mine["results"][key].numpy(), value.detach().numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=key)
