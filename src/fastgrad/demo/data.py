"""The demo's data: handwritten digits, split into train/test and standardised.

- `digits`: the 1,797 8x8 images that scikit-learn ships as `load_digits`,
  bundled with fastgrad (datasets/README.md) so nothing is downloaded.
- `mnist`: the MNIST IDX files (raw or .gz) from a local folder.
"""
import os
from dataclasses import dataclass

import numpy as np

from .idx import read_idx

DATASETS_DIR = os.path.join(os.path.dirname(__file__), "datasets")

MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


@dataclass
class Split:
    """Standardised float32 features (n, d) and int64 labels (n,) for train and test."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def num_features(self):
        return self.x_train.shape[1]

    @property
    def num_classes(self):
        return int(max(self.y_train.max(initial=0), self.y_test.max(initial=0))) + 1


def load_digits_arrays():
    """The bundled digits: images (1797, 8, 8) uint8 in 0..16 and labels (1797,) uint8."""
    images = read_idx(os.path.join(DATASETS_DIR, "digits-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(DATASETS_DIR, "digits-labels-idx1-ubyte.gz"))
    return images, labels


def find_idx_file(data_dir, stem):
    """Path of `stem` in `data_dir`, accepting `.gz` and the `-idx` / `.idx` spellings."""
    spellings = [stem, stem.replace("-idx", ".idx")]
    for name in spellings:
        for suffix in ("", ".gz"):
            path = os.path.join(data_dir, name + suffix)
            if os.path.isfile(path):
                return path
    raise FileNotFoundError(
        f"MNIST file {stem}[.gz] not found in {data_dir!r}; expected the four IDX files "
        f"{', '.join(MNIST_FILES.values())} (raw or .gz)"
    )


def load_mnist_arrays(data_dir):
    """MNIST from its four IDX files: (train_images, train_labels, test_images, test_labels)."""
    if not os.path.isdir(data_dir):
        raise FileNotFoundError(f"--data-dir {data_dir!r} is not a folder")
    arrays = {key: read_idx(find_idx_file(data_dir, stem)) for key, stem in MNIST_FILES.items()}
    for part in ("train", "test"):
        images, labels = arrays[f"{part}_images"], arrays[f"{part}_labels"]
        if images.ndim < 2 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError(
                f"MNIST {part} files disagree: images {images.shape}, labels {labels.shape}"
            )
    return arrays["train_images"], arrays["train_labels"], arrays["test_images"], arrays["test_labels"]


def standardise(x_train, x_test):
    """Scale each feature to zero mean and unit variance using training statistics only.

    x' = (x - mean_train) / std_train, with std 0 (a constant pixel) replaced by 1.
    """
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    std[std == 0] = 1.0
    return ((x_train - mean) / std).astype(np.float32), ((x_test - mean) / std).astype(np.float32)


def _flat(images):
    return images.reshape(len(images), -1).astype(np.float64)


def subsample(x, y, limit, rng):
    """At most `limit` rows of (x, y), chosen at random (all of them when limit is None)."""
    if limit is None or limit >= len(x):
        return x, y
    keep = np.sort(rng.permutation(len(x))[:limit])
    return x[keep], y[keep]


def load(name="digits", data_dir=None, test_fraction=0.2, seed=0, limit=None):
    """Load a dataset as a standardised `Split`.

    digits: shuffled with `seed`, `test_fraction` held out. mnist: its own
    train/test files from `data_dir`; `limit` caps the training rows.
    """
    rng = np.random.default_rng(seed)
    if name == "digits":
        images, labels = load_digits_arrays()
        x, y = _flat(images), labels.astype(np.int64)
        order = rng.permutation(len(x))
        n_test = int(round(test_fraction * len(x)))
        test, train = order[:n_test], order[n_test:]
        x_train, y_train, x_test, y_test = x[train], y[train], x[test], y[test]
    elif name == "mnist":
        if data_dir is None:
            raise ValueError("--data mnist needs --data-dir DIR holding the MNIST IDX files")
        tr_x, tr_y, te_x, te_y = load_mnist_arrays(data_dir)
        x_train, y_train = _flat(tr_x), tr_y.astype(np.int64)
        x_test, y_test = _flat(te_x), te_y.astype(np.int64)
    else:
        raise ValueError(f"unknown dataset {name!r}: use 'digits' or 'mnist'")
    x_train, y_train = subsample(x_train, y_train, limit, rng)
    x_train, x_test = standardise(x_train, x_test)
    return Split(name, x_train, y_train, x_test, y_test)
