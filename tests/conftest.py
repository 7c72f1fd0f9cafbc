"""Shared fixtures: an isolated cache and config per test session, small real image sets."""

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True, scope="session")
def isolated_app_dirs(tmp_path_factory):
    """Keep the user's real cache and settings out of the tests."""
    base = tmp_path_factory.mktemp("appdirs")
    for name in ("CACHE", "CONFIG", "LOG", "DATA"):
        os.environ[f"LABELREVIEW_{name}_DIR"] = str(base / name.lower())
    yield base


@pytest.fixture(scope="session")
def mnist_test():
    from labelreview.core.data.array_sources import open_mnist

    return open_mnist("test")


def write_png_folder(root: Path, images: np.ndarray, labels: np.ndarray, per_class: int) -> Path:
    """Write ``per_class`` images of each digit as ``root/<digit>/<n>.png``."""
    for digit in np.unique(labels):
        folder = root / str(digit)
        folder.mkdir(parents=True, exist_ok=True)
        for n, i in enumerate(np.flatnonzero(labels == digit)[:per_class]):
            Image.fromarray(images[i, ..., 0]).save(folder / f"{n}.png")
    return root


@pytest.fixture
def digit_folder(tmp_path, mnist_test):
    """A real image folder: 30 MNIST test PNGs per digit."""
    return write_png_folder(tmp_path / "digits", mnist_test.images(), mnist_test.labels, per_class=30)


def draw_shape(kind: str, rng: np.random.Generator, side: int = 96) -> Image.Image:
    """A colour picture of a ``circle`` (reddish), ``square`` (bluish) or ``triangle`` (greenish) on a light ground."""
    from PIL import ImageDraw

    colour = {"circle": (200, 40, 40), "square": (40, 60, 200), "triangle": (40, 160, 60)}[kind]
    image = Image.new("RGB", (side, side), tuple(int(v) for v in rng.integers(200, 256, 3)))
    draw = ImageDraw.Draw(image)
    size = int(rng.integers(side // 3, side * 3 // 4))
    x, y = (int(v) for v in rng.integers(0, side - size, 2))
    tint = tuple(int(np.clip(c + rng.integers(-30, 30), 0, 255)) for c in colour)
    if kind == "circle":
        draw.ellipse((x, y, x + size, y + size), fill=tint)
    elif kind == "square":
        draw.rectangle((x, y, x + size, y + size), fill=tint)
    else:
        draw.polygon([(x, y + size), (x + size, y + size), (x + size // 2, y)], fill=tint)
    return image


@pytest.fixture
def shapes_folder(tmp_path):
    """A real colour image folder: 12 JPEGs each of circles, squares and triangles."""
    rng = np.random.default_rng(0)
    for kind in ("circle", "square", "triangle"):
        (tmp_path / "shapes" / kind).mkdir(parents=True)
        for n in range(12):
            draw_shape(kind, rng).save(tmp_path / "shapes" / kind / f"{n}.jpg", quality=90)
    return tmp_path / "shapes"
