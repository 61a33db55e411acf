"""A variational autoencoder on MNIST-shaped data, written as pytorch/examples' vae/main.py is
(Linear encoder to mu and logvar, the reparameterisation trick with torch.randn_like, a sigmoid
decoder, binary cross-entropy summed plus the KL term, Adam, sampling under torch.no_grad), runs
with only its imports changed.

From the same initial weights and the same normal draws, fastgrad and PyTorch take the same
steps in float64; unchanged, in float32, the script learns."""
import argparse

import numpy as np
import pytest
from script_runs import assert_same_parameters, numpy_state, shared_normal_draws, start_from
from torch_parity import float64_scripts, run_script

SCRIPT = """
import torch
import torch.utils.data
from torch import nn, optim
from torch.nn import functional as F


class VAE(nn.Module):
    def __init__(self):
        super(VAE, self).__init__()

        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5*logvar)
        eps = torch.randn_like(std)
        return mu + eps*std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


# Reconstruction + KL divergence losses summed over all elements and batch
def loss_function(recon_x, x, mu, logvar):
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction='sum')
    # KL(q(z|x) || N(0, I)) in closed form for a diagonal Gaussian q
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return BCE + KLD


def train(args, model, device, train_loader, optimizer, epoch, losses):
    model.train()
    train_loss = 0
    for batch_idx, (data, _) in enumerate(train_loader):
        data = data.to(device)
        optimizer.zero_grad()
        recon_batch, mu, logvar = model(data)
        loss = loss_function(recon_batch, data, mu, logvar)
        loss.backward()
        train_loss += loss.item()
        optimizer.step()
        losses.append(loss.item() / len(data))
        if batch_idx % args.log_interval == 0:
            print('Train Epoch: {} [{}/{} ({:.0f}%)]\\tLoss: {:.6f}'.format(
                epoch, batch_idx * len(data), len(train_loader.dataset),
                100. * batch_idx / len(train_loader),
                loss.item() / len(data)))
    return train_loss / len(train_loader.dataset)


def test(model, device, test_loader):
    model.eval()
    test_loss = 0
    with torch.no_grad():
        for i, (data, _) in enumerate(test_loader):
            data = data.to(device)
            recon_batch, mu, logvar = model(data)
            test_loss += loss_function(recon_batch, data, mu, logvar).item()
            if i == 0:
                n = min(data.size(0), 8)
                comparison = torch.cat([data[:n],
                                        recon_batch.view(data.size(0), 1, 28, 28)[:n]])
    test_loss /= len(test_loader.dataset)
    return test_loss, comparison


def main(args, train_set, test_set):
    torch.manual_seed(args.seed)
    device = torch.device("cpu")
    train_loader = torch.utils.data.DataLoader(train_set, batch_size=args.batch_size, shuffle=args.shuffle)
    test_loader = torch.utils.data.DataLoader(test_set, batch_size=args.batch_size, shuffle=False)

    model = VAE().to(device)
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    losses, test_losses = [], []
    for epoch in range(1, args.epochs + 1):
        train(args, model, device, train_loader, optimizer, epoch, losses)
        test_loss, comparison = test(model, device, test_loader)
        test_losses.append(test_loss)
        with torch.no_grad():
            sample = torch.randn(64, 20).to(device)
            sample = model.decode(sample).cpu()
    return {"model": model, "losses": losses, "test_losses": test_losses,
            "sample": sample.view(64, 1, 28, 28), "comparison": comparison}
"""


def strokes(n, seed, dtype):
    """n MNIST-shaped 1x28x28 images in [0, 1]: one of four bars (two horizontal, two vertical)
    on a faint noisy background, with a label tensor the script ignores."""
    rng = np.random.default_rng(seed)
    images = np.clip(rng.normal(0.05, 0.05, (n, 1, 28, 28)), 0, 1)
    kinds = rng.integers(0, 4, n)
    for i, k in enumerate(kinds):
        if k < 2:
            images[i, 0, 8 + 10 * k:12 + 10 * k, 4:24] = 1.0
        else:
            images[i, 0, 4:24, 8 + 10 * (k - 2):12 + 10 * (k - 2)] = 1.0
    return images.astype(dtype), kinds


def datasets(library, n_train, n_test, dtype):
    def dataset(seed, n):
        images, kinds = strokes(n, seed, dtype)
        return library.utils.data.TensorDataset(library.tensor(images), library.tensor(kinds))

    return dataset(0, n_train), dataset(1, n_test)


def arguments(**changes):
    args = dict(batch_size=16, epochs=2, seed=1, log_interval=2, shuffle=True)
    args.update(changes)
    return argparse.Namespace(**args)


def test_same_steps_as_pytorch_in_float64(monkeypatch, capsys):
    torch = pytest.importorskip("torch")
    import fastgrad

    runs = {}
    for library in (torch, fastgrad):          # PyTorch first: its initial weights are the shared ones
        namespace = run_script(SCRIPT, library.__name__, "vae")
        with float64_scripts(library):
            if library is torch:
                state = numpy_state(namespace["VAE"]())
            start_from(monkeypatch, namespace["VAE"], state, library)
            shared_normal_draws(monkeypatch, library, seed=7)
            runs[library.__name__] = namespace["main"](arguments(shuffle=False),
                                                       *datasets(library, 48, 32, np.float64))
    ours, theirs = runs["fastgrad"], runs["torch"]
    assert len(theirs["losses"]) == 2 * 3
    np.testing.assert_allclose(ours["losses"], theirs["losses"], rtol=1e-10)
    np.testing.assert_allclose(ours["test_losses"], theirs["test_losses"], rtol=1e-10)
    assert_same_parameters(ours["model"], theirs["model"], rtol=1e-9, atol=1e-12)
    for key in ("sample", "comparison"):
        assert ours[key].dtype == fastgrad.float64 and ours[key].shape == tuple(theirs[key].shape)
        np.testing.assert_allclose(ours[key].numpy(), theirs[key].numpy(), rtol=1e-9, atol=1e-12, err_msg=key)
    assert "Train Epoch: 2 [32/48 (67%)]" in capsys.readouterr().out


def test_runs_unchanged_in_float32_and_learns():
    import fastgrad

    out = run_script(SCRIPT, "fastgrad", "vae")["main"](arguments(epochs=4), *datasets(fastgrad, 64, 32, np.float32))
    losses = out["losses"]
    assert np.all(np.isfinite(losses)) and out["sample"].dtype == fastgrad.float32
    # about 543 nats per image at the start (784 pixels at p = 0.5); the bars are learnt quickly
    assert np.mean(losses[-4:]) < 0.6 * np.mean(losses[:2])
    assert out["test_losses"][-1] < out["test_losses"][0]
    assert 0.0 <= float(out["sample"].min()) and float(out["sample"].max()) <= 1.0
