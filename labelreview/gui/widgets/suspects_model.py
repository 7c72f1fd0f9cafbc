"""The suspects grid's item model: a thin adapter over a review session and a grid query."""

import numpy as np
from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt
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


class SuspectsModel(QAbstractListModel):
    """One row per visible example (the first ``limit``, when set, of ``total``); ``positions[row]`` is its
    dataset position."""

    def __init__(self, thumbnails: ThumbnailLoader, parent=None, limit: int | None = None):
        super().__init__(parent)
        self.session: ReviewSession | None = None
        self.query = GridQuery()
        self.limit, self.total = limit, 0
        self.positions = np.zeros(0, dtype=np.int64)
        self._row_of: dict[int, int] = {}
        self._labels = self._statuses = None
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
        self.beginResetModel()
        if self.session is None:
            self.positions = np.zeros(0, dtype=np.int64)
            self._labels = self._statuses = None
        else:
            self.positions = visible_positions(self.session, self.query)
            self._labels, self._statuses = self.session.labels(), self.session.statuses()
        self.total, self.positions = len(self.positions), self.positions[:self.limit]
        self._row_of = {int(p): row for row, p in enumerate(self.positions)}
        self.endResetModel()

    @property
    def labels(self) -> np.ndarray:
        """Current label of every example (N,), as of the last refresh or decision."""
        return self._labels

    def decisions_changed(self, positions) -> None:
        """Repaint the tiles of ``positions`` without reordering the grid."""
        self._labels, self._statuses = self.session.labels(), self.session.statuses()
        for position in positions:
            row = self._row_of.get(int(position))
            if row is not None:
                index = self.index(row)
                self.dataChanged.emit(index, index)

    def row_of(self, position: int) -> int | None:
        return self._row_of.get(int(position))

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.positions)

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        position = int(self.positions[index.row()])
        scores, names = self.session.scores, self.session.dataset.class_names
        if role == POSITION_ROLE:
            return position
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
        row = self._row_of.get(position)
        if row is not None:
            index = self.index(row)
            self.dataChanged.emit(index, index, [IMAGE_ROLE])
