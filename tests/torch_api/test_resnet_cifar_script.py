"""A ResNet-18-style CIFAR classifier script, written in the shape of torchvision's ResNet (our own
code, not a copy), runs with only its imports changed: residual blocks whose shortcut is an
nn.Sequential(1x1 convolution, BatchNorm2d), AdaptiveAvgPool2d((1, 1)) and
torch.flatten(x, 1), kaiming_normal_(mode='fan_out', nonlinearity='relu') with the last BN of
each block zero-initialised, SGD with Nesterov momentum and weight decay under CosineAnnealingLR
or MultiStepLR, model.train()/eval() and `correct += (pred == y).sum().item()`, on small
synthetic CIFAR-shaped images (3x16x16, ten classes).

From PyTorch's initial weights and with the batches in order, every step's loss, the weights,
the BatchNorm running statistics, the learning rates and the test results equal PyTorch's
(float64); unchanged (float32, shuffled), the script learns the classes.
"""
import argparse

import numpy as np
import pytest
from torch_parity import assert_same_state, float64_scripts, needs_torch, run_script, start_from, state_arrays

SCRIPT = """
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset


def conv(in_channels, out_channels, size, stride=1):
    return nn.Conv2d(in_channels, out_channels, kernel_size=size, stride=stride, padding=size // 2, bias=False)


class ResidualBlock(nn.Module):
    '''Two 3x3 convolutions with batch norm, added to the input, or to a strided 1x1 projection of
    the input where the block changes the shape.'''

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.conv_a = conv(in_channels, out_channels, 3, stride)
        self.norm_a = nn.BatchNorm2d(out_channels)
        self.conv_b = conv(out_channels, out_channels, 3)
        self.norm_b = nn.BatchNorm2d(out_channels)
        self.act = nn.ReLU(inplace=True)
        self.shortcut = None
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(conv(in_channels, out_channels, 1, stride), nn.BatchNorm2d(out_channels))

    def forward(self, x):
        skip = x if self.shortcut is None else self.shortcut(x)
        y = self.act(self.norm_a(self.conv_a(x)))
        y = self.norm_b(self.conv_b(y))
        y += skip
        return self.act(y)


class CifarResNet(nn.Module):
    '''A 3x3 stem without pooling, then one stage of residual blocks per width (every stage but the
    first halves the resolution), global average pooling and a linear classifier.'''

    def __init__(self, blocks_per_stage, widths=(64, 128, 256, 512), num_classes=10, zero_init_residual=False):
        super().__init__()
        self.stem = nn.Sequential(conv(3, widths[0], 3), nn.BatchNorm2d(widths[0]), nn.ReLU(inplace=True))
        stages, channels = [], widths[0]
        for index, (width, count) in enumerate(zip(widths, blocks_per_stage)):
            blocks = [ResidualBlock(channels, width, stride=1 if index == 0 else 2)]
            blocks += [ResidualBlock(width, width) for _ in range(count - 1)]
            stages.append(nn.Sequential(*blocks))
            channels = width
        self.stages = nn.Sequential(*stages)
        self.pool = nn.AdaptiveAvgPool2d((1, 1))
        self.classifier = nn.Linear(channels, num_classes)

        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.constant_(module.weight, 1)
                nn.init.constant_(module.bias, 0)
        if zero_init_residual:          # a block whose last scale is 0 passes its shortcut through
            for module in self.modules():
                if isinstance(module, ResidualBlock):
                    nn.init.constant_(module.norm_b.weight, 0)

    def forward(self, images):
        features = self.pool(self.stages(self.stem(images)))
        return self.classifier(torch.flatten(features, 1))


def resnet18(**options):
    return CifarResNet((2, 2, 2, 2), **options)


def synthetic_cifar(n, generator):
    '''Ten classes of 3x16x16 images: class k brightens one colour channel in a 4x4 patch at cell k
    of a 4x4 grid, over noise, normalised per channel as CIFAR's transforms do.'''
    labels = torch.randint(0, 10, (n,), generator=generator)
    images = 0.5 + 0.2 * torch.randn(n, 3, 16, 16, generator=generator)
    for i, k in enumerate(labels.tolist()):
        r, c = 4 * (k // 4), 4 * (k % 4)
        images[i, k % 3, r:r + 4, c:c + 4] += 0.8
    mean = images.mean(dim=(0, 2, 3), keepdim=True)
    std = images.std(dim=(0, 2, 3), keepdim=True)
    return (images - mean) / std, labels


def fit_epoch(model, device, batches, loss_fn, optimizer, step_losses):
    model.train()
    for images, labels in batches:
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad()
        loss = loss_fn(model(images), labels)
        loss.backward()
        optimizer.step()
        step_losses.append(loss.item())


def evaluate(model, device, batches, loss_fn):
    model.eval()
    loss_sum, correct, seen = 0.0, 0, 0
    with torch.no_grad():
        for images, labels in batches:
            images, labels = images.to(device), labels.to(device)
            scores = model(images)
            loss_sum += loss_fn(scores, labels).item() * labels.size(0)
            _, guesses = scores.max(1)
            seen += labels.size(0)
            correct += (guesses == labels).sum().item()
    return loss_sum / seen, correct / seen


def main(args):
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    train_batches = DataLoader(TensorDataset(*synthetic_cifar(args.n_train, generator)),
                               batch_size=args.batch_size, shuffle=True)
    test_batches = DataLoader(TensorDataset(*synthetic_cifar(args.n_test, generator)), batch_size=100, shuffle=False)

    model = resnet18(widths=args.widths, zero_init_residual=True).to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
    if args.schedule == "cosine":
        scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    else:
        scheduler = optim.lr_scheduler.MultiStepLR(optimizer, milestones=[1, 2], gamma=0.1)

    step_losses, lrs, results = [], [], []
    for epoch in range(args.epochs):
        fit_epoch(model, device, train_batches, loss_fn, optimizer, step_losses)
        test_loss, accuracy = evaluate(model, device, test_batches, loss_fn)
        results.append((test_loss, accuracy))
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
        print(f"epoch {epoch}: test loss {test_loss:.4f}, accuracy {accuracy:.3f}")
    return model, step_losses, lrs, results
"""


