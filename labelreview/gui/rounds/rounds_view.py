"""The Rounds tab: each round's figures as a table and a chart (matplotlib, imported when the first is drawn), and a
live estimate of the errors left."""

import numpy as np
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from labelreview.core.findings.self_check import suspects_said
from labelreview.core.review.session import ReviewSession

COLUMNS = ("Round", "Scored with", "Scored", "Suspects", "New", "Cleared", "Reviewed", "Relabeled", "Removed",
           "Health", "Test accuracy")
REVIEWS = COLUMNS.index("Reviewed")  # this and the next two columns follow the curator's decisions
MAX_TABLE_ROWS = 6  # more rounds scroll inside the table; the chart keeps the rest of the page


class RoundsView(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.session: ReviewSession | None = None
        self.estimate = QLabel()
        self.estimate.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.horizontalHeaderItem(REVIEWS).setToolTip("This round's suspects with a decision, as they stand now")
        for column in (COLUMNS.index("New"), COLUMNS.index("Cleared")):
            self.table.horizontalHeaderItem(column).setToolTip(
                "Against the round before; \u2014 for a new baseline: the first round, or one scored with another "
                "model or settings than the round before (its suspects changed with the model, not your labels)")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(COLUMNS.index("Scored with"),
                                                           QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().hide()
        self.table.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        self.canvas: QWidget | None = None  # the ChartCanvas of the rounds chart
        self.layout_ = QVBoxLayout(self)
        self.layout_.addWidget(QLabel("<b>When to stop</b>"))
        self.layout_.addWidget(self.estimate)
        self.layout_.addWidget(QLabel("<b>Rounds</b> (each Score after your decisions starts the next one)"))
        self.layout_.addWidget(self.table)
        self.layout_.addStretch(1)  # until the first round's chart takes the space

    def set_session(self, session: ReviewSession) -> None:
        self.session = session
        self.refresh()

    def refresh(self) -> None:
        """Re-read the history: table, chart and estimate (after a run)."""
        if self.session is None:
            return
        rounds = self.session.rounds.rounds()
        self.table.setRowCount(len(rounds))
        for row, r in enumerate(rounds):
            found = (r.number, r.setup_said or "-", r.scored, r.suspects, _or_dash(r.new_suspects), _or_dash(r.cleared))
            after = (f"{r.health_score:.3f}", "-" if r.test_accuracy is None else f"{r.test_accuracy:.2%}")
            for column, value in [*enumerate(found), *enumerate(after, start=REVIEWS + 3)]:
                self.table.setItem(row, column, QTableWidgetItem(f"{value:,}" if isinstance(value, int) else value))
        self._fit_table()
        self.show_estimate()
        if self.canvas is not None:
            # Hidden and left for Qt to delete while its parent still owns it: after setParent(None),
            # Python's garbage collector could delete it in the middle of an event.
            self.canvas.hide()
            self.canvas.deleteLater()
            self.canvas = None
        if rounds:
            from labelreview.core.report.charts import Theme, rounds_figure
            from labelreview.gui.widgets.chart_canvas import ChartCanvas

            theme = Theme.for_dark(self.palette().window().color().lightness() < 128)
            self.canvas = ChartCanvas(rounds_figure(rounds, theme))
            self.canvas.setMinimumHeight(200)
            self.layout_.insertWidget(self.layout_.count() - 1, self.canvas, stretch=100)

    def _fit_table(self) -> None:
        """As tall as its rows, up to MAX_TABLE_ROWS: no empty band under the last round."""
        rows = min(self.table.rowCount(), MAX_TABLE_ROWS)
        height = self.table.horizontalHeader().height() + 2 * self.table.frameWidth()
        height += sum(self.table.rowHeight(row) for row in range(rows))
        self.table.setFixedHeight(height)

    def show_estimate(self) -> None:
        """The estimate and each round's reviewed, relabeled and removed counts (after each decision)."""
        if self.session is None:
            return
        for row, past in enumerate(self.session.rounds.rounds()[:self.table.rowCount()]):
            done = self.session.round_reviews(past)
            for column, value in enumerate((done.reviewed, done.relabeled, done.removed), start=REVIEWS):
                self.table.setItem(row, column, QTableWidgetItem(f"{value:,}"))
        share, left = self.session.live_estimate()
        counts = self.session.review_counts()
        reviewed, suspects = counts.reviewed, counts.suspects
        if np.isnan(share):
            expected = f", about {left.sum():,.0f} of them real errors by the run's self-check" if left.sum() else ""
            self.estimate.setText(f"{suspects_said(suspects, None)}{expected}. Review some to estimate how many "
                                  "real errors are left.")
            return
        names = self.session.dataset.class_names
        worst = np.argsort(-left)[:5]
        per_class = ", ".join(f"{names[k]}: {left[k]:.0f}" for k in worst if left[k] >= 0.5)
        self.estimate.setText(
            f"{share:.0%} of the {reviewed:,} suspects you reviewed were real label errors. About "
            f"{left.sum():.0f} errors are left among the {suspects - reviewed:,} unreviewed suspects, fewer further "
            "down the list"
            + (f" (most in {per_class})." if per_class else ".")
            + (" Few are left: this is a good point to stop." if left.sum() < 1 else ""))


def _or_dash(count: int | None):
    """A count, or a dash where a new baseline has nothing to compare with."""
    return "\u2014" if count is None else count
