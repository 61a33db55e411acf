"""The demo's datasets: the bundled digits and MNIST from a folder of IDX files."""
import numpy as np
import pytest

from fastgrad.demo import data
from fastgrad.demo.idx import write_idx


def test_bundled_digits_are_the_1797_images():
    images, labels = data.load_digits_arrays()
    assert images.shape == (1797, 8, 8) and images.dtype == np.uint8
    assert labels.shape == (1797,) and set(np.unique(labels)) == set(range(10))
    assert images.min() == 0 and images.max() == 16
    assert np.bincount(labels).min() >= 170


def test_bundled_digits_equal_scikit_learns_copy():
    datasets = pytest.importorskip("sklearn.datasets")
    reference = datasets.load_digits()
    images, labels = data.load_digits_arrays()
    np.testing.assert_array_equal(images.reshape(1797, 64), reference.data)
    np.testing.assert_array_equal(labels, reference.target)


def test_digits_split_is_standardised_and_seeded():
    split = data.load("digits", seed=3)
    assert split.x_train.shape == (1438, 64) and split.x_test.shape == (359, 64)
    assert split.x_train.dtype == np.float32 and split.y_train.dtype == np.int64
    assert split.num_features == 64 and split.num_classes == 10
    np.testing.assert_allclose(split.x_train.mean(axis=0), 0, atol=1e-5)
    std = split.x_train.std(axis=0)
    assert np.all((np.abs(std - 1) < 1e-4) | (std == 0))  # constant pixels stay at 0
    again = data.load("digits", seed=3)
    np.testing.assert_array_equal(split.x_test, again.x_test)
    np.testing.assert_array_equal(split.y_train, again.y_train)
    other = data.load("digits", seed=4)
    assert not np.array_equal(split.y_test, other.y_test)


def test_train_and_test_partition_the_data():
    split = data.load("digits", seed=0)
    _, labels = data.load_digits_arrays()
    assert len(split.x_train) + len(split.x_test) == len(labels)
    counts = np.bincount(split.y_train, minlength=10) + np.bincount(split.y_test, minlength=10)
    np.testing.assert_array_equal(counts, np.bincount(labels))


@pytest.mark.parametrize("gz", [True, False])
@pytest.mark.parametrize("spelling", ["-idx", ".idx"])
def test_mnist_is_read_from_a_folder_of_idx_files(tmp_path, write_fake_mnist, gz, spelling):
    arrays = write_fake_mnist(tmp_path, gz=gz, spelling=spelling)
    train_x, train_y, test_x, test_y = data.load_mnist_arrays(str(tmp_path))
    np.testing.assert_array_equal(train_x, arrays["train-images"])
    np.testing.assert_array_equal(test_y, arrays["t10k-labels"])
    split = data.load("mnist", str(tmp_path))
    assert split.x_train.shape == (12, 16) and split.x_test.shape == (5, 16)
    np.testing.assert_array_equal(split.y_train, arrays["train-labels"])


def test_mnist_limit_keeps_a_seeded_subset(tmp_path, write_fake_mnist):
    write_fake_mnist(tmp_path, n_train=30)
    a = data.load("mnist", str(tmp_path), limit=10, seed=1)
    b = data.load("mnist", str(tmp_path), limit=10, seed=1)
    assert len(a.x_train) == 10 and len(a.x_test) == 5
    np.testing.assert_array_equal(a.x_train, b.x_train)


def test_mnist_errors_name_the_problem(tmp_path, write_fake_mnist):
    with pytest.raises(ValueError, match="--data-dir"):
        data.load("mnist", None)
    with pytest.raises(FileNotFoundError, match="not a folder"):
        data.load("mnist", str(tmp_path / "absent"))
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        data.load("mnist", str(tmp_path))
    write_fake_mnist(tmp_path)
    write_idx(str(tmp_path / "t10k-labels-idx1-ubyte.gz"), np.zeros(4, np.uint8))
    with pytest.raises(ValueError, match="test files disagree"):
        data.load("mnist", str(tmp_path))


def test_unknown_dataset_is_rejected():
    with pytest.raises(ValueError, match="unknown dataset 'cifar'"):
        data.load("cifar")
