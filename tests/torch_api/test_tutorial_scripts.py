"""Short PyTorch-style training scripts run unchanged with `import fastgrad as torch`.

Each script is one source text, run once with `import fastgrad as torch` and,
where PyTorch is installed, once with PyTorch itself; both must converge to
the same quality (the random draws differ, so the checks are on the fit, not
on equal numbers).  The scripts cover: a polynomial fit with tensors and
hand-written gradients, the same with autograd, with nn, with optim, with a
custom autograd Function, a module whose graph changes every step, and a
classifier trained from a DataLoader and evaluated under inference_mode.
"""
import textwrap

import numpy as np
import pytest

SCRIPTS = {}

SCRIPTS["tensors_by_hand"] = """
import math
import torch

dtype = torch.float
device = torch.device("cpu")
torch.manual_seed(0)

x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
y = torch.sin(x)

a = torch.randn((), device=device, dtype=dtype)
b = torch.randn((), device=device, dtype=dtype)
c = torch.randn((), device=device, dtype=dtype)
d = torch.randn((), device=device, dtype=dtype)

learning_rate = 1e-6
losses = []
for t in range(2000):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = (y_pred - y).pow(2).sum().item()
    losses.append(loss)
    grad_y_pred = 2.0 * (y_pred - y)
    grad_a = grad_y_pred.sum()
    grad_b = (grad_y_pred * x).sum()
    grad_c = (grad_y_pred * x ** 2).sum()
    grad_d = (grad_y_pred * x ** 3).sum()
    a -= learning_rate * grad_a
    b -= learning_rate * grad_b
    c -= learning_rate * grad_c
    d -= learning_rate * grad_d
coefficients = [a.item(), b.item(), c.item(), d.item()]
"""

SCRIPTS["autograd"] = """
import math
import torch

dtype = torch.float
device = torch.device("cpu")
torch.manual_seed(1)

x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype, device=device)
y = torch.sin(x)
a = torch.randn((), dtype=dtype, device=device, requires_grad=True)
b = torch.randn((), dtype=dtype, device=device, requires_grad=True)
c = torch.randn((), dtype=dtype, device=device, requires_grad=True)
d = torch.randn((), dtype=dtype, device=device, requires_grad=True)

learning_rate = 1e-6
losses = []
for t in range(2000):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = (y_pred - y).pow(2).sum()
    losses.append(loss.item())
    loss.backward()
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None
coefficients = [a.item(), b.item(), c.item(), d.item()]
"""

SCRIPTS["nn"] = """
import math
import torch

torch.manual_seed(2)
x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)
p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)

model = torch.nn.Sequential(
    torch.nn.Linear(3, 1),
    torch.nn.Flatten(0, 1)
)
loss_fn = torch.nn.MSELoss(reduction='sum')

learning_rate = 1e-6
losses = []
for t in range(2000):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    losses.append(loss.item())
    model.zero_grad()
    loss.backward()
    with torch.no_grad():
        for param in model.parameters():
            param -= learning_rate * param.grad

linear_layer = model[0]
coefficients = [linear_layer.bias.item(), linear_layer.weight[:, 0].item(), linear_layer.weight[:, 1].item(),
                linear_layer.weight[:, 2].item()]
"""

SCRIPTS["optim"] = """
import math
import torch

torch.manual_seed(3)
x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)
p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)

model = torch.nn.Sequential(
    torch.nn.Linear(3, 1),
    torch.nn.Flatten(0, 1)
)
loss_fn = torch.nn.MSELoss(reduction='sum')
learning_rate = 1e-3
optimizer = torch.optim.RMSprop(model.parameters(), lr=learning_rate)
losses = []
for t in range(2000):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    losses.append(loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

linear_layer = model[0]
coefficients = [linear_layer.bias.item()] + [linear_layer.weight[:, i].item() for i in range(3)]
"""

