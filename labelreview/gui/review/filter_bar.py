"""Issue selector, sort, filter and search controls that describe a GridQuery."""

from dataclasses import replace

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from labelreview.core.review.grid_view import DECISIONS, ISSUE_FILTERS, SORT_KEYS, GridQuery
from labelreview.gui.widgets.issue_names import issue_name

UNREADABLE = "unreadable"  # not a filter: choosing it lists the files
CHIP_WIDTH = 200  # pixels, at most, for the chosen pair or images (more like this, the map); whole in the tooltip
CLASS_CHARS = 18  # characters of a class filter shown in its closed combo box


class FilterBar(QWidget):
    changed = Signal(object)  # GridQuery
    unreadable_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.issue = QComboBox(toolTip="Which images to show: suspected label errors, another kind of issue, or all")
        for issue in (*ISSUE_FILTERS, UNREADABLE):
            self.issue.addItem(issue_name(issue), issue)
        self.issue.setMaxVisibleItems(len(ISSUE_FILTERS) + 1)
        self.shown_issue = "label"
        self.sort = QComboBox()
        self.sort.addItems([f"Sort: {key}" for key in SORT_KEYS])
        self.given, self.predicted = QComboBox(), QComboBox()
        self.decision = QComboBox()
        self.decision.addItems([f"Decision: {d}" for d in DECISIONS])
        self.search = QLineEdit(placeholderText="Search file names", clearButtonEnabled=True)
        self.pair: tuple[int, int] | None = None
        self.class_names: tuple[str, ...] = ()
        self.pair_label = QLabel()
        self.pair_clear = QPushButton("Show all pairs", visible=False)
        self.pair_clear.clicked.connect(lambda: self._set_pair(None, ()))
        self.chosen: tuple[int, ...] | None = None
        self.chosen_label = QLabel()
        self.chosen_clear = QPushButton("Show all", visible=False, toolTip="Leave these chosen images")
        self.chosen_clear.clicked.connect(lambda: self.set_chosen(None))
        self.counts = QLabel()
        self.unreadable = QPushButton(visible=False)  # files that could not be read: opens their list
        for combo in (self.given, self.predicted):  # long class names and counts are cut short, whole in the popup
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(CLASS_CHARS)
        controls, chips = QHBoxLayout(), QHBoxLayout()  # two rows: the bar fits a 1366 px laptop screen
        for widget in (self.issue, self.sort, self.given, self.predicted, self.decision, self.search, self.unreadable):
            controls.addWidget(widget)
        for widget in (self.pair_label, self.pair_clear, self.chosen_label, self.chosen_clear):
            chips.addWidget(widget)
        chips.addStretch()
        chips.addWidget(self.counts)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(controls)
        layout.addLayout(chips)
        for combo in (self.sort, self.given, self.predicted, self.decision):
            combo.currentIndexChanged.connect(self._emit)
        self.issue.currentIndexChanged.connect(self._issue_chosen)
        self.search.textChanged.connect(self._emit)

    def reset(self, class_names, *, arrays: bool) -> bool:
        """A new dataset: label errors shown; class, pair, decision and search filters back to any (the sort
        stays); True when one of them was narrowing the grid."""
        before = self.query()
        kept = GridQuery(issue="label" if before.issue != "all" else "all", sort=before.sort)
        self.search.setPlaceholderText("Search row number or label" if arrays else "Search file names or labels")
        self.set_classes(class_names)
        self.set_query(kept, class_names)
        return before != kept

    def set_counts(self, given: np.ndarray, predicted: np.ndarray | None) -> None:
        """Show how many images each class filter would show: given (K,) and predicted (K,) counts, or None."""
        for combo, what, counts in ((self.given, "Given", given), (self.predicted, "Predicted", predicted)):
            for k, name in enumerate(self.class_names):
                combo.setItemText(k + 1, f"{what}: {name}" + ("" if counts is None else f" ({counts[k]:,})"))

    def set_issue_counts(self, counts: dict[str, int | None]) -> None:
        """Show how many images each issue entry would show (None: not searched yet)."""
        for row in range(self.issue.count()):
            issue = self.issue.itemData(row)
            count = counts.get(issue)
            self.issue.setItemText(row, issue_name(issue) + ("" if count is None else f" ({count:,})"))

    def show_issue(self, issue: str) -> None:
        """Choose ``issue`` (an entry of ISSUE_FILTERS) in the selector; the grid follows."""
        self.issue.setCurrentIndex(self.issue.findData(issue))

    def _issue_chosen(self) -> None:
        if self.issue.currentData() == UNREADABLE:
            self.issue.blockSignals(True)
            self.issue.setCurrentIndex(self.issue.findData(self.shown_issue))
            self.issue.blockSignals(False)
            self.unreadable_requested.emit()
            return
        self.shown_issue = self.issue.currentData()
        self.chosen = None  # another issue leaves the chosen images (more like this, the map)
        self.chosen_label.clear()
        self.chosen_clear.hide()
        self._emit()

    def set_classes(self, class_names) -> None:
        self.class_names = tuple(class_names)
        for combo, what in ((self.given, "Given"), (self.predicted, "Predicted")):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(f"{what}: any", None)
            for k, name in enumerate(class_names):
                combo.addItem(f"{what}: {name}", k)
            combo.blockSignals(False)

    def query(self) -> GridQuery:
        return GridQuery(issue=self.shown_issue, given=self.given.currentData(),
                         predicted=self.predicted.currentData(), pair=self.pair,
                         decision=DECISIONS[self.decision.currentIndex()],
                         search=self.search.text().strip(), sort=SORT_KEYS[self.sort.currentIndex()],
                         chosen=self.chosen)

    def set_query(self, query: GridQuery, class_names) -> None:
        """Show ``query`` in the controls (e.g. from a click in the Health view) and announce it once."""
        widgets = (self.issue, self.given, self.predicted, self.decision, self.search, self.sort)
        for widget in widgets:
            widget.blockSignals(True)
        self.issue.setCurrentIndex(self.issue.findData(query.issue))
        self.shown_issue = query.issue
        self.given.setCurrentIndex(self.given.findData(query.given) if query.given is not None else 0)
        self.predicted.setCurrentIndex(self.predicted.findData(query.predicted) if query.predicted is not None else 0)
        self.decision.setCurrentIndex(DECISIONS.index(query.decision))
        self.search.setText(query.search)
        self.sort.setCurrentIndex(SORT_KEYS.index(query.sort))
        for widget in widgets:
            widget.blockSignals(False)
        self.chosen = query.chosen
        self.chosen_clear.setVisible(query.chosen is not None)
        if query.chosen is None:
            self.chosen_label.clear()
        self._set_pair(query.pair, class_names)

    def set_chosen(self, positions: tuple[int, ...] | None, said: str = "") -> list[str]:
        """Show exactly ``positions`` (in this order), saying ``said`` (shortened in the middle to fit a laptop
        screen, whole in the tooltip): the class, pair, decision and search filters are cleared, so that none
        hides any of them. None shows all again. Returns the filters cleared, in words."""
        cleared = self.narrowing() if positions is not None else []
        query = self.query()
        if cleared:
            query = GridQuery(issue=query.issue, sort=query.sort)
        _set_chip(self.chosen_label, said)
        self.set_query(replace(query, chosen=positions), self.class_names)
        return cleared

    def narrowing(self) -> list[str]:
        """The class, pair, decision and search filters that are set, in words ("Given: cats", ...)."""
        query, names, said = self.query(), self.class_names, []
        if query.given is not None:
            said.append(f"Given: {names[query.given]}")
        if query.predicted is not None:
            said.append(f"Predicted: {names[query.predicted]}")
        if query.pair is not None:
            said.append(self.pair_label.toolTip())
        if query.decision != DECISIONS[0]:
            said.append(f"Decision: {query.decision}")
        if query.search:
            said.append(f"Search \u201c{query.search}\u201d")
        return said

    def _set_pair(self, pair: tuple[int, int] | None, class_names) -> None:
        self.pair = pair
        _set_chip(self.pair_label, f"Pair: {class_names[pair[0]]} \u2194 {class_names[pair[1]]}" if pair else "")
        self.pair_clear.setVisible(pair is not None)
        self._emit()

    def _emit(self) -> None:
        self.changed.emit(self.query())


def _set_chip(label: QLabel, text: str) -> None:
    """Say ``text`` in at most CHIP_WIDTH pixels (shortened in the middle), whole in the tooltip."""
    label.setText(label.fontMetrics().elidedText(text, Qt.TextElideMode.ElideMiddle, CHIP_WIDTH))
    label.setToolTip(text)
