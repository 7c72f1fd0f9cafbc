"""The Health tab: summary, per-class quality, confusion heat map, label distribution, overlapping pairs.

Numbers come from :mod:`labelreview.core.findings.health` on a worker thread; charts are
:mod:`labelreview.core.report.charts` figures drawn on Qt canvases (matplotlib is imported when the first are
drawn, not when the window starts).
"""

import logging
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from labelreview.core.findings.analysis import OVERLAP_COLUMNS
from labelreview.core.findings.health import Health, compute_health
from labelreview.core.report.summary_lines import health_line, model_line
from labelreview.core.review.grid_view import GridQuery
from labelreview.core.review.session import ReviewSession
from labelreview.gui.health.issue_summary import IssueSummary
from labelreview.gui.widgets.suspects_model import SuspectsModel
from labelreview.gui.widgets.thumbnails import ThumbnailLoader
from labelreview.gui.widgets.tile_strip import TileStrip
from labelreview.gui.workers.worker import start_task

log = logging.getLogger(__name__)
REFRESH_DELAY_MS = 400  # decisions in quick succession recompute once
SHOWN_PAIRS = 12  # the pairs with the most images, listed whole beside the distribution chart (health.json has all)
UNSCORED = "Score the dataset to see its health."
PAIR_TILES = 8  # tiles each pair pane shows at most, as tall as they need (the grid shows the whole pair)


