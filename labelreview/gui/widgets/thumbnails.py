"""Thumbnails read lazily on worker threads and kept in a bounded cache."""

import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from labelreview.core.data.dataset import Dataset

CACHE_SIZE = 4000
UNREADABLE_GREY = 90  # the tile of a file that cannot be read


def to_qimage(pixels: np.ndarray) -> QImage:
    """(H, W, 1 or 3) uint8 -> a QImage that owns its data."""
    pixels = np.ascontiguousarray(pixels)
    height, width, channels = pixels.shape
    fmt = QImage.Format.Format_Grayscale8 if channels == 1 else QImage.Format.Format_RGB888
    return QImage(pixels.tobytes(), width, height, width * channels, fmt).copy()


class ThumbnailLoader(QObject):
    """``image(i)`` answers from the cache or queues a load and emits ``ready(i)`` later.

    Pixels are read (memory map, or the file decoded when the dataset is not) on plain Python threads; the
    QImage is made on the GUI thread, which is cheap for model-sized images.
    A file's image is shown without the black bars that made it square for the model
    (black clip art would look like a black tile).
    """

    arrived = Signal()  # from worker threads, queued to the GUI thread
    ready = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.dataset: Dataset | None = None
        self.cache: OrderedDict[int, QImage] = OrderedDict()
        self.pending: set[int] = set()
        self._done: list[tuple[Dataset, int, np.ndarray]] = []
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="thumbnails")
        self.arrived.connect(self._collect)

    def set_dataset(self, dataset: Dataset) -> None:
        self.dataset, self.cache, self.pending = dataset, OrderedDict(), set()

    def shutdown(self) -> None:
        """Drop queued loads and wait for running ones, so no worker outlives the window."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def image(self, position: int) -> QImage | None:
        if position in self.cache:
            self.cache.move_to_end(position)
            return self.cache[position]
        if position not in self.pending and self.dataset is not None:
            self.pending.add(position)
            self._pool.submit(self._load, self.dataset, position)
        return None

    def _load(self, dataset: Dataset, position: int) -> None:
        try:
            pixels = dataset.thumbnail(position)
        except (OSError, ValueError):  # a file not decoded before, and unreadable: a run will list it
            pixels = np.full(dataset.image_shape, UNREADABLE_GREY, dtype=np.uint8)
        with self._lock:
            self._done.append((dataset, position, pixels))
        self.arrived.emit()

    def _collect(self) -> None:
        with self._lock:
            done, self._done = self._done, []
        for dataset, position, pixels in done:
            if dataset is not self.dataset:
                continue  # loaded for a dataset no longer shown
            self.pending.discard(position)
            self.cache[position] = to_qimage(pixels)
            if len(self.cache) > CACHE_SIZE:
                self.cache.popitem(last=False)
            self.ready.emit(position)
