"""More like this: the images nearest to one in embedding space, looked up on a worker thread."""

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal

from labelreview.core.engine.backbone import LITE0
from labelreview.core.engine.embedding_store import store_folder, stored_embeddings
from labelreview.core.errors import DataError
from labelreview.core.findings.similarity import SimilarityIndex
from labelreview.core.review.session import ReviewSession
from labelreview.gui.workers.worker import start_task

SHOWN = 50  # images, the chosen one first
NO_EMBEDDINGS = ("More like this compares the images' embeddings, and this dataset has none yet: Score with the "
                 "pretrained model, or Review \u203a Find duplicates, outliers and image issues, computes them.")


@dataclass(frozen=True)
class Similar:
    """The images nearest to ``position`` in ``session`` (itself first) and their cosine distances."""

    session: ReviewSession
    position: int
    positions: np.ndarray
    distances: np.ndarray

    def distance_of(self, position: int) -> float | None:
        found = np.flatnonzero(self.positions == position)
        return float(self.distances[found[0]]) if len(found) else None


class SimilarFinder(QObject):
    """``start(session, position)``; ``found(Similar)`` or ``failed(str)`` arrive on the GUI thread.

    The session's index is built on the first look-up and kept for the next ones.
    """

    found = Signal(object)
    failed = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.task = self.thread = None
        self.indexed: tuple[ReviewSession, SimilarityIndex] | None = None

    def start(self, session: ReviewSession, position: int) -> None:
        if self.task is not None:
            return
        index = self.indexed[1] if self.indexed and self.indexed[0] is session else None
        self.task, self.thread = start_task(self, lambda callback, _: _nearest(session, position, index, callback))
        self.task.finished.connect(self._found)
        self.task.failed.connect(self.failed)
        for signal in (self.task.finished, self.task.failed):
            signal.connect(self._ended)
        self.thread.start()

    def _ended(self) -> None:
        self.task = self.thread = None

    def _found(self, found: tuple[Similar, SimilarityIndex]) -> None:
        similar, index = found
        self.indexed = similar.session, index
        self.found.emit(similar)


def _nearest(session: ReviewSession, position: int, index: SimilarityIndex | None, callback
             ) -> tuple[Similar, SimilarityIndex]:
    vectors = stored_embeddings(session.dataset)
    if vectors is None:
        raise DataError(None, NO_EMBEDDINGS)
    if index is None or index.index.ntotal != len(vectors):
        index = SimilarityIndex.build(vectors, store_folder(session.dataset, LITE0), callback=callback)
    positions, distances = index.nearest(np.asarray(vectors[position], np.float32), SHOWN)
    return Similar(session, position, positions, distances), index
