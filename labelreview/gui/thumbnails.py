"""Thumbnails decoded lazily on a thread pool and kept in a bounded cache."""

from collections import OrderedDict

import numpy as np
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtGui import QImage

from labelreview.core.dataset import Dataset

CACHE_SIZE = 4000


def to_qimage(pixels: np.ndarray) -> QImage:
    """(H, W, 1 or 3) uint8 -> a QImage that owns its data."""
    pixels = np.ascontiguousarray(pixels)
    height, width, channels = pixels.shape
    fmt = QImage.Format.Format_Grayscale8 if channels == 1 else QImage.Format.Format_RGB888
    return QImage(pixels.data, width, height, width * channels, fmt).copy()


class _Load(QRunnable):
    def __init__(self, loader: "ThumbnailLoader", dataset: Dataset, position: int):
        super().__init__()
        self.loader, self.dataset, self.position = loader, dataset, position

    def run(self) -> None:
        image = to_qimage(self.dataset.images(np.array([self.position]))[0])
        self.loader.loaded.emit(self.dataset, self.position, image)


class ThumbnailLoader(QObject):
    """``image(i)`` answers from the cache or queues a load and emits ``ready(i)`` later."""

    loaded = Signal(object, int, QImage)  # from pool threads, queued to the GUI thread
    ready = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.dataset: Dataset | None = None
        self.cache: OrderedDict[int, QImage] = OrderedDict()
        self.pending: set[int] = set()
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self.loaded.connect(self._store)

    def set_dataset(self, dataset: Dataset) -> None:
        self.pool.clear()
        self.dataset, self.cache, self.pending = dataset, OrderedDict(), set()

    def shutdown(self) -> None:
        """Drop queued loads and wait for running ones, so no pool thread outlives the window."""
        self.pool.clear()
        self.pool.waitForDone()

    def image(self, position: int) -> QImage | None:
        if position in self.cache:
            self.cache.move_to_end(position)
            return self.cache[position]
        if position not in self.pending and self.dataset is not None:
            self.pending.add(position)
            self.pool.start(_Load(self, self.dataset, position))
        return None

    def _store(self, dataset: Dataset, position: int, image: QImage) -> None:
        if dataset is not self.dataset:
            return  # a load for a dataset no longer shown
        self.pending.discard(position)
        self.cache[position] = image
        if len(self.cache) > CACHE_SIZE:
            self.cache.popitem(last=False)
        self.ready.emit(position)
