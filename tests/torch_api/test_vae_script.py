"""A variational autoencoder on MNIST-shaped data, written in the shape of pytorch/examples'
vae/main.py and using its idioms (not a copy of it): Linear layers to a mean and a log-variance,
the reparameterisation trick with torch.randn_like, a sigmoid decoder, binary cross-entropy summed
plus the KL term, Adam, sampling under torch.no_grad. It runs with only its imports changed.

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

PIXELS, HIDDEN, LATENT = 784, 400, 20


class BarAutoencoder(nn.Module):
    def __init__(self):
        super(BarAutoencoder, self).__init__()
        self.enc_hidden = nn.Linear(PIXELS, HIDDEN)
        self.enc_mean = nn.Linear(HIDDEN, LATENT)
        self.enc_logvar = nn.Linear(HIDDEN, LATENT)
        self.dec_hidden = nn.Linear(LATENT, HIDDEN)
        self.dec_pixels = nn.Linear(HIDDEN, PIXELS)

    def posterior(self, images):
        features = F.relu(self.enc_hidden(images))
        return self.enc_mean(features), self.enc_logvar(features)

    def draw_code(self, mean, logvar):
        spread = torch.exp(0.5*logvar)
        return mean + torch.randn_like(spread)*spread

    def decode(self, code):
        return torch.sigmoid(self.dec_pixels(F.relu(self.dec_hidden(code))))

    def forward(self, images):
        mean, logvar = self.posterior(images.view(-1, PIXELS))
        return self.decode(self.draw_code(mean, logvar)), mean, logvar


def elbo_loss(rebuilt, images, mean, logvar):
    bce = F.binary_cross_entropy(rebuilt, images.view(-1, PIXELS), reduction='sum')
    # closed-form KL(N(mean, exp(logvar)) || N(0, I))
    kl = -0.5 * torch.sum(1 + logvar - mean.pow(2) - logvar.exp())
    return bce + kl


def fit_one_pass(opts, model, device, loader, optimizer, pass_no, per_image):
    model.train()
    for step, (images, _) in enumerate(loader):
        images = images.to(device)
        optimizer.zero_grad()
        rebuilt, mean, logvar = model(images)
        loss = elbo_loss(rebuilt, images, mean, logvar)
        loss.backward()
        optimizer.step()
        per_image.append(loss.item() / len(images))
        if step % opts.log_every == 0:
            seen = step * len(images)
            print(f'pass {pass_no} images {seen}/{len(loader.dataset)} '
                  f'loss/image={per_image[-1]:.5f}')


def held_out_loss(model, device, loader):
    model.eval()
    total, side_by_side = 0.0, None
    with torch.no_grad():
        for images, _ in loader:
            images = images.to(device)
            rebuilt, mean, logvar = model(images)
            total += elbo_loss(rebuilt, images, mean, logvar).item()
            if side_by_side is None:
                k = min(images.size(0), 8)
                side_by_side = torch.cat([images[:k],
                                          rebuilt.view(images.size(0), 1, 28, 28)[:k]])
    return total / len(loader.dataset), side_by_side


def main(opts, train_set, test_set):
    torch.manual_seed(opts.seed)
    device = torch.device("cpu")
    train_loader = torch.utils.data.DataLoader(train_set, batch_size=opts.batch_size, shuffle=opts.shuffle)
    test_loader = torch.utils.data.DataLoader(test_set, batch_size=opts.batch_size, shuffle=False)

    model = BarAutoencoder().to(device)
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    per_image, held_out = [], []
    for pass_no in range(1, opts.passes + 1):
        fit_one_pass(opts, model, device, train_loader, optimizer, pass_no, per_image)
        loss, side_by_side = held_out_loss(model, device, test_loader)
        held_out.append(loss)
        with torch.no_grad():
            codes = torch.randn(64, LATENT).to(device)
            drawn = model.decode(codes).cpu()
    return {"model": model, "losses": per_image, "test_losses": held_out,
            "sample": drawn.view(64, 1, 28, 28), "comparison": side_by_side}
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
    args = dict(batch_size=16, passes=2, seed=1, log_every=2, shuffle=True)
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
                state = numpy_state(namespace["BarAutoencoder"]())
            start_from(monkeypatch, namespace["BarAutoencoder"], state, library)
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
    assert "pass 2 images 32/48 loss/image=" in capsys.readouterr().out


def test_runs_unchanged_in_float32_and_learns():
    import fastgrad

    out = run_script(SCRIPT, "fastgrad", "vae")["main"](arguments(passes=4), *datasets(fastgrad, 64, 32, np.float32))
    losses = out["losses"]
    assert np.all(np.isfinite(losses)) and out["sample"].dtype == fastgrad.float32
    # about 543 nats per image at the start (784 pixels at p = 0.5); the bars are learnt quickly
    assert np.mean(losses[-4:]) < 0.6 * np.mean(losses[:2])
    assert out["test_losses"][-1] < out["test_losses"][0]
    assert 0.0 <= float(out["sample"].min()) and float(out["sample"].max()) <= 1.0
