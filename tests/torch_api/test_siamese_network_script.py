"""A script in the shape of pytorch/examples' siamese_network runs with only its imports changed:
a Dataset that pairs images of the same or of different classes with Python's random, one CNN
(its classifier cut off with `nn.Sequential(*list(cnn.children())[:-1])`) applied to both
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


class APP_MATCHER(Dataset):
    '''Pairs of images: even indices pair two images of one class (target 1), odd indices two
    images of different classes (target 0).'''

    def __init__(self, n, seed):
        images, labels = synthetic_digits(n, seed)
        self.data = (torch.from_numpy(images).unsqueeze(1) / 255.0 - 0.1307) / 0.3081
        self.targets = torch.from_numpy(labels)
        self.group_examples()

    def group_examples(self):
        np_arr = np.array(self.targets.clone())
        self.grouped_examples = {}
        for i in range(0, 10):
            self.grouped_examples[i] = np.where((np_arr == i))[0]

    def __len__(self):
        return self.data.shape[0]

    def __getitem__(self, index):
        selected_class = random.randint(0, 9)
        random_index_1 = random.randint(0, self.grouped_examples[selected_class].shape[0] - 1)
        index_1 = self.grouped_examples[selected_class][random_index_1]
        image_1 = self.data[index_1].clone()

        if index % 2 == 0:
            random_index_2 = random.randint(0, self.grouped_examples[selected_class].shape[0] - 1)
            while random_index_2 == random_index_1:
                random_index_2 = random.randint(0, self.grouped_examples[selected_class].shape[0] - 1)
            index_2 = self.grouped_examples[selected_class][random_index_2]
            image_2 = self.data[index_2].clone()
            target = torch.tensor(1.0)
        else:
            other_selected_class = random.randint(0, 9)
            while other_selected_class == selected_class:
                other_selected_class = random.randint(0, 9)
            random_index_2 = random.randint(0, self.grouped_examples[other_selected_class].shape[0] - 1)
            index_2 = self.grouped_examples[other_selected_class][random_index_2]
            image_2 = self.data[index_2].clone()
            target = torch.tensor(0.0)
        return image_1, image_2, target


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


class SiameseNetwork(nn.Module):
    def __init__(self):
        super(SiameseNetwork, self).__init__()
        self.cnn = SmallCNN()
        self.fc_in_features = self.cnn.fc.in_features
        # drop the classifier: the last child
        self.cnn = torch.nn.Sequential(*(list(self.cnn.children())[:-1]))

        self.fc = nn.Sequential(
            nn.Linear(self.fc_in_features * 2, 32),
            nn.ReLU(inplace=True),
            nn.Linear(32, 1),
        )
        self.sigmoid = nn.Sigmoid()

        self.cnn.apply(self.init_weights)
        self.fc.apply(self.init_weights)

    def init_weights(self, m):
        if isinstance(m, nn.Linear):
            torch.nn.init.xavier_uniform_(m.weight)
            m.bias.data.fill_(0.01)

    def forward_once(self, x):
        output = self.cnn(x)
        output = output.view(output.size()[0], -1)
        return output

    def forward(self, input1, input2):
        output1 = self.forward_once(input1)
        output2 = self.forward_once(input2)
        output = torch.cat((output1, output2), 1)
        output = self.fc(output)
        output = self.sigmoid(output)
        return output


def train(args, model, device, train_loader, optimizer, epoch, losses):
    model.train()
    criterion = nn.BCELoss()
    for batch_idx, (images_1, images_2, targets) in enumerate(train_loader):
        images_1, images_2, targets = images_1.to(device), images_2.to(device), targets.to(device)
        optimizer.zero_grad()
        outputs = model(images_1, images_2).squeeze()
        loss = criterion(outputs, targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if batch_idx % args.log_interval == 0:
            print('Train Epoch: {} [{}/{} ({:.0f}%)]\\tLoss: {:.6f}'.format(
                epoch, batch_idx * len(images_1), len(train_loader.dataset),
                100. * batch_idx / len(train_loader), loss.item()))


def test(model, device, test_loader):
    model.eval()
    test_loss = 0
    correct = 0
    criterion = nn.BCELoss()
    with torch.no_grad():
        for (images_1, images_2, targets) in test_loader:
            images_1, images_2, targets = images_1.to(device), images_2.to(device), targets.to(device)
            outputs = model(images_1, images_2).squeeze()
            test_loss += criterion(outputs, targets).sum().item()
            pred = torch.where(outputs > 0.5, 1, 0)
            correct += pred.eq(targets.view_as(pred)).sum().item()
    test_loss /= len(test_loader.dataset)
    print('\\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\\n'.format(
        test_loss, correct, len(test_loader.dataset), 100. * correct / len(test_loader.dataset)))
    return test_loss, correct


def main(args):
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    device = torch.device("cpu")
    train_dataset = APP_MATCHER(args.n_train, seed=1)
    test_dataset = APP_MATCHER(args.n_test, seed=2)
    train_loader = torch.utils.data.DataLoader(train_dataset, batch_size=args.batch_size)
    test_loader = torch.utils.data.DataLoader(test_dataset, batch_size=args.test_batch_size)

    model = SiameseNetwork().to(device)
    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    losses, results = [], []
    for epoch in range(1, args.epochs + 1):
        train(args, model, device, train_loader, optimizer, epoch, losses)
        results.append(test(model, device, test_loader))
        scheduler.step()
    return model, losses, results, scheduler.get_last_lr()
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
    assert "Test set: Average loss" in capsys.readouterr().out
    assert np.all(np.isfinite(losses)) and np.mean(losses[-3:]) < 0.6 * np.mean(losses[:3])
    assert results[-1][1] > 0.8 * 200            # half the pairs match: chance is 100 of 200
    assert last_lr == pytest.approx([0.9 ** 5])
    assert model.cnn[0].weight.dtype == out["torch"].float32
    assert out["APP_MATCHER"](20, seed=0).data.dtype == out["torch"].float32   # uint8 / 255.0: the default dtype
