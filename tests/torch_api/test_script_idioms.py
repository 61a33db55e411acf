"""Idioms of everyday PyTorch training scripts, run unchanged with `import fastgrad as torch`.

The script below is one source text that reaches for what such scripts do
beyond the model itself: cuDNN flags and `torch.cuda.amp` set up for a GPU it
may not have, keyword forms (`flip(dims=)`, `permute(dims=)`, `div(...,
rounding_mode=)`, `add(..., alpha=)`), PyTorch's squeeze, a warmup schedule
chained into a cosine one, parameter groups without weight decay, a seeded
`Generator`, a Dataset of dicts batched by `default_collate`, and f-strings
that format 0-d tensors.  Run with PyTorch too (where installed), every
result that does not depend on random draws must be equal.
"""
import importlib.util

import numpy as np
import pytest
from torch_parity import to_fastgrad

SCRIPT = '''
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset, default_collate

torch.backends.cudnn.benchmark = True
torch.backends.cudnn.deterministic = True
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
use_amp = False
scaler = torch.cuda.amp.GradScaler(enabled=use_amp)


class Pairs(Dataset):
    def __init__(self, n):
        g = torch.Generator().manual_seed(0)
        self.x = torch.randn(n, 3, 8, 8, generator=g)
        self.y = torch.randint(0, 4, (n,), generator=g)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"image": self.x[i], "label": self.y[i]}


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(8)
        self.pool = nn.AdaptiveAvgPool2d((1, 1))
        self.head = nn.Linear(8, 4)

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x)))
        return self.head(torch.flatten(self.pool(x), 1))


torch.manual_seed(1)
model = Net().to(device)
decay = [p for n, p in model.named_parameters() if p.ndim > 1]
no_decay = [p for n, p in model.named_parameters() if p.ndim <= 1]
optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05},
                               {"params": no_decay, "weight_decay": 0.0}], lr=1e-2)
warmup = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=3)
cosine = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=10)
scheduler = torch.optim.lr_scheduler.SequentialLR(optimizer, schedulers=[warmup, cosine], milestones=[3])
loader = DataLoader(Pairs(64), batch_size=16, shuffle=False, collate_fn=default_collate)

lrs, lines, losses = [], [], []
for epoch in range(6):
    for batch in loader:
        images = batch["image"].to(device)
        if epoch % 2:
            images = torch.flip(images, dims=[3])
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast(device_type="cpu", enabled=use_amp):
            loss = F.cross_entropy(model(images), batch["label"].to(device), label_smoothing=0.1)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        losses.append(loss.item())
    scheduler.step()
    lrs.append([group["lr"] for group in optimizer.param_groups])
    lines.append(f"epoch {epoch}: loss {loss:.3f}")

t = torch.arange(24.0).reshape(2, 3, 4)
shapes = [tuple(t.permute(dims=(2, 0, 1)).shape), tuple(t.squeeze(0).shape), tuple(t[:1].squeeze(0).shape),
          tuple(t.transpose(dim0=0, dim1=2).shape), tuple(t.unsqueeze(dim=1).shape)]
values = [torch.div(torch.tensor([7, -7]), 2, rounding_mode="floor").tolist(),
          torch.div(torch.tensor([7.0, -7.0]), 2, rounding_mode="trunc").tolist(),
          torch.add(torch.ones(2), torch.ones(2), alpha=3).tolist(),
          f"{t.sum():.1f}", "{:+.2e}".format(t.mean())]
parameters = sum(p.numel() for p in model.parameters() if p.requires_grad)
'''


def run(library):
    source = to_fastgrad(SCRIPT) if library == "fastgrad" else SCRIPT
    namespace = {}
    exec(compile(source, f"<script idioms with {library}>", "exec"), namespace)
    return namespace


def test_the_script_runs_unchanged_and_learns():
    out = run("fastgrad")
    assert np.all(np.isfinite(out["losses"]))
    assert np.mean(out["losses"][-4:]) < np.mean(out["losses"][:4])
    assert out["lines"][0].startswith("epoch 0: loss ") and len(out["lines"][0].split()[-1]) == 5


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="PyTorch is not installed")
def test_every_result_free_of_random_draws_equals_pytorchs():
    ours, theirs = run("fastgrad"), run("torch")
    np.testing.assert_allclose(ours["lrs"], theirs["lrs"], rtol=1e-12)
    assert ours["shapes"] == theirs["shapes"]
    assert ours["values"] == theirs["values"]
    assert ours["parameters"] == theirs["parameters"]
