"""Shared fixtures: an isolated cache and config per test session, small real image sets."""

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest_plugins = ["pytester"]  # test_quiet runs a test inside a test


@pytest.fixture(autouse=True, scope="session")
def isolated_app_dirs(tmp_path_factory):
    """Keep the user's real cache and settings out of the tests."""
    base = tmp_path_factory.mktemp("appdirs")
    for name in ("CACHE", "CONFIG", "LOG", "DATA"):
        os.environ[f"LABELREVIEW_{name}_DIR"] = str(base / name.lower())
    yield base


@pytest.fixture
def window(qtbot):
    """The real main window, shown (offscreen), closed after the test."""
    from labelreview.gui.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()


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


@pytest.fixture
def shapes_folder(tmp_path):
    """A real colour image folder: 12 JPEGs each of circles, squares and triangles."""
    from labelreview.selftest import write_shapes_folder

    return write_shapes_folder(tmp_path / "shapes", per_class=12)
