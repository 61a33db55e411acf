"""A DCGAN written in the shape of pytorch/examples' dcgan/main.py and using its idioms (not a
copy of it): a generator of ConvTranspose2d, BatchNorm2d, ReLU and Tanh; a discriminator of
Conv2d, LeakyReLU, BatchNorm2d and Sigmoid; an initialiser picking layers by
`m.__class__.__name__`; BCELoss; two Adam optimizers with betas=(0.5, 0.999); `fake.detach()`
for the discriminator's step; labels from torch.full; the initial weights read back with
torch.load and checkpoints written with torch.save; cudnn flags. On 16x16 images it runs with
only its imports changed.

From the same initial weights and the same noise, fastgrad and PyTorch take the same steps in
float64; unchanged, in float32, the generator learns the one pattern the data shows."""
import argparse

import numpy as np
import pytest
from script_runs import assert_same_parameters, numpy_state, shared_normal_draws
from torch_parity import float64_scripts, run_script

SCRIPT = """
import random
import torch
import torch.nn as nn
import torch.nn.parallel
import torch.backends.cudnn as cudnn
import torch.optim as optim
import torch.utils.data

CHANNELS, CODE_SIZE, WIDTH = 1, 16, 8
REAL, FAKE = 1, 0


def gan_init(m):
    kind = m.__class__.__name__
    if kind.find('Conv') != -1:
        nn.init.normal_(m.weight.data, 0.0, 0.02)
    elif kind.find('BatchNorm') != -1:
        nn.init.normal_(m.weight.data, 1.0, 0.02)
        nn.init.constant_(m.bias.data, 0)


def run_layers(net, x):
    # spread over several GPUs when there are some, as the multi-GPU scripts do
    if x.is_cuda and net.ngpu > 1:
        return nn.parallel.data_parallel(net.layers, x, range(net.ngpu))
    return net.layers(x)


class Painter(nn.Module):
    \"\"\"Noise of CODE_SIZE x 1 x 1 up to a CHANNELS x 16 x 16 image in [-1, 1].\"\"\"

    def __init__(self, ngpu):
        super(Painter, self).__init__()
        self.ngpu = ngpu
        self.layers = nn.Sequential(
            nn.ConvTranspose2d(CODE_SIZE, WIDTH * 4, 4, 1, 0, bias=False),      # to 4 x 4
            nn.BatchNorm2d(WIDTH * 4),
            nn.ReLU(True),
            nn.ConvTranspose2d(WIDTH * 4, WIDTH * 2, 4, 2, 1, bias=False),      # to 8 x 8
            nn.BatchNorm2d(WIDTH * 2),
            nn.ReLU(True),
            nn.ConvTranspose2d(WIDTH * 2, CHANNELS, 4, 2, 1, bias=False),       # to 16 x 16
            nn.Tanh()
        )

    def forward(self, noise):
        return run_layers(self, noise)


class Critic(nn.Module):
    \"\"\"An image to the probability that it came from the data.\"\"\"

    def __init__(self, ngpu):
        super(Critic, self).__init__()
        self.ngpu = ngpu
        self.layers = nn.Sequential(
            nn.Conv2d(CHANNELS, WIDTH, 4, 2, 1, bias=False),                    # to 8 x 8
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(WIDTH, WIDTH * 2, 4, 2, 1, bias=False),                   # to 4 x 4
            nn.BatchNorm2d(WIDTH * 2),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(WIDTH * 2, 1, 4, 1, 0, bias=False),                       # to 1 x 1
            nn.Sigmoid()
        )

    def forward(self, images):
        return run_layers(self, images).view(-1, 1).squeeze(1)


def build(cls, cfg, weights_file, device):
    net = cls(cfg.ngpu).to(device)
    net.apply(gan_init)
    if weights_file:
        net.load_state_dict(torch.load(weights_file))
    print(net)
    return net


def main(cfg, dataset):
    random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    cudnn.benchmark = True
    device = torch.device("cpu")
    loader = torch.utils.data.DataLoader(dataset, batch_size=cfg.batch, shuffle=cfg.shuffle)

    painter = build(Painter, cfg, cfg.painter_weights, device)
    critic = build(Critic, cfg, cfg.critic_weights, device)
    bce = nn.BCELoss()
    probe = torch.randn(cfg.batch, CODE_SIZE, 1, 1, device=device)
    critic_opt = optim.Adam(critic.parameters(), lr=cfg.lr, betas=(cfg.beta1, 0.999))
    painter_opt = optim.Adam(painter.parameters(), lr=cfg.lr, betas=(cfg.beta1, 0.999))

    record = []
    for rnd in range(cfg.rounds):
        for step, batch in enumerate(loader, 0):
            # the critic: real images towards REAL, painted ones (detached) towards FAKE
            critic.zero_grad()
            real = batch[0].to(device)
            n = real.size(0)
            target = torch.full((n,), REAL, dtype={label_dtype}, device=device)
            on_real = critic(real)
            loss_real = bce(on_real, target)
            loss_real.backward()

            painted = painter(torch.randn(n, CODE_SIZE, 1, 1, device=device))
            target.fill_(FAKE)
            on_painted = critic(painted.detach())
            loss_painted = bce(on_painted, target)
            loss_painted.backward()
            critic_opt.step()

            # the painter: its images should pass for REAL
            painter.zero_grad()
            target.fill_(REAL)
            fooled = critic(painted)
            painter_loss = bce(fooled, target)
            painter_loss.backward()
            painter_opt.step()

            row = [(loss_real + loss_painted).item(), painter_loss.item(), on_real.mean().item(),
                   on_painted.mean().item(), fooled.mean().item()]
            record.append(row)
            print('round %d/%d step %d/%d: critic %.4f painter %.4f p(real) %.3f p(painted) %.3f -> %.3f'
                  % (rnd + 1, cfg.rounds, step + 1, len(loader), *row))
        painted = painter(probe)
        torch.save(painter.state_dict(), '%s/painter_%d.pt' % (cfg.out_dir, rnd))
        torch.save(critic.state_dict(), '%s/critic_%d.pt' % (cfg.out_dir, rnd))
    return {{"painter": painter, "critic": critic, "history": record, "fake": painted.detach()}}
"""

