"""Fixtures of the demo tests."""
import numpy as np
import pytest

from fastgrad.demo.idx import write_idx


def _write_fake_mnist(folder, n_train=12, n_test=5, side=4, gz=True, rng=None, spelling="-idx"):
    rng = rng or np.random.default_rng(0)
    suffix = ".gz" if gz else ""
    arrays = {
        "train-images": rng.integers(0, 256, (n_train, side, side), dtype=np.uint8),
        "train-labels": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images": rng.integers(0, 256, (n_test, side, side), dtype=np.uint8),
        "t10k-labels": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    for name, array in arrays.items():
        dims = 3 if "images" in name else 1
        write_idx(str(folder / f"{name}{spelling}{dims}-ubyte{suffix}"), array)
    return arrays


@pytest.fixture
def write_fake_mnist():
    """write_fake_mnist(folder, n_train, n_test, side, gz, rng, spelling): four small MNIST IDX files."""
    return _write_fake_mnist
