"""PyTorch's MNIST example (the Net, train() and test() of pytorch/examples' mnist/main.py, in
its current and earlier forms) runs with only its imports changed, on a small synthetic set of
28x28 digits fed through fastgrad.utils.data (no torchvision).

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


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.{dropout}(0.25)
        self.dropout2 = nn.{dropout}(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output


def train(args, model, device, train_loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print('Train Epoch: {{}} [{{}}/{{}} ({{:.0f}}%)]\\tLoss: {{:.6f}}'.format(
                epoch, batch_idx * len(data), len(train_loader.dataset),
                100. * batch_idx / len(train_loader), loss.item()))
            if args.dry_run:
                break


def test(model, device, test_loader):
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction='sum').item()  # sum up batch loss
            pred = output.argmax(dim=1, keepdim=True)  # get the index of the max log-probability
            correct += pred.eq(target.view_as(pred)).sum().item()

    test_loss /= len(test_loader.dataset)

    print('\\nTest set: Average loss: {{:.4f}}, Accuracy: {{}}/{{}} ({{:.0f}}%)\\n'.format(
        test_loss, correct, len(test_loader.dataset),
        100. * correct / len(test_loader.dataset)))
"""

# main() as the example writes it, with the datasets passed in instead of read by torchvision:
# the device choice of its current and 2022 forms, then the loaders, Adadelta and StepLR.
MAIN_LOOP = """
    train_loader = torch.utils.data.DataLoader(dataset1, **train_kwargs)
    test_loader = torch.utils.data.DataLoader(dataset2, **test_kwargs)

    model = Net().to(device)
    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)

    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        train(args, model, device, train_loader, optimizer, epoch)
        test(model, device, test_loader)
        scheduler.step()

    if args.save_model:
        torch.save(model.state_dict(), "mnist_cnn.pt")
"""

MAIN_CURRENT = """
def main(args, dataset1, dataset2):
    use_accel = not args.no_accel and torch.accelerator.is_available()

    torch.manual_seed(args.seed)

    if use_accel:
        device = torch.accelerator.current_accelerator()
    else:
        device = torch.device("cpu")

    train_kwargs = {'batch_size': args.batch_size}
    test_kwargs = {'batch_size': args.test_batch_size}
    if use_accel:
        accel_kwargs = {'num_workers': 1,
                        'persistent_workers': True,
                       'pin_memory': True,
                       'shuffle': True}
        train_kwargs.update(accel_kwargs)
        test_kwargs.update(accel_kwargs)

"""

MAIN_2022 = """
def main(args, dataset1, dataset2):
    use_cuda = not args.no_cuda and torch.cuda.is_available()
    use_mps = not args.no_mps and torch.backends.mps.is_available()

    torch.manual_seed(args.seed)

    if use_cuda:
        device = torch.device("cuda")
    elif use_mps:
        device = torch.device("mps")
    else:
        device = torch.device("cpu")

    train_kwargs = {'batch_size': args.batch_size}
    test_kwargs = {'batch_size': args.test_batch_size}
    if use_cuda:
        cuda_kwargs = {'num_workers': 1,
                       'pin_memory': True,
                       'shuffle': True}
        train_kwargs.update(cuda_kwargs)
        test_kwargs.update(cuda_kwargs)

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
    args = dict(batch_size=16, test_batch_size=32, epochs=2, lr=1.0, gamma=0.7, no_cuda=True, no_mps=True,
                no_accel=True, dry_run=False, seed=1, log_interval=1, save_model=False)
    args.update(changes)
    return argparse.Namespace(**args)


def printed_losses(text):
    train = [float(v) for v in re.findall(r"\tLoss: ([0-9.]+)", text)]
    test = [(float(a), int(c)) for a, c in re.findall(r"Average loss: ([0-9.]+), Accuracy: (\d+)/", text)]
    return train, test


@pytest.mark.parametrize("variant", ["current", "2022"])
def test_same_losses_step_by_step_as_pytorch(variant, capsys, monkeypatch):
    torch = pytest.importorskip("torch")
    import fastgrad

    torch.manual_seed(0)
    state = numpy_state(script(variant, "torch")["Net"]())
    printed = {}
    for library, module in (("torch", torch), ("fastgrad", fastgrad)):
        namespace = script(variant, library)
        # the script's main() builds `Net()`: with the same weights and no dropout, both libraries take the same steps
        start_from(monkeypatch, namespace["Net"], state, module, dropout_off=True)
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
        namespace["main"](arguments(epochs=2, save_model=True), *datasets(fastgrad, 96, 60))
    train, test = printed_losses(capsys.readouterr().out)
    assert len(train) == 2 * 6 and len(test) == 2
    assert np.mean(train[-3:]) < 0.5 * np.mean(train[:3])
    assert test[-1][1] >= 36                        # of 60 test digits; chance is about 6
    saved = fastgrad.load("mnist_cnn.pt")
    model = namespace["Net"]()
    model.load_state_dict(saved)
    assert sorted(saved) == sorted(model.state_dict())