class HealthView(QWidget):
    filter_requested = Signal(object)  # a GridQuery for the suspects grid, shown at once
    pair_chosen = Signal(object)  # a GridQuery of an overlapping pair: the grid filtered, the Health tab kept
    updated = Signal()
    said = Signal(str)  # for the status bar

    def __init__(self, thumbnails: ThumbnailLoader, parent=None):
        super().__init__(parent)
        self.session: ReviewSession | None = None
        self.health: Health | None = None
        self.figures: dict[str, object] = {}
        self.confusion_classes = np.zeros(0, dtype=np.int64)
        self.task = self.thread = None
        self.stale = False
        self.summary = QLabel(UNSCORED)
        self.summary.setWordWrap(True)
        self.export_actions = [QAction(text, self, enabled=False, toolTip="Once the dataset is scored")
                               for text in ("Export &charts as PNG\u2026", "Export HTML &report\u2026")]
        self.export_actions[0].triggered.connect(self.choose_png_folder)
        self.export_actions[1].triggered.connect(self.choose_report_path)
        self.canvases: dict[str, QWidget] = {}  # ChartCanvas by chart name
        self.charts = QGridLayout()
        self.overlap = QTableWidget(0, 4)
        self.overlap.setHorizontalHeaderLabels(["Class A", "Class B", "Images", "Joint probability"])
        self.overlap.horizontalHeaderItem(2).setToolTip("Images given one class of the pair and predicted the "
                                                        "other: the grid shows exactly these")
        self.overlap.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.overlap.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.overlap.horizontalHeader().setStretchLastSection(True)  # the last header was cut short
        self.overlap.verticalHeader().hide()
        self.overlap.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # as tall as its rows
        self.overlap.itemSelectionChanged.connect(self._pair_chosen)
        self.pair_models = [SuspectsModel(thumbnails, self, limit=PAIR_TILES) for _ in range(2)]
        self.pair_titles = [QLabel(), QLabel()]
        pairs = QHBoxLayout()
        self.pair_views = [TileStrip(model) for model in self.pair_models]
        for model, title in zip(self.pair_models, self.pair_titles):
            model.queried.connect(lambda model=model, title=title: model.query.given is not None
                                  and self._title_pair(model, title))
        for view, title in zip(self.pair_views, self.pair_titles):
            column = QVBoxLayout()
            column.addWidget(title)
            column.addWidget(view)
            column.addStretch()  # a heading stays on its tiles when the other pane is taller
            pairs.addLayout(column)
        self.pair_to_grid = QPushButton("Show both directions in the suspects grid", visible=False)
        self.pair_to_grid.clicked.connect(lambda: self.filter_requested.emit(self.pair_query))
        self.pair_query: GridQuery | None = None
        content = QWidget()
        layout = QVBoxLayout(content)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, stretch=1)
        for action in self.export_actions:  # the File menu has the same actions: enabled together
            button = QToolButton()
            button.setDefaultAction(action)
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.issue_summary = IssueSummary(thumbnails)
        self.issue_summary.filter_requested.connect(self.filter_requested)
        layout.addWidget(self.issue_summary)
        layout.addLayout(self.charts)
        self.overlap_title = QLabel()
        self.overlap_title.setWordWrap(True)
        overlap = QVBoxLayout()  # in the charts' free fourth cell, beside the distribution chart
        overlap.addWidget(self.overlap_title)
        overlap.addWidget(self.overlap)
        overlap.addStretch()
        self.charts.addLayout(overlap, 1, 1)
        layout.addLayout(pairs)
        layout.addWidget(self.pair_to_grid, alignment=Qt.AlignmentFlag.AlignLeft)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.timer = QTimer(self, singleShot=True, interval=REFRESH_DELAY_MS, timeout=self.refresh)

    def set_session(self, session: ReviewSession) -> None:
        self.session, self.health = session, None  # the last dataset's numbers must not be exported with this one
        self._allow_exports(False)
        self.issue_summary.show_issues(session)
        for model, title in zip(self.pair_models, self.pair_titles):
            model.set_session(None)  # empty until a pair is chosen
            title.clear()
        self.pair_to_grid.hide()
        self.refresh()

    def schedule_refresh(self) -> None:
        """Labels or scores changed: recompute shortly (once for a burst of decisions)."""
        self.timer.start()

    def refresh(self) -> None:
        """Recompute the health numbers off the GUI thread from a snapshot of the current labels."""
        session = self.session
        if session is None or not session.scores.scored.any():
            self._clear()
            return
        if self.task is not None:
            self.stale = True
            return
        labels, scores = session.labels(), session.scores
        include = scores.scored & (session.statuses() != "removed")
        names = session.dataset.class_names
        self.task, self.thread = start_task(self, lambda *_: compute_health(labels, scores.pred_probs, names,
                                                                             include))
        self.task.finished.connect(self._show)
        self.task.failed.connect(self._failed)
        for signal in (self.task.finished, self.task.failed):
            signal.connect(self._task_done)
        self.thread.start()

    def shutdown(self) -> None:
        """Wait for a health computation still running (seconds at most), so no thread outlives the window."""
        self.timer.stop()
        self.stale = False
        for model in self.pair_models:
            model.shutdown()
        if self.thread is not None and isValid(self.thread):
            self.thread.quit()  # the loop exits after the running computation; the queued quit could not run
            self.thread.wait()

    def _failed(self, message: str) -> None:
        self.summary.setText(f"Health could not be computed: {message}")
        self.health = None
        self._allow_exports(False)

    def _task_done(self, *_) -> None:
        self.task = self.thread = None
        if self.stale:
            self.stale = False
            self.refresh()

    def _clear(self) -> None:
        """No scores (another dataset, a cancelled first run): no charts, nothing to export."""
        self.health, self.figures = None, {}
        self._drop_canvases()
        self.overlap.setRowCount(0)
        self.overlap_title.clear()
        self.summary.setText(UNSCORED)
        self._allow_exports(False)

    def _allow_exports(self, allowed: bool) -> None:
        for action in self.export_actions:
            action.setEnabled(allowed)

    def _drop_canvases(self) -> None:
        for canvas in self.canvases.values():
            canvas.hide()
            canvas.deleteLater()  # not setParent(None): see RoundsView.refresh
        self.canvases = {}

    def _show(self, health: Health) -> None:
        from labelreview.core.report.charts import Theme, class_quality_figure, confusion_figure, distribution_figure
        from labelreview.gui.widgets.chart_canvas import ChartCanvas

        self.health = health
        self.summary.setText(f"{health_line(self.session, health)}<br>"
                             f"{model_line(self.session.scores.health, health.agreement)}<br>{_weakest(health)}")
        theme = Theme.for_dark(self.palette().window().color().lightness() < 128)
        confusion, self.confusion_classes = confusion_figure(health, theme, clickable=True)
        self.figures = {"class_quality": class_quality_figure(health, theme), "confusion": confusion,
                        "distribution": distribution_figure(health, theme)}
        self._drop_canvases()
        for slot, (name, figure) in enumerate(self.figures.items()):
            canvas = ChartCanvas(figure)
            canvas.setMinimumSize(int(figure.get_figwidth() * 80), int(figure.get_figheight() * 80))
            if name == "confusion":
                canvas.mpl_connect("button_press_event", self._confusion_clicked)
            self.canvases[name] = canvas
            self.charts.addWidget(canvas, slot // 2, slot % 2)
        self._fill_overlap(health)
        self._allow_exports(True)
        self.updated.emit()

    def _fill_overlap(self, health: Health) -> None:
        table = health.analysis.overlapping.head(SHOWN_PAIRS)
        self.overlap_title.setText(
            f"<b>Overlapping classes</b>: the {len(table)} with the most images of "
            f"{len(health.analysis.overlapping):,} pairs. Choose one to see both directions below; the suspects grid "
            "shows the pair too.")
        self.overlap.blockSignals(True)
        self.overlap.setRowCount(len(table))
        for row, (a, b, images, joint) in enumerate(table[list(OVERLAP_COLUMNS)].itertuples(index=False)):
            for column, text in enumerate((a, b, f"{images:,}", f"{joint:.4f}")):
                self.overlap.setItem(row, column, QTableWidgetItem(str(text)))
        self.overlap.blockSignals(False)
        self.overlap.setFixedHeight(self.overlap.horizontalHeader().height() + 2 * self.overlap.frameWidth()
                                    + sum(self.overlap.rowHeight(row) for row in range(len(table))))

    def confusion_cell(self, row: int, column: int) -> None:
        """Show exactly the images with given class ``row`` and predicted class ``column`` (class indices)."""
        self.filter_requested.emit(GridQuery(issue="all", given=row, predicted=column))

    def _confusion_clicked(self, event) -> None:
        if event.xdata is None or event.ydata is None:
            return
        row, column = int(round(event.ydata)), int(round(event.xdata))
        if 0 <= row < len(self.confusion_classes) and 0 <= column < len(self.confusion_classes):
            self.confusion_cell(int(self.confusion_classes[row]), int(self.confusion_classes[column]))

    def _title_pair(self, model: SuspectsModel, title: QLabel) -> None:
        """The pair pane's title: its direction and how many images it has (more than it shows, in the grid)."""
        query, names, more = model.query, self.session.dataset.class_names, model.total - model.rowCount()
        title.setText(f"given {names[query.given]}, predicted {names[query.predicted]}: {model.total:,}"
                      + (f" (and {more:,} more in the Suspects grid)" if more else ""))

    def _pair_chosen(self) -> None:
        rows = self.overlap.selectionModel().selectedRows()
        if not rows or self.health is None:
            return
        pair = self.health.analysis.overlapping.iloc[rows[0].row()]
        a, b = int(pair["Class Index A"]), int(pair["Class Index B"])
        names = self.health.class_names
        for model, title, (given, predicted) in zip(self.pair_models, self.pair_titles, ((a, b), (b, a))):
            model.session = self.session
            model.set_query(GridQuery(issue="all", given=given, predicted=predicted))
            title.setText(f"given {names[given]}, predicted {names[predicted]}: \u2026")  # until the model answers
            if not model.answering:
                self._title_pair(model, title)
        self.pair_query = GridQuery(issue="all", pair=(a, b))
        self.pair_to_grid.show()
        self.pair_chosen.emit(self.pair_query)

    def export_pngs(self, folder: Path) -> list[Path]:
        """Save each chart as a PNG in ``folder``; returns the files written."""
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for name, figure in self.figures.items():
            path = folder / f"{name}.png"
            figure.savefig(path, dpi=150)
            written.append(path)
        return written

    def choose_png_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Save charts in")
        if folder:
            self._export(lambda: self.export_pngs(Path(folder)), f"Charts saved in {folder}")

    def choose_report_path(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save HTML report", "labelreview-report.html", "HTML (*.html)")
        if path:
            from labelreview.core.report.html_report import write_report

            self._export(lambda: write_report(self.session, self.health, Path(path)), f"Report saved to {path}")

    def _export(self, write, said: str) -> None:
        """Run ``write``; say ``said`` (status bar, log), or show why it could not write."""
        try:
            write()
        except OSError as error:
            log.warning("export failed: %s", error)
            QMessageBox.warning(self, "Could not export", str(error))
            return
        log.info("%s", said)
        self.said.emit(said)


def _weakest(health: Health, count: int = 3) -> str:
    """The classes whose images the model most often predicts as something else (the report lists them all)."""
    per_class = health.agreement.per_class
    order = [k for k in np.argsort(per_class) if not np.isnan(per_class[k])][:count]
    listed = ", ".join(f"{health.class_names[k]} {per_class[k]:.0%}" for k in order)
    return f"Agreement per class, weakest: {listed}"
