"""The map's layout, computed on a worker thread: the PCA view at once, then t-SNE (cached beside the embeddings)."""

from PySide6.QtCore import QObject, Signal
from shiboken6 import isValid

from labelreview.core.engine.backbone import LITE0
from labelreview.core.engine.embedding_store import store_folder, stored_embeddings
from labelreview.core.findings.embedding_map import map_layout
from labelreview.core.review.session import ReviewSession
from labelreview.gui.workers.worker import start_task

WAIT_MS = 15_000


class MapLoader(QObject):
    """``start(session)``; ``arranged(session, layout (N, 2), final)`` arrives once with the PCA view (final
    False) and once with the t-SNE layout (final True), or ``missing(session)`` when the store lacks embeddings."""

    arranged = Signal(object, object, bool)
    missing = Signal(object)
    progress = Signal(float, str)
    failed = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.task = self.thread = None

    def running(self) -> bool:
        return self.thread is not None and isValid(self.thread) and self.thread.isRunning()

    def start(self, session: ReviewSession) -> None:
        self.stop()
        self.task, self.thread = start_task(self, lambda callback, partial: _arrange(session, callback, partial))
        self.task.progress.connect(self.progress)
        self.task.partial.connect(lambda found: self.arranged.emit(*found, False))
        self.task.finished.connect(self._finished)
        self.task.failed.connect(self.failed)
        self.thread.start()

    def stop(self) -> None:
        """Cancel a layout under way (its worker process is killed) and wait for the thread."""
        if self.running():
            self.task.cancel()
            self.thread.quit()
            self.thread.wait(WAIT_MS)

    def _finished(self, found) -> None:
        session, layout = found
        if layout is None:
            self.missing.emit(session)
        else:
            self.arranged.emit(session, layout, True)


def _arrange(session: ReviewSession, callback, partial):
    vectors = stored_embeddings(session.dataset)
    if vectors is None:
        return session, None
    return session, map_layout(vectors, store_folder(session.dataset, LITE0), callback=callback,
                               first_view=lambda layout: partial((session, layout)))
