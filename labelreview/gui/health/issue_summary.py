"""The Health tab's issue summary: how many images have each kind of issue, with a few examples of each."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from labelreview.core.findings.image_quality import QUALITY_KINDS
from labelreview.core.findings.issue_table import DUPLICATE_KINDS
from labelreview.core.review.grid_view import GridQuery
from labelreview.core.review.session import ReviewSession
from labelreview.gui.widgets.issue_names import issue_name
from labelreview.gui.widgets.thumbnails import ThumbnailLoader

EXAMPLES = 6
EXAMPLE_SIDE = 56
KINDS = (*DUPLICATE_KINDS, "outlier", *QUALITY_KINDS)


class IssueSummary(QWidget):
    """One row per kind found: its name and count (a link that filters the grid) and its worst examples."""

    filter_requested = Signal(object)  # GridQuery

    def __init__(self, thumbnails: ThumbnailLoader, parent=None):
        super().__init__(parent)
        self.thumbnails = thumbnails
        self.rows = QGridLayout(self)
        self.rows.setContentsMargins(0, 0, 0, 0)
        self.rows.setColumnStretch(EXAMPLES + 1, 1)  # examples stay beside their count
        self.pictures: dict[int, list[QLabel]] = {}
        thumbnails.ready.connect(self._thumbnail_ready)

    def show_issues(self, session: ReviewSession | None) -> None:
        """Rebuild the rows from ``session``'s findings under its current labels."""
        while self.rows.count():
            widget = self.rows.takeAt(0).widget()
            widget.hide()  # at once: deleteLater waits for the event loop
            widget.deleteLater()
        self.pictures = {}
        title = QLabel("<b>Other issues</b>")
        self.rows.addWidget(title, 0, 0, 1, EXAMPLES + 1)
        if session is None or session.issues is None:
            title.setText("<b>Other issues</b>: not searched yet (Review \u203a Find duplicates, outliers and "
                          "image issues)")
            return
        labels = session.labels()
        counts = session.issues.counts(labels)
        found = [(kind, session.issues.positions(kind, labels)) for kind in KINDS if counts.get(kind)]
        skipped = len(session.dataset.skipped)
        if not found and not skipped:
            title.setText("<b>Other issues</b>: no duplicates, outliers or image-quality issues found")
        for row, (kind, positions) in enumerate(found, start=1):
            link = QLabel(f"<a href='{kind}'>{issue_name(kind).strip()}</a>: {len(positions):,}")
            link.linkActivated.connect(lambda issue: self.filter_requested.emit(GridQuery(issue=issue)))
            self.rows.addWidget(link, row, 0)
            for column, position in enumerate(positions[:EXAMPLES], start=1):
                picture = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
                picture.setFixedSize(EXAMPLE_SIDE, EXAMPLE_SIDE)
                self.pictures.setdefault(int(position), []).append(picture)
                self._set_picture(int(position))
                self.rows.addWidget(picture, row, column)
        if skipped:
            self.rows.addWidget(QLabel(f"Unreadable files: {skipped:,} (listed from the Suspects tab)"),
                                len(found) + 1, 0)

    def _set_picture(self, position: int) -> None:
        image = self.thumbnails.image(position)
        if image is not None:
            pixmap = QPixmap.fromImage(image).scaled(EXAMPLE_SIDE, EXAMPLE_SIDE, Qt.AspectRatioMode.KeepAspectRatio)
            for picture in self.pictures.get(position, []):
                picture.setPixmap(pixmap)

    def _thumbnail_ready(self, position: int) -> None:
        if position in self.pictures:
            self._set_picture(position)