def arguments(**changes):
    args = dict(seed=0, n_train=64, n_test=100, batch_size=16, epochs=2, lr=0.05, widths=(4, 8, 8, 16),
                schedule="cosine")
    args.update(changes)
    return argparse.Namespace(**args)


@needs_torch
@pytest.mark.parametrize("schedule", ["cosine", "multistep"])
def test_same_steps_running_statistics_and_results_as_pytorch(schedule, capsys):
    import torch

    import fastgrad
    args = arguments(schedule=schedule, n_train=32, epochs=3 if schedule == "multistep" else 2)
    results = {}
    with float64_scripts(torch, fastgrad):
        theirs = run_script(SCRIPT, "torch", "resnet")
        torch.manual_seed(0)
        state = state_arrays(theirs["resnet18"](widths=args.widths, zero_init_residual=True))
        assert not state["stages.0.0.norm_b.weight"].any() and state["stages.0.0.norm_a.weight"].all()
        generator = torch.Generator().manual_seed(args.seed)   # both scripts get PyTorch's images
        arrays = {n: [t.numpy() for t in theirs["synthetic_cifar"](n, generator)] for n in (args.n_train, args.n_test)}
        for library, namespace in (("torch", theirs), ("fastgrad", run_script(SCRIPT, "fastgrad", "resnet"))):
            start_from(namespace, "CifarResNet", state)
            loader, tensor = namespace["DataLoader"], namespace["torch"].tensor
            namespace["DataLoader"] = lambda *a, **kw: loader(*a, **{**kw, "shuffle": False})  # the same batches
            namespace["synthetic_cifar"] = lambda n, generator: [tensor(a) for a in arrays[n]]
            results[library] = namespace["main"](args)
    model, losses, lrs, tests = results["fastgrad"]
    their_model, their_losses, their_lrs, their_tests = results["torch"]
    assert len(losses) == 2 * args.epochs
    np.testing.assert_allclose(losses, their_losses, rtol=1e-9)
    np.testing.assert_allclose(lrs, their_lrs, rtol=1e-12)
    np.testing.assert_allclose(tests, their_tests, rtol=1e-9)
    assert_same_state(model, their_model, atol=1e-10)


def test_script_runs_unchanged_and_learns_the_classes(capsys):
    out = run_script(SCRIPT, "fastgrad", "resnet")
    model, losses, lrs, results = out["main"](arguments(n_train=320, batch_size=32, epochs=6, lr=0.2))
    assert "epoch 5: test loss" in capsys.readouterr().out
    assert np.all(np.isfinite(losses)) and np.mean(losses[-3:]) < 0.5 * np.mean(losses[:3])
    assert results[-1][1] > 0.9                  # of 100 test images; chance is 0.1
    np.testing.assert_allclose(lrs[-1], 0.0, atol=1e-12)
    assert not model.training and next(model.parameters()).dtype == out["torch"].float32
