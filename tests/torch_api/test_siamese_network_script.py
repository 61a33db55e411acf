"""A script written in the shape of pytorch/examples' siamese_network (our own code, not a copy)
runs with only its imports changed: a Dataset that pairs images of the same or of different
classes with Python's random, one CNN (its classifier cut off with
`nn.Sequential(*list(cnn.children())[:-1])`) applied to both
images, torch.cat of the two feature vectors, a head initialised through Module.apply
(xavier_uniform_, bias.data.fill_), BCELoss over a sigmoid, Adadelta with StepLR, and
`torch.where(outputs > 0.5, 1, 0)` predictions compared with float targets.  The images are
small synthetic digits made in the script.

From PyTorch's initial weights (the pairs are the same: Python's random draws them), every
step's loss, the weights, the BatchNorm statistics and the test results equal PyTorch's
(float64); unchanged (float32) the script learns to tell same-class pairs from others.
"""
import argparse

import numpy as np
import pytest
from torch_parity import assert_same_state, float64_scripts, needs_torch, run_script, start_from, state_arrays

SCRIPT = """
import random

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import Dataset


def synthetic_digits(n, seed):
    '''n uint8 16x16 'digits' as MNIST stores them: class k lights a 4x4 patch at cell k of a
    4x4 grid, over noise.  Every class has n // 10 of them.'''
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % 10)
    images = rng.integers(0, 60, (n, 16, 16)).astype(np.uint8)
    for i, k in enumerate(labels):
        r, c = 4 * (k // 4), 4 * (k % 4)
        images[i, r:r + 4, c:c + 4] = 255
    return images, labels


class PairDataset(Dataset):
    '''Item i is two images and a target: of one class (target 1) when i is even, of two
    different classes (target 0) when i is odd.  Classes and images are drawn with Python's
    random.'''

    def __init__(self, n, seed):
        images, labels = synthetic_digits(n, seed)
        self.images = (torch.from_numpy(images).unsqueeze(1) / 255.0 - 0.1307) / 0.3081
        self.labels = torch.from_numpy(labels)
        label_array = np.array(self.labels.clone())
        self.members = {k: np.where(label_array == k)[0] for k in range(10)}

    def __len__(self):
        return self.images.shape[0]

    def draw(self, k, unlike=None):
        '''A random position in class k's list other than `unlike`, and the image index there.'''
        while True:
            position = random.randint(0, len(self.members[k]) - 1)
            if position != unlike:
                return position, self.members[k][position]

    def __getitem__(self, index):
        first_class = random.randint(0, 9)
        position, first = self.draw(first_class)
        if index % 2 == 0:
            second, same = self.draw(first_class, unlike=position)[1], 1.0
        else:
            second_class = first_class
            while second_class == first_class:
                second_class = random.randint(0, 9)
            second, same = self.draw(second_class)[1], 0.0
        return self.images[first].clone(), self.images[second].clone(), torch.tensor(same)


class SmallCNN(nn.Module):
    '''A digit classifier; the siamese network keeps its layers up to the classifier.'''

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, kernel_size=3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.relu1 = nn.ReLU(inplace=True)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(8, 16, kernel_size=3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(16)
        self.relu2 = nn.ReLU(inplace=True)
        self.avgpool = nn.AdaptiveAvgPool2d((2, 2))
        self.fc = nn.Linear(16 * 2 * 2, 10)

    def forward(self, x):
        x = self.pool(self.relu1(self.bn1(self.conv1(x))))
        x = self.avgpool(self.relu2(self.bn2(self.conv2(x))))
        return self.fc(torch.flatten(x, 1))


def init_linear(module):
    if isinstance(module, nn.Linear):
        nn.init.xavier_uniform_(module.weight)
        module.bias.data.fill_(0.01)


class SiameseNetwork(nn.Module):
    '''One trunk embeds both images; a small head reads the two embeddings side by side and
    gives the probability that the images show the same class.'''

    def __init__(self):
        super().__init__()
        classifier = SmallCNN()
        width = classifier.fc.in_features
        self.trunk = nn.Sequential(*list(classifier.children())[:-1])     # all but the last layer
        self.head = nn.Sequential(nn.Linear(2 * width, 32), nn.ReLU(inplace=True), nn.Linear(32, 1))
        self.sigmoid = nn.Sigmoid()
        for part in (self.trunk, self.head):
            part.apply(init_linear)

    def embed(self, images):
        features = self.trunk(images)
        return features.view(features.size()[0], -1)

    def forward(self, left, right):
        both = torch.cat((self.embed(left), self.embed(right)), 1)
        return self.sigmoid(self.head(both))


def train_epoch(args, model, device, loader, optimizer, epoch, step_losses):
    model.train()
    bce = nn.BCELoss()
    for step, (left, right, same) in enumerate(loader):
        left, right, same = left.to(device), right.to(device), same.to(device)
        optimizer.zero_grad()
        loss = bce(model(left, right).squeeze(), same)
        loss.backward()
        optimizer.step()
        step_losses.append(loss.item())
        if step % args.log_interval == 0:
            print(f"epoch {epoch}, batch {step + 1} of {len(loader)}: bce {loss.item():.5f}")


def evaluate(model, device, loader):
    model.eval()
    bce = nn.BCELoss(reduction="sum")
    total, matches = 0.0, 0
    with torch.no_grad():
        for left, right, same in loader:
            left, right, same = left.to(device), right.to(device), same.to(device)
            probabilities = model(left, right).squeeze()
            total += bce(probabilities, same).item()
            guesses = torch.where(probabilities > 0.5, 1, 0)
            matches += guesses.eq(same.view_as(guesses)).sum().item()
    count = len(loader.dataset)
    print(f"held-out pairs: mean bce {total / count:.4f}, {matches} of {count} right")
    return total / count, matches


def main(args):
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    device = torch.device("cpu")
    train_pairs = torch.utils.data.DataLoader(PairDataset(args.n_train, seed=1), batch_size=args.batch_size)
    test_pairs = torch.utils.data.DataLoader(PairDataset(args.n_test, seed=2), batch_size=args.test_batch_size)

    model = SiameseNetwork().to(device)
    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    step_losses, results = [], []
    for epoch in range(1, args.epochs + 1):
        train_epoch(args, model, device, train_pairs, optimizer, epoch, step_losses)
        results.append(evaluate(model, device, test_pairs))
        scheduler.step()
    return model, step_losses, results, scheduler.get_last_lr()
"""