def pattern():
    """The one 16x16 picture the data shows: a bright ring on a dark ground, in [-1, 1]."""
    r = np.hypot(*np.meshgrid(np.arange(16) - 7.5, np.arange(16) - 7.5))
    return np.where(np.abs(r - 5) < 1.5, 0.9, -0.9)


def dataset(library, n, dtype):
    """n noisy copies of pattern(), as Tanh's range and the example's normalised images are."""
    noisy = pattern() + 0.05 * np.random.default_rng(0).standard_normal((n, 1, 16, 16))
    return library.utils.data.TensorDataset(library.tensor(np.clip(noisy, -1, 1).astype(dtype)))


def options(outf, **changes):
    opt = dict(out_dir=str(outf), batch=8, rounds=2, lr=0.0002, beta1=0.5, ngpu=1, painter_weights='', critic_weights='', seed=3,
               shuffle=True)
    opt.update(changes)
    return argparse.Namespace(**opt)


def test_same_steps_as_pytorch_in_float64(monkeypatch, tmp_path, capsys):
    torch = pytest.importorskip("torch")
    import fastgrad

    source = SCRIPT.format(label_dtype="real.dtype")
    runs = {}
    for library in (torch, fastgrad):          # PyTorch first: its initial weights are the shared ones
        namespace = run_script(source, library.__name__, "dcgan")
        paths = {f"{name}_weights": str(tmp_path / f"{name}_{library.__name__}.pt") for name in ("painter", "critic")}
        with float64_scripts(library):
            if library is torch:
                states = {}
                for name, cls in (("painter_weights", "Painter"), ("critic_weights", "Critic")):
                    net = namespace[cls](1)
                    net.apply(namespace["gan_init"])
                    states[name] = numpy_state(net)
            for name in paths:
                library.save({k: library.tensor(v) for k, v in states[name].items()}, paths[name])
            shared_normal_draws(monkeypatch, library, seed=11)
            runs[library.__name__] = namespace["main"](options(tmp_path, shuffle=False, **paths), dataset(library, 24, np.float64))
    ours, theirs = runs["fastgrad"], runs["torch"]
    assert isinstance(ours["painter"], fastgrad.nn.Module) and len(theirs["history"]) == 2 * 3
    np.testing.assert_allclose(ours["history"], theirs["history"], rtol=1e-10)
    for net in ("painter", "critic"):
        assert str(ours[net]) == str(theirs[net])          # the script prints both networks
        assert_same_parameters(ours[net], theirs[net], rtol=1e-9, atol=1e-12)
        for name, buffer in theirs[net].named_buffers():
            np.testing.assert_allclose(dict(ours[net].named_buffers())[name].numpy(), buffer.numpy(), rtol=1e-10,
                                       atol=1e-12, err_msg=name)
    assert ours["fake"].dtype == fastgrad.float64
    np.testing.assert_allclose(ours["fake"].numpy(), theirs["fake"].numpy(), rtol=1e-9, atol=1e-12)
    assert "round 2/2 step 3/3: critic " in capsys.readouterr().out


def test_runs_unchanged_in_float32_and_the_generator_learns_the_pattern(tmp_path):
    import fastgrad

    source = SCRIPT.format(label_dtype="torch.float")   # the tutorial's labels
    out = run_script(source, "fastgrad", "dcgan")["main"](options(tmp_path, rounds=8, lr=0.005), dataset(fastgrad, 32, np.float32))
    history = np.array(out["history"])
    assert np.all(np.isfinite(history)) and out["fake"].dtype == fastgrad.float32
    # Tanh of small initial weights draws near-constant images; after training they show the ring
    # (PyTorch reaches a mean correlation of about 0.7 with this script)
    correlations = [np.corrcoef(image.ravel(), pattern().ravel())[0, 1] for image in out["fake"].numpy()]
    assert np.mean(correlations) > 0.5, correlations
    painter = fastgrad.load(str(tmp_path / "painter_7.pt"))
    assert set(painter) == set(out["painter"].state_dict()) and (tmp_path / "critic_7.pt").exists()
