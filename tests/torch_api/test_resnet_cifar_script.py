"""A ResNet-18-style CIFAR classifier script runs with only its imports changed: BasicBlocks whose
shortcut is a downsample nn.Sequential(conv1x1, BatchNorm2d), AdaptiveAvgPool2d((1, 1)) and
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


def conv3x3(in_planes, out_planes, stride=1):
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False)


def conv1x1(in_planes, out_planes, stride=1):
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x

        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)

        out = self.conv2(out)
        out = self.bn2(out)

        if self.downsample is not None:
            identity = self.downsample(x)

        out += identity
        out = self.relu(out)
        return out


class ResNet(nn.Module):
    def __init__(self, block, layers, widths=(64, 128, 256, 512), num_classes=10, zero_init_residual=False):
        super().__init__()
        self.inplanes = widths[0]
        # CIFAR stem: a 3x3 convolution and no max pooling
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = self._make_layer(block, widths[0], layers[0])
        self.layer2 = self._make_layer(block, widths[1], layers[1], stride=2)
        self.layer3 = self._make_layer(block, widths[2], layers[2], stride=2)
        self.layer4 = self._make_layer(block, widths[3], layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(widths[3] * block.expansion, num_classes)

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

        # Each residual branch starts at zero, so each block starts as the identity
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, BasicBlock) and m.bn2.weight is not None:
                    nn.init.constant_(m.bn2.weight, 0)

    def _make_layer(self, block, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                conv1x1(self.inplanes, planes * block.expansion, stride),
                nn.BatchNorm2d(planes * block.expansion),
            )
        layers = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes))
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)
        x = self.layer4(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.fc(x)


def resnet18(**kwargs):
    return ResNet(BasicBlock, [2, 2, 2, 2], **kwargs)


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


def train(model, device, loader, criterion, optimizer, losses):
    model.train()
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())


def test(model, device, loader, criterion):
    model.eval()
    test_loss, correct, total = 0.0, 0, 0
    with torch.no_grad():
        for inputs, targets in loader:
            inputs, targets = inputs.to(device), targets.to(device)
            outputs = model(inputs)
            test_loss += criterion(outputs, targets).item() * targets.size(0)
            _, predicted = outputs.max(1)
            total += targets.size(0)
            correct += (predicted == targets).sum().item()
    return test_loss / total, correct / total


def main(args):
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    train_set = TensorDataset(*synthetic_cifar(args.n_train, generator))
    test_set = TensorDataset(*synthetic_cifar(args.n_test, generator))
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=100, shuffle=False)

    model = resnet18(widths=args.widths, zero_init_residual=True).to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
    if args.schedule == "cosine":
        scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    else:
        scheduler = optim.lr_scheduler.MultiStepLR(optimizer, milestones=[1, 2], gamma=0.1)

    losses, lrs, results = [], [], []
    for epoch in range(args.epochs):
        train(model, device, train_loader, criterion, optimizer, losses)
        results.append(test(model, device, test_loader, criterion))
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
        print(f"epoch {epoch}: test loss {results[-1][0]:.4f}, accuracy {results[-1][1]:.3f}")
    return model, losses, lrs, results
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
        assert not state["layer1.0.bn2.weight"].any() and state["layer1.0.bn1.weight"].all()
        generator = torch.Generator().manual_seed(args.seed)   # both scripts get PyTorch's images
        arrays = {n: [t.numpy() for t in theirs["synthetic_cifar"](n, generator)] for n in (args.n_train, args.n_test)}
        for library, namespace in (("torch", theirs), ("fastgrad", run_script(SCRIPT, "fastgrad", "resnet"))):
            start_from(namespace, "ResNet", state)
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
