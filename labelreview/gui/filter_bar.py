"""Sort, filter and search controls that describe a GridQuery."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from labelreview.core.grid_view import DECISIONS, SORT_KEYS, GridQuery


class FilterBar(QWidget):
    changed = Signal(object)  # GridQuery

    def __init__(self, parent=None):
        super().__init__(parent)
        self.flagged = QCheckBox("Suspects only", checked=True)
        self.sort = QComboBox()
        self.sort.addItems([f"Sort: {key}" for key in SORT_KEYS])
        self.given, self.predicted = QComboBox(), QComboBox()
        self.decision = QComboBox()
        self.decision.addItems([f"Decision: {d}" for d in DECISIONS])
        self.search = QLineEdit(placeholderText="Search file names", clearButtonEnabled=True)
        self.counts = QLabel()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.flagged, self.sort, self.given, self.predicted, self.decision, self.search):
            layout.addWidget(widget)
        layout.addStretch()
        layout.addWidget(self.counts)
        for combo in (self.sort, self.given, self.predicted, self.decision):
            combo.currentIndexChanged.connect(self._emit)
        self.flagged.toggled.connect(self._emit)
        self.search.textChanged.connect(self._emit)

    def set_classes(self, class_names) -> None:
        for combo, what in ((self.given, "Given"), (self.predicted, "Predicted")):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(f"{what}: any", None)
            for k, name in enumerate(class_names):
                combo.addItem(f"{what}: {name}", k)
            combo.blockSignals(False)

    def query(self) -> GridQuery:
        return GridQuery(flagged_only=self.flagged.isChecked(), given=self.given.currentData(),
                         predicted=self.predicted.currentData(), decision=DECISIONS[self.decision.currentIndex()],
                         search=self.search.text().strip(), sort=SORT_KEYS[self.sort.currentIndex()])

    def _emit(self) -> None:
        self.changed.emit(self.query())
