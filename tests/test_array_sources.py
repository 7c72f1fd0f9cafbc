"""Array sources: MNIST offline, .npz files, IDX files, Keras' mnist.npz."""

import gzip

import numpy as np
import pytest

from labelreview.core.data import array_sources
from labelreview.core.data.sources import open_source
from labelreview.core.errors import DataError


def test_mnist_train_and_test_from_the_wheel(mnist_test):
    train = open_source("mnist")
    assert (len(train), len(mnist_test)) == (60_000, 10_000)
    assert train.image_shape == (28, 28, 1) and train.pixels.dtype == np.uint8
    assert train.label_names()[:5].tolist() == ["5", "0", "4", "1", "9"]
    assert np.bincount(mnist_test.labels).tolist()[:3] == [980, 1135, 1032]
    assert train.images().max() == 255 and train.paths is None and train.path(0) == ""


def test_mnist_pickle_with_a_wrong_checksum_is_never_unpickled(tmp_path):
    fake = tmp_path / "mnist.pkl.gz"
    fake.write_bytes(gzip.compress(b"cos\nsystem\n(S'echo pwned'\ntR."))
    with pytest.raises(DataError, match="checksum mismatch"):
        array_sources._read_mnist_pickle(fake, "train")


def test_keras_mnist_npz_is_used_without_the_wheel(tmp_path, monkeypatch):
    datasets = tmp_path / ".keras" / "datasets"
    datasets.mkdir(parents=True)
    images = np.arange(3 * 28 * 28, dtype=np.uint8).reshape(3, 28, 28)
    np.savez(datasets / "mnist.npz", x_train=images, y_train=np.array([1, 2, 3]),
             x_test=images[:1], y_test=np.array([7]))
    monkeypatch.setattr(array_sources, "mnist_pickle_path", lambda: None)
    monkeypatch.setenv("HOME", str(tmp_path))
    array_sources._mnist_arrays.cache_clear()
    try:
        assert open_source("mnist").labels.tolist() == [1, 2, 3]
        assert open_source("mnist:test").labels.tolist() == [7]
    finally:
        array_sources._mnist_arrays.cache_clear()


def test_npz_with_string_labels_and_float_rgb_images(tmp_path):
    images = np.random.default_rng(0).random((6, 8, 8, 3))
    np.savez(tmp_path / "a.npz", images=images, labels=np.array(["dog", "cat", "dog", "cat", "bird", "cat"]))
    dataset = open_source(str(tmp_path / "a.npz"))
    assert dataset.class_names == ("bird", "cat", "dog")
    assert dataset.labels.tolist() == [2, 1, 2, 1, 0, 1]
    assert dataset.image_shape == (8, 8, 3) and dataset.pixels.dtype == np.uint8
    assert np.array_equal(dataset.images()[0], np.round(images[0] * 255).astype(np.uint8))


def test_npz_with_integer_labels_and_class_names(tmp_path):
    np.savez(tmp_path / "b.npz", x=np.zeros((2, 5, 5), np.uint8), y=np.array([0, 1]), class_names=np.array(["a", "b"]))
    assert open_source(str(tmp_path / "b.npz")).class_names == ("a", "b")


def test_npz_with_pickled_objects_is_refused(tmp_path):
    np.savez(tmp_path / "p.npz", images=np.zeros((2, 5, 5)), labels=np.array([{"a": 1}, None], dtype=object))
    with pytest.raises(DataError, match="not a readable .npz"):
        open_source(str(tmp_path / "p.npz"))


def test_npz_missing_arrays(tmp_path):
    np.savez(tmp_path / "c.npz", pictures=np.zeros((2, 5, 5)))
    with pytest.raises(DataError, match=r"needs arrays 'images' and 'labels' \(found: pictures\)"):
        open_source(str(tmp_path / "c.npz"))


def _write_idx(path, array):
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    with gzip.open(path, "wb") as handle:
        handle.write(header + array.astype(np.uint8).tobytes())


def test_idx_files(tmp_path, mnist_test):
    _write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", mnist_test.images(slice(0, 50))[..., 0])
    _write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", mnist_test.labels[:50])
    dataset = open_source(str(tmp_path / "t10k-images-idx3-ubyte.gz"), limit=20)
    assert len(dataset) == 20 and np.array_equal(dataset.images(), mnist_test.images(slice(0, 20)))
    assert np.array_equal(dataset.labels, mnist_test.labels[:20])


def test_unknown_sources():
    with pytest.raises(DataError, match="no such file or folder"):
        open_source("/no/such/folder")
    with pytest.raises(DataError, match="unknown MNIST split"):
        open_source("mnist:validation")
