"""The suspects grid's item model: a thin adapter over a review session and a grid query."""

import logging
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QImage

from labelreview.core.review.grid_view import GridQuery, visible_positions
from labelreview.core.review.session import ReviewSession
from labelreview.gui.widgets.thumbnails import ThumbnailLoader

POSITION_ROLE = Qt.ItemDataRole.UserRole + 1
IMAGE_ROLE = POSITION_ROLE + 1
GIVEN_ROLE = POSITION_ROLE + 2
PREDICTED_ROLE = POSITION_ROLE + 3
CONFIDENCE_ROLE = POSITION_ROLE + 4
STATUS_ROLE = POSITION_ROLE + 5
ORIGINAL_ROLE = POSITION_ROLE + 6
WORKER_ROWS = 200_000
log = logging.getLogger("labelreview")


class SuspectsModel(QAbstractListModel):
    """One row per visible example (the first ``limit``, when set, of ``total``); ``positions[row]`` is its
    dataset position.

    A dataset of more than WORKER_ROWS examples is queried on a worker thread (over 100 ms on a laptop): the grid
    shows the rows it had until the answer comes (``queried`` then), and a newer query supersedes an older one.
    """

    queried = Signal()  # the rows of the last query are shown
    _answered = Signal(int, object)  # from the worker: (query number, positions)

    def __init__(self, thumbnails: ThumbnailLoader, parent=None, limit: int | None = None):
        super().__init__(parent)
        self.session: ReviewSession | None = None
        self.query = GridQuery()
        self.limit, self.total = limit, 0
        self.positions = np.zeros(0, dtype=np.int64)
        self._row_of = np.zeros(0, dtype=np.int64)  # dataset position -> row, -1 where not shown
        self._labels = self._statuses = None
        self._asked = self._shown = 0  # queries asked so far, and the last one shown; only the last is shown
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="grid query")
        self._answered.connect(self._show)
        self.thumbnails = thumbnails
        thumbnails.ready.connect(self._thumbnail_ready)

    def set_session(self, session: ReviewSession | None) -> None:
        self.session = session
        self.refresh()

    def set_query(self, query: GridQuery) -> None:
        self.query = query
        self.refresh()

    def refresh(self) -> None:
        """Recompute the visible rows (after new scores, a filter change or decisions)."""
        self._asked += 1
        session, query = self.session, self.query
        if session is None:
            self._show(self._asked, np.zeros(0, dtype=np.int64))
        elif len(session.dataset) <= WORKER_ROWS:
            self._show(self._asked, visible_positions(session, query))
        else:
            self._worker.submit(self._answer, self._asked, session, query)

    @property
    def answering(self) -> bool:
        """Whether the rows of the last query are still being found (``queried`` follows)."""
        return self._shown != self._asked

    def shutdown(self) -> None:
        """Wait for a query under way, so no worker outlives the window."""
        self._worker.shutdown(wait=True, cancel_futures=True)

    def _answer(self, asked: int, session: ReviewSession, query: GridQuery) -> None:
        """On the worker: the rows of query number ``asked``, unless a newer one was asked before it began."""
        if asked != self._asked:
            return
        try:
            positions = visible_positions(session, query)
        except Exception:  # noqa: BLE001 - said in the log; the grid keeps the rows it shows
            log.exception("the grid's query %s failed", query)
            positions = None
        self._answered.emit(asked, positions)

    def _show(self, asked: int, positions: np.ndarray | None) -> None:
        if asked != self._asked:
            return  # a newer query was asked meanwhile
        self._shown = asked
        if positions is None:  # the query failed: the rows shown stay
            self.queried.emit()
            return
        self.beginResetModel()
        session = self.session
        self._labels, self._statuses = (session.labels(), session.statuses()) if session else (None, None)
        self.total, self.positions = len(positions), positions[:self.limit]
        self._row_of = np.full(len(session.dataset) if session else 0, -1, dtype=np.int64)
        self._row_of[self.positions] = np.arange(len(self.positions))
        self.endResetModel()
        self.queried.emit()

    @property
    def labels(self) -> np.ndarray:
        """Current label of every example (N,), as of the last refresh or decision."""
        return self._labels

    def decisions_changed(self, positions) -> None:
        """Repaint the tiles of ``positions`` without reordering the grid."""
        self._labels, self._statuses = self.session.labels(), self.session.statuses()
        rows = [row for row in map(self.row_of, positions) if row is not None]
        if rows:  # one signal for the span: a thousand decided at once repainted in one go
            self.dataChanged.emit(self.index(min(rows)), self.index(max(rows)))

    def row_of(self, position: int) -> int | None:
        row = int(self._row_of[position]) if 0 <= position < len(self._row_of) else -1
        return None if row < 0 else row

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.positions)

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        position = int(self.positions[index.row()])
        if role == POSITION_ROLE:
            return position  # also while a new session's rows are about to replace these
        scores, names = self.session.scores, self.session.dataset.class_names
        if role == IMAGE_ROLE:
            return self.thumbnails.image(position) or QImage()  # null until loaded (never None: see delegate)
        if role == GIVEN_ROLE:
            return names[self._labels[position]]
        if role == PREDICTED_ROLE:
            return names[scores.predicted[position]] if scores.scored[position] else ""
        if role == CONFIDENCE_ROLE:
            return float(scores.confidence[position])  # NaN until scored
        if role == STATUS_ROLE:
            return self._statuses[position]
        if role == ORIGINAL_ROLE:
            return self.session.store.table["original_label"].iat[self.session.store.row_of[position]]
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            path = self.session.dataset.path(position) or f"#{self.session.dataset.index[position]}"
            predicted = f", predicted {names[scores.predicted[position]]}" if scores.scored[position] else ""
            return f"{path}\ngiven {names[self._labels[position]]}{predicted}"  # whole: the tile shortens them
        return None

    def _thumbnail_ready(self, position: int) -> None:
        row = self.row_of(position)
        if row is not None:
            index = self.index(row)
            self.dataChanged.emit(index, index, [IMAGE_ROLE])
