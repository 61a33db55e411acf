"""A DCGAN written as pytorch/examples' dcgan/main.py is (a generator of ConvTranspose2d,
BatchNorm2d, ReLU and Tanh; a discriminator of Conv2d, LeakyReLU, BatchNorm2d and Sigmoid;
weights_init picking layers by `m.__class__.__name__`; BCELoss; two Adam optimizers with
betas=(0.5, 0.999); `fake.detach()` for the discriminator's step; labels from torch.full; the
initial weights read back with torch.load and checkpoints written with torch.save; cudnn flags),
on 16x16 images, runs with only its imports changed.

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

nc, nz, ngf, ndf = 1, 16, 8, 8


# custom weights initialization called on netG and netD
def weights_init(m):
    classname = m.__class__.__name__
    if classname.find('Conv') != -1:
        nn.init.normal_(m.weight.data, 0.0, 0.02)
    elif classname.find('BatchNorm') != -1:
        nn.init.normal_(m.weight.data, 1.0, 0.02)
        nn.init.constant_(m.bias.data, 0)


class Generator(nn.Module):
    def __init__(self, ngpu):
        super(Generator, self).__init__()
        self.ngpu = ngpu
        self.main = nn.Sequential(
            # input is Z, going into a convolution
            nn.ConvTranspose2d(nz, ngf * 4, 4, 1, 0, bias=False),
            nn.BatchNorm2d(ngf * 4),
            nn.ReLU(True),
            # state size. (ngf*4) x 4 x 4
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            # state size. (ngf*2) x 8 x 8
            nn.ConvTranspose2d(ngf * 2, nc, 4, 2, 1, bias=False),
            nn.Tanh()
            # state size. (nc) x 16 x 16
        )

    def forward(self, input):
        if input.is_cuda and self.ngpu > 1:
            output = nn.parallel.data_parallel(self.main, input, range(self.ngpu))
        else:
            output = self.main(input)
        return output


class Discriminator(nn.Module):
    def __init__(self, ngpu):
        super(Discriminator, self).__init__()
        self.ngpu = ngpu
        self.main = nn.Sequential(
            # input is (nc) x 16 x 16
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, inplace=True),
            # state size. (ndf) x 8 x 8
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 2),
            nn.LeakyReLU(0.2, inplace=True),
            # state size. (ndf*2) x 4 x 4
            nn.Conv2d(ndf * 2, 1, 4, 1, 0, bias=False),
            nn.Sigmoid()
        )

    def forward(self, input):
        if input.is_cuda and self.ngpu > 1:
            output = nn.parallel.data_parallel(self.main, input, range(self.ngpu))
        else:
            output = self.main(input)
        return output.view(-1, 1).squeeze(1)


def main(opt, dataset):
    random.seed(opt.manualSeed)
    torch.manual_seed(opt.manualSeed)
    cudnn.benchmark = True
    device = torch.device("cpu")
    dataloader = torch.utils.data.DataLoader(dataset, batch_size=opt.batchSize, shuffle=opt.shuffle)

    netG = Generator(opt.ngpu).to(device)
    netG.apply(weights_init)
    if opt.netG != '':
        netG.load_state_dict(torch.load(opt.netG))
    print(netG)
    netD = Discriminator(opt.ngpu).to(device)
    netD.apply(weights_init)
    if opt.netD != '':
        netD.load_state_dict(torch.load(opt.netD))
    print(netD)

    criterion = nn.BCELoss()
    fixed_noise = torch.randn(opt.batchSize, nz, 1, 1, device=device)
    real_label = 1
    fake_label = 0

    # setup optimizer
    optimizerD = optim.Adam(netD.parameters(), lr=opt.lr, betas=(opt.beta1, 0.999))
    optimizerG = optim.Adam(netG.parameters(), lr=opt.lr, betas=(opt.beta1, 0.999))

    history = []
    for epoch in range(opt.niter):
        for i, data in enumerate(dataloader, 0):
            ############################
            # (1) Update D network: maximize log(D(x)) + log(1 - D(G(z)))
            ###########################
            # train with real
            netD.zero_grad()
            real_cpu = data[0].to(device)
            batch_size = real_cpu.size(0)
            label = torch.full((batch_size,), real_label, dtype={label_dtype}, device=device)

            output = netD(real_cpu)
            errD_real = criterion(output, label)
            errD_real.backward()
            D_x = output.mean().item()

            # train with fake
            noise = torch.randn(batch_size, nz, 1, 1, device=device)
            fake = netG(noise)
            label.fill_(fake_label)
            output = netD(fake.detach())
            errD_fake = criterion(output, label)
            errD_fake.backward()
            D_G_z1 = output.mean().item()
            errD = errD_real + errD_fake
            optimizerD.step()

            ############################
            # (2) Update G network: maximize log(D(G(z)))
            ###########################
            netG.zero_grad()
            label.fill_(real_label)  # fake labels are real for generator cost
            output = netD(fake)
            errG = criterion(output, label)
            errG.backward()
            D_G_z2 = output.mean().item()
            optimizerG.step()

            print('[%d/%d][%d/%d] Loss_D: %.4f Loss_G: %.4f D(x): %.4f D(G(z)): %.4f / %.4f'
                  % (epoch, opt.niter, i, len(dataloader),
                     errD.item(), errG.item(), D_x, D_G_z1, D_G_z2))
            history.append([errD.item(), errG.item(), D_x, D_G_z1, D_G_z2])
        fake = netG(fixed_noise)
        # do checkpointing
        torch.save(netG.state_dict(), '%s/netG_epoch_%d.pth' % (opt.outf, epoch))
        torch.save(netD.state_dict(), '%s/netD_epoch_%d.pth' % (opt.outf, epoch))
    return {{"netG": netG, "netD": netD, "history": history, "fake": fake.detach()}}
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
    opt = dict(outf=str(outf), batchSize=8, niter=2, lr=0.0002, beta1=0.5, ngpu=1, netG='', netD='', manualSeed=3, shuffle=True)
    opt.update(changes)
    return argparse.Namespace(**opt)


def test_same_steps_as_pytorch_in_float64(monkeypatch, tmp_path, capsys):
    torch = pytest.importorskip("torch")
    import fastgrad

    source = SCRIPT.format(label_dtype="real_cpu.dtype")
    runs = {}
    for library in (torch, fastgrad):          # PyTorch first: its initial weights are the shared ones
        namespace = run_script(source, library.__name__, "dcgan")
        paths = {name: str(tmp_path / f"{name}_{library.__name__}.pt") for name in ("netG", "netD")}
        with float64_scripts(library):
            if library is torch:
                states = {}
                for name, cls in (("netG", "Generator"), ("netD", "Discriminator")):
                    net = namespace[cls](1)
                    net.apply(namespace["weights_init"])
                    states[name] = numpy_state(net)
            for name in paths:
                library.save({k: library.tensor(v) for k, v in states[name].items()}, paths[name])
            shared_normal_draws(monkeypatch, library, seed=11)
            runs[library.__name__] = namespace["main"](options(tmp_path, shuffle=False, **paths), dataset(library, 24, np.float64))
    ours, theirs = runs["fastgrad"], runs["torch"]
    assert isinstance(ours["netG"], fastgrad.nn.Module) and len(theirs["history"]) == 2 * 3
    np.testing.assert_allclose(ours["history"], theirs["history"], rtol=1e-10)
    for net in ("netG", "netD"):
        assert str(ours[net]) == str(theirs[net])          # the script prints both networks
        assert_same_parameters(ours[net], theirs[net], rtol=1e-9, atol=1e-12)
        for name, buffer in theirs[net].named_buffers():
            np.testing.assert_allclose(dict(ours[net].named_buffers())[name].numpy(), buffer.numpy(), rtol=1e-10,
                                       atol=1e-12, err_msg=name)
    assert ours["fake"].dtype == fastgrad.float64
    np.testing.assert_allclose(ours["fake"].numpy(), theirs["fake"].numpy(), rtol=1e-9, atol=1e-12)
    assert "[1/2][2/3] Loss_D: " in capsys.readouterr().out


def test_runs_unchanged_in_float32_and_the_generator_learns_the_pattern(tmp_path):
    import fastgrad

    source = SCRIPT.format(label_dtype="torch.float")   # the tutorial's labels
    out = run_script(source, "fastgrad", "dcgan")["main"](options(tmp_path, niter=8, lr=0.005), dataset(fastgrad, 32, np.float32))
    history = np.array(out["history"])
    assert np.all(np.isfinite(history)) and out["fake"].dtype == fastgrad.float32
    # Tanh of small initial weights draws near-constant images; after training they show the ring
    # (PyTorch reaches a mean correlation of about 0.7 with this script)
    correlations = [np.corrcoef(image.ravel(), pattern().ravel())[0, 1] for image in out["fake"].numpy()]
    assert np.mean(correlations) > 0.5, correlations
    netG = fastgrad.load(str(tmp_path / "netG_epoch_7.pth"))
    assert set(netG) == set(out["netG"].state_dict()) and (tmp_path / "netD_epoch_7.pth").exists()
