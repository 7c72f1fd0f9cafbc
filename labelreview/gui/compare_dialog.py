"""Retrain and compare: overall and per-class test accuracy before and after cleaning, both confusion matrices."""

import html

import numpy as np
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout

from labelreview.core.report.charts import Theme, heat_map_figure
from labelreview.core.review.compare import Comparison
from labelreview.reports import leak_text


class CompareDialog(QDialog):
    def __init__(self, result: Comparison, test_name: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Retrain and compare")
        self.resize(1100, 820)
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
        for row, (name, b, a) in enumerate(zip(result.class_names, before.per_class_accuracy,
                                               after.per_class_accuracy)):
            cells = [name, _rate(b), _rate(a), "" if np.isnan(a - b) else f"{a - b:+.2%}"]
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        theme = Theme.for_dark(self.palette().window().color().lightness() < 128)
        charts = QHBoxLayout()
        for title, evaluation in (("Original labels", before), ("Cleaned labels", after)):
            charts.addWidget(FigureCanvasQTAgg(heat_map_figure(
                evaluation.confusion, list(result.class_names), theme, f"{title}: test set", "true label")))
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.table)
        layout.addLayout(charts, stretch=1)


def _rate(value: float) -> str:
    return "-" if np.isnan(value) else f"{value:.2%}"