SCRIPTS["custom_function"] = """
import math
import torch


class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


dtype = torch.float
device = torch.device("cpu")
x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
y = torch.sin(x)
a = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
b = torch.full((), -1.0, device=device, dtype=dtype, requires_grad=True)
c = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
d = torch.full((), 0.3, device=device, dtype=dtype, requires_grad=True)

learning_rate = 5e-6
losses = []
for t in range(2000):
    P3 = LegendrePolynomial3.apply
    y_pred = a + b * P3(c + d * x)
    loss = (y_pred - y).pow(2).sum()
    losses.append(loss.item())
    loss.backward()
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None
coefficients = [a.item(), b.item(), c.item(), d.item()]
"""

SCRIPTS["dynamic_graph"] = """
import random
import math
import torch


class DynamicNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))
        self.e = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        y = self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3
        for exp in range(4, random.randint(4, 6)):
            y = y + self.e * x ** exp
        return y

    def string(self):
        return f'y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3 + {self.e.item()} x^4 ? + {self.e.item()} x^5 ?'


random.seed(0)
torch.manual_seed(4)
x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)
model = DynamicNet()
criterion = torch.nn.MSELoss(reduction='sum')
optimizer = torch.optim.SGD(model.parameters(), lr=1e-8, momentum=0.9)
losses = []
for t in range(3000):
    y_pred = model(x)
    loss = criterion(y_pred, y)
    losses.append(loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
description = model.string()
coefficients = None
"""

SCRIPTS["classifier"] = """
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(5)
n = 512
x = torch.randn(n, 2)
y = ((x[:, 0] * x[:, 1]) > 0).long()          # XOR-like quadrants: not linearly separable
loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True, drop_last=True)


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 2))

    def forward(self, inputs):
        return self.net(inputs)


model = Classifier()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
loss_fn = nn.CrossEntropyLoss()
losses = []
for epoch in range(30):
    model.train()
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
model.eval()
with torch.inference_mode():
    predictions = model(x).argmax(dim=1)
accuracy = (predictions == y).float().mean().item()
coefficients = None
"""


def run_script(name, library):
    namespace = {}
    source = textwrap.dedent(SCRIPTS[name])
    if library == "fastgrad":
        source = source.replace("import torch\n", "import fastgrad as torch\n")
        source = source.replace("from torch import nn\n", "from fastgrad import nn\n")
        source = source.replace("from torch.utils.data import", "from fastgrad.utils.data import")
    exec(compile(source, f"<{name} with {library}>", "exec"), namespace)
    return namespace


# name: (final loss below, final loss / first loss below)
FITS = {
    "tensors_by_hand": (50.0, 0.05),
    "autograd": (50.0, 0.05),
    "nn": (50.0, 0.05),
    "optim": (50.0, 0.05),
    "custom_function": (50.0, 0.2),
    "dynamic_graph": (2000.0, 0.01),
}


@pytest.mark.parametrize("name", sorted(FITS))
def test_regression_script_runs_unchanged_and_converges(name):
    out = run_script(name, "fastgrad")
    losses = out["losses"]
    limit, ratio = FITS[name]
    assert np.all(np.isfinite(losses))
    assert losses[-1] < limit and losses[-1] < ratio * losses[0], (losses[0], losses[-1])
    assert losses[-1] <= min(losses[:10])


@pytest.mark.parametrize("name", sorted(FITS))
def test_pytorch_reaches_the_same_fit_with_the_same_script(name):
    pytest.importorskip("torch")
    ours = run_script(name, "fastgrad")
    theirs = run_script(name, "torch")
    limit, _ = FITS[name]
    assert theirs["losses"][-1] < limit  # the thresholds are PyTorch's own result, not a looser one
    if ours["coefficients"] is not None:
        # sin(x) ~ x - x^3 / 6 on [-pi, pi]: both fits approach the same cubic
        np.testing.assert_allclose(ours["coefficients"], theirs["coefficients"], atol=0.15)


def test_classifier_script_learns_a_nonlinear_boundary():
    out = run_script("classifier", "fastgrad")
    assert out["accuracy"] > 0.9
    assert np.mean(out["losses"][-8:]) < 0.5 * np.mean(out["losses"][:8])


def test_classifier_script_matches_pytorch_quality():
    pytest.importorskip("torch")
    ours = run_script("classifier", "fastgrad")
    theirs = run_script("classifier", "torch")
    assert theirs["accuracy"] > 0.9 and ours["accuracy"] > theirs["accuracy"] - 0.05
