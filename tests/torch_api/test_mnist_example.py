"""A digit classifier written in the shape of pytorch/examples' mnist/main.py (its current and
earlier forms) and using its idioms, not a copy of it: two Conv2d layers, max pooling, dropout
(nn.Dropout, or nn.Dropout2d as the earlier form had), torch.flatten, log_softmax with nll_loss,
Adadelta with StepLR, the accelerator / cuda / mps device checks and DataLoader keyword sets. It
runs with only its imports changed, on a small synthetic set of 28x28 digits fed through
fastgrad.utils.data (no torchvision).

With the same initial weights and dropout switched off, fastgrad and PyTorch print the same
training losses step by step and the same test results; unchanged (dropout on), the script
learns the synthetic digits.
"""
import argparse
import re
import warnings

import numpy as np
import pytest
from script_runs import numpy_state, start_from
from torch_parity import run_script

MODEL = """
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR


class DigitNet(nn.Module):
    def __init__(self):
        super(DigitNet, self).__init__()
        self.first = nn.Conv2d(1, 32, 3, 1)
        self.second = nn.Conv2d(32, 64, 3, 1)
        self.drop_maps = nn.{dropout}(0.25)
        self.drop_features = nn.{dropout}(0.5)
        self.hidden = nn.Linear(12 * 12 * 64, 128)
        self.scores = nn.Linear(128, 10)

    def forward(self, images):
        maps = F.relu(self.second(F.relu(self.first(images))))
        maps = self.drop_maps(F.max_pool2d(maps, 2))
        features = self.drop_features(F.relu(self.hidden(torch.flatten(maps, 1))))
        return F.log_softmax(self.scores(features), dim=1)


def one_epoch(opts, model, device, loader, optimizer, epoch):
    model.train()
    for step, (images, labels) in enumerate(loader):
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad()
        loss = F.nll_loss(model(images), labels)
        loss.backward()
        optimizer.step()
        if step % opts.report_every == 0:
            print('epoch %d step %d/%d nll=%.6f' % (epoch, step + 1, len(loader), loss.item()))
            if opts.one_batch:
                break


def score(model, device, loader):
    model.eval()
    nll_sum, hits = 0.0, 0
    with torch.no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            log_probs = model(images)
            nll_sum += F.nll_loss(log_probs, labels, reduction='sum').item()
            guess = log_probs.argmax(dim=1, keepdim=True)
            hits += guess.eq(labels.view_as(guess)).sum().item()
    count = len(loader.dataset)
    print('held out: mean nll=%.4f correct=%d/%d' % (nll_sum / count, hits, count))
"""

# The rest of main(), after the device choice of the current or the 2022 form, with the datasets
# passed in instead of read by torchvision: the loaders, Adadelta and StepLR.
MAIN_LOOP = """
    train_loader = torch.utils.data.DataLoader(train_set, **train_opts)
    test_loader = torch.utils.data.DataLoader(test_set, **test_opts)

    model = DigitNet().to(device)
    optimizer = optim.Adadelta(model.parameters(), lr=opts.lr)
    schedule = StepLR(optimizer, step_size=1, gamma=opts.decay)
    for epoch in range(1, opts.epochs + 1):
        one_epoch(opts, model, device, train_loader, optimizer, epoch)
        score(model, device, test_loader)
        schedule.step()

    if opts.save_to:
        torch.save(model.state_dict(), opts.save_to)
"""

MAIN_CURRENT = """
def main(opts, train_set, test_set):
    on_accel = torch.accelerator.is_available() and not opts.skip_accel
    torch.manual_seed(opts.seed)
    device = torch.accelerator.current_accelerator() if on_accel else torch.device("cpu")

    train_opts = {'batch_size': opts.train_batch}
    test_opts = {'batch_size': opts.eval_batch}
    if on_accel:
        for loader_opts in (train_opts, test_opts):
            loader_opts.update(num_workers=1, persistent_workers=True, pin_memory=True, shuffle=True)
"""

MAIN_2022 = """
def main(opts, train_set, test_set):
    on_cuda = torch.cuda.is_available() and not opts.skip_cuda
    on_mps = torch.backends.mps.is_available() and not opts.skip_mps
    torch.manual_seed(opts.seed)
    device = torch.device("cuda" if on_cuda else "mps" if on_mps else "cpu")

    train_opts = {'batch_size': opts.train_batch}
    test_opts = {'batch_size': opts.eval_batch}
    if on_cuda:
        for loader_opts in (train_opts, test_opts):
            loader_opts.update(num_workers=1, pin_memory=True, shuffle=True)
"""

