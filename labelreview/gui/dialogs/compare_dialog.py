"""Retrain and compare: overall and per-class test accuracy before and after cleaning, both confusion matrices."""

import html

import numpy as np
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QTableWidget, QTableWidgetItem

from labelreview.core.report.charts import Theme, heat_map_figure
from labelreview.core.review.compare import Comparison
from labelreview.gui.dialogs.result_dialog import ResultDialog
from labelreview.reports import leak_text

CHART_MIN_SIDE = 240  # the heat maps shrink to this on a small screen; matplotlib redraws them to fit


class CompareDialog(ResultDialog):
    def __init__(self, result: Comparison, test_name: str, parent=None):
        super().__init__("Retrain and compare", (1300, 640), parent)
        before, after = result.before, result.after
        change = after.accuracy - before.accuracy
        verdict = "Cleaning helped." if change > 0.001 else "Cleaning made no clear difference." if abs(
            change) <= 0.001 else "Cleaning did not help on this test set."
        summary = QLabel(f"The same model, trained on the original labels ({before.train_examples:,} images) and on "
                         f"the cleaned labels ({after.train_examples:,} images), tested on {test_name}: accuracy "
                         f"<b>{before.accuracy:.2%}</b> \u2192 <b>{after.accuracy:.2%}</b> ({change:+.2%}). {verdict}"
                         f"<br>{html.escape(leak_text(result.leaks, shown=3)).replace(chr(10), '<br>')}")
        summary.setWordWrap(True)
        self.table = QTableWidget(len(result.class_names), 4)
        self.table.setHorizontalHeaderLabels(["Class", "Original", "Cleaned", "Change"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for row, (name, b, a) in enumerate(zip(result.class_names, before.per_class_accuracy,
                                               after.per_class_accuracy)):
            cells = [name, _rate(b), _rate(a), "" if np.isnan(a - b) else f"{a - b:+.2%}"]
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.setFixedWidth(self.table.horizontalHeader().length() + 2 * self.table.frameWidth()
                                 + self.table.verticalScrollBar().sizeHint().width())
        theme = Theme.for_dark(self.palette().window().color().lightness() < 128)
        row = QHBoxLayout()
        row.addWidget(self.table)  # per class beside the heat maps: the dialog stays as low as a laptop screen
        for title, evaluation in (("Original labels", before), ("Cleaned labels", after)):
            canvas = FigureCanvasQTAgg(heat_map_figure(
                evaluation.confusion, list(result.class_names), theme, f"{title}: test set", "true label"))
            canvas.setMinimumSize(CHART_MIN_SIDE, CHART_MIN_SIDE)
            row.addWidget(canvas, stretch=1)
        self.body.addWidget(summary)
        self.body.addLayout(row, stretch=1)


def _rate(value: float) -> str:
    return "-" if np.isnan(value) else f"{value:.2%}"