def arguments(**changes):
    args = dict(seed=1, n_train=60, n_test=60, batch_size=16, test_batch_size=32, epochs=2, lr=1.0, gamma=0.7,
                log_interval=10)
    args.update(changes)
    return argparse.Namespace(**args)


@needs_torch
@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")   # PyTorch's own, for np.array(t)
def test_same_steps_weights_and_results_as_pytorch(capsys):
    import torch

    import fastgrad
    results = {}
    with float64_scripts(torch, fastgrad):
        theirs = run_script(SCRIPT, "torch", "siamese")
        torch.manual_seed(0)
        state = state_arrays(theirs["SiameseNetwork"]())
        for library, namespace in (("torch", theirs), ("fastgrad", run_script(SCRIPT, "fastgrad", "siamese"))):
            start_from(namespace, "SiameseNetwork", state)
            results[library] = namespace["main"](arguments())
    model, losses, tests, last_lr = results["fastgrad"]
    their_model, their_losses, their_tests, their_last_lr = results["torch"]
    assert len(losses) == 8 and their_losses[-1] < their_losses[0]
    np.testing.assert_allclose(losses, their_losses, rtol=1e-9)
    np.testing.assert_allclose(tests, their_tests, rtol=1e-9)
    assert last_lr == pytest.approx(their_last_lr, rel=1e-12)
    assert_same_state(model, their_model, atol=1e-10)


def test_script_runs_unchanged_and_learns_to_match_pairs(capsys):
    out = run_script(SCRIPT, "fastgrad", "siamese")
    model, losses, results, last_lr = out["main"](arguments(n_train=480, n_test=200, batch_size=32, epochs=5,
                                                            gamma=0.9))
    assert "held-out pairs: mean bce" in capsys.readouterr().out
    assert np.all(np.isfinite(losses)) and np.mean(losses[-3:]) < 0.6 * np.mean(losses[:3])
    assert results[-1][1] > 0.8 * 200            # half the pairs match: chance is 100 of 200
    assert last_lr == pytest.approx([0.9 ** 5])
    assert model.trunk[0].weight.dtype == out["torch"].float32
    assert out["PairDataset"](20, seed=0).images.dtype == out["torch"].float32   # uint8 / 255.0: the default dtype