# The example's earlier form used channel dropout (nn.Dropout2d) in the Net.
VARIANTS = {"current": ("Dropout", MAIN_CURRENT + MAIN_LOOP), "2022": ("Dropout", MAIN_2022 + MAIN_LOOP),
            "dropout2d": ("Dropout2d", MAIN_2022 + MAIN_LOOP)}


def script(variant, library):
    dropout, main = VARIANTS[variant]
    return run_script(MODEL.format(dropout=dropout) + main, library, f"mnist_{variant}")


def digits(n, seed):
    """n synthetic 1x28x28 'digits': class k lights a 6x6 patch at cell k of a 4x3 grid, plus
    noise, normalized with MNIST's mean and std as the example's transform does."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    images = np.clip(rng.normal(0.1, 0.1, (n, 1, 28, 28)), 0, 1)
    for i, k in enumerate(labels):
        r, c = 2 + 6 * (k // 3), 2 + 8 * (k % 3)
        images[i, 0, r:r + 6, c:c + 6] = 1.0
    return ((images - 0.1307) / 0.3081).astype(np.float32), labels.astype(np.int64)


def datasets(torch, n_train, n_test):
    from_arrays = lambda arrays: torch.utils.data.TensorDataset(*(torch.tensor(a) for a in arrays))  # noqa: E731
    return from_arrays(digits(n_train, 0)), from_arrays(digits(n_test, 1))


def arguments(**changes):
    args = dict(train_batch=16, eval_batch=32, epochs=2, lr=1.0, decay=0.7, skip_cuda=True, skip_mps=True,
                skip_accel=True, one_batch=False, seed=1, report_every=1, save_to="")
    args.update(changes)
    return argparse.Namespace(**args)


def printed_losses(text):
    train = [float(v) for v in re.findall(r" nll=([0-9.]+)\n", text)]
    test = [(float(a), int(c)) for a, c in re.findall(r"mean nll=([0-9.]+) correct=(\d+)/", text)]
    return train, test


@pytest.mark.parametrize("variant", ["current", "2022"])
def test_same_losses_step_by_step_as_pytorch(variant, capsys, monkeypatch):
    torch = pytest.importorskip("torch")
    import fastgrad

    torch.manual_seed(0)
    state = numpy_state(script(variant, "torch")["DigitNet"]())
    printed = {}
    for library, module in (("torch", torch), ("fastgrad", fastgrad)):
        namespace = script(variant, library)
        # the script's main() builds `DigitNet()`: with the same weights and no dropout, both libraries take the same steps
        start_from(monkeypatch, namespace["DigitNet"], state, module, dropout_off=True)
        capsys.readouterr()
        namespace["main"](arguments(), *datasets(module, 48, 40))
        printed[library] = printed_losses(capsys.readouterr().out)
    ours, theirs = printed["fastgrad"], printed["torch"]
    assert len(theirs[0]) == 2 * 3 and len(theirs[1]) == 2      # 3 batches per epoch, 2 epochs
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-4, atol=2e-6)
    np.testing.assert_allclose([loss for loss, _ in ours[1]], [loss for loss, _ in theirs[1]], rtol=1e-4, atol=2e-4)
    assert [c for _, c in ours[1]] == [c for _, c in theirs[1]]
    assert theirs[0][-1] < theirs[0][0]


@pytest.mark.parametrize("variant", ["current", "dropout2d"])
def test_runs_unchanged_learns_and_saves(variant, capsys, tmp_path, monkeypatch):
    import fastgrad

    monkeypatch.chdir(tmp_path)
    namespace = script(variant, "fastgrad")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # dropout2d's warning for the 2-d input of dropout2, as PyTorch's
        namespace["main"](arguments(epochs=2, save_to="digits.pt"), *datasets(fastgrad, 96, 60))
    train, test = printed_losses(capsys.readouterr().out)
    assert len(train) == 2 * 6 and len(test) == 2
    assert np.mean(train[-3:]) < 0.5 * np.mean(train[:3])
    assert test[-1][1] >= 36                        # of 60 test digits; chance is about 6
    saved = fastgrad.load("digits.pt")
    model = namespace["DigitNet"]()
    model.load_state_dict(saved)
    assert sorted(saved) == sorted(model.state_dict())
