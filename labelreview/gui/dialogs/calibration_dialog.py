"""Shows a calibration: flagged-set precision and recall, the ranking's precision-recall curve, per class."""

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from PySide6.QtWidgets import QLabel, QTableWidget, QTableWidgetItem

from labelreview.core.report.charts import Theme, precision_recall_figure
from labelreview.core.review.calibration import Calibration
from labelreview.gui.dialogs.result_dialog import ResultDialog


class CalibrationDialog(ResultDialog):
    def __init__(self, result: Calibration, rate: float, kind: str, parent=None):
        super().__init__("Calibration with injected label errors", (720, 760), parent)
        self.summary = summary = QLabel(
            f"{rate:.0%} of a copy of your labels were flipped "
            f"({'within class pairs' if kind == 'pairs' else 'to any other class'}) and scored with your settings (your labels are "
            f"untouched). Of the flagged images <b>{result.precision:.0%}</b> were injected errors (precision); "
            f"<b>{result.recall:.0%}</b> of the injected errors were flagged (recall); F1 {result.f1:.3f}. Your own "
            "real errors count against precision here, so it is a lower bound.")
        summary.setWordWrap(True)
        theme = Theme.for_dark(self.palette().window().color().lightness() < 128)
        self.canvas = FigureCanvasQTAgg(precision_recall_figure(result.curve_precision, result.curve_recall, theme))
        table = result.per_class
        self.table = QTableWidget(len(table), len(table.columns))
        self.table.setHorizontalHeaderLabels([str(c) for c in table.columns])
        for row, values in enumerate(table.itertuples(index=False)):
            for column, value in enumerate(values):
                text = f"{value:.3f}" if isinstance(value, float) else str(value)
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.canvas.setMinimumHeight(200)
        self.body.addWidget(summary)
        self.body.addWidget(self.canvas, stretch=1)
        self.body.addWidget(QLabel("<b>Per class</b> (of the original label)"))
        self.body.addWidget(self.table, stretch=1)
