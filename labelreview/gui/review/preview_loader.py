"""Full-resolution images for the detail panel, decoded one at a time on a worker thread."""

from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject, Signal

from labelreview.core.data.dataset import Dataset
from labelreview.core.data.images import describe_failure
from labelreview.gui.widgets.thumbnails import to_qimage


class PreviewLoader(QObject):
    """``request(dataset, i)`` decodes example ``i`` whole off the GUI thread.

    ``loaded(key, image)`` or ``failed(key, reason)`` follow on the GUI thread, ``key`` being the
    ``(dataset, i)`` asked for; a request superseded while it waited is dropped unread.
    """

    loaded = Signal(object, object)  # (dataset, position), QImage
    failed = Signal(object, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.wanted: tuple[Dataset, int] | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="preview")

    def request(self, dataset: Dataset, position: int) -> None:
        self.wanted = (dataset, position)
        self._pool.submit(self._load, dataset, position)

    def shutdown(self) -> None:
        """Drop a queued decode and wait for a running one, so no worker outlives the window."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _load(self, dataset: Dataset, position: int) -> None:
        key = (dataset, position)
        if self.wanted != key:
            return  # the curator moved on before this one started
        try:
            image = to_qimage(dataset.full_image(position))  # a QImage may be made on any thread
        except (OSError, ValueError) as error:
            self.failed.emit(key, describe_failure(error))
            return
        self.loaded.emit(key, image)
