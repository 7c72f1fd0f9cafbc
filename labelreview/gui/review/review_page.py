"""The review page: filter bar, suspects grid, detail panel, run panel; decisions from the keyboard."""

import logging
from html import escape

import numpy as np
from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QListView, QMessageBox, QTabWidget, QVBoxLayout, QWidget

from labelreview.core.errors import DataError
from labelreview.core.findings.self_check import suspects_said
from labelreview.core.review.grid_view import SORT_KEYS, sort_key
from labelreview.core.review.session import ReviewSession
from labelreview.gui.dialogs.relabel_dialog import RelabelDialog
from labelreview.gui.health.health_view import HealthView
from labelreview.gui.map.map_view import MapView
from labelreview.gui.review.detail_panel import DetailPanel
from labelreview.gui.review.filter_bar import FilterBar
from labelreview.gui.review.issue_box import IssueBox
from labelreview.gui.review.run_panel import RunPanel
from labelreview.gui.review.similar_finder import Similar, SimilarFinder
from labelreview.gui.rounds.rounds_view import RoundsView
from labelreview.gui.widgets.side_column import with_side_column
from labelreview.gui.widgets.suspects_model import POSITION_ROLE, SuspectsModel
from labelreview.gui.widgets.thumbnails import ThumbnailLoader
from labelreview.gui.widgets.tile_delegate import TileGrid

log = logging.getLogger(__name__)
SHORTCUTS = [
    ("A", "Accept the suggested label"),
    ("K", "Keep: the given label is right"),
    ("X / Delete", "Remove the image from training"),
    ("0-9", "Relabel to class 0-9 (in class order: shown above the grid)"),
    ("L", "Relabel to any class (type to search)"),
    ("S", "More like this: the images that look most like this one"),
    ("Arrows", "Move between images; Shift/Ctrl select several"),
    ("Ctrl+Z / Ctrl+Shift+Z", "Undo / redo"),
]


def digit_keys(class_names) -> str:
    """Which class each digit key relabels to, in one line: "Keys: 0 animals · 1 buildings · ..."."""
    keys = " \u00b7 ".join(f"<b>{k}</b> {escape(name)}" for k, name in enumerate(class_names[:10]))
    rest = len(class_names) - 10
    return f"Keys: {keys}" + (f" \u00b7 <b>L</b> the {rest:,} other class{'es' * (rest != 1)}" if rest > 0 else "")


class ReviewPage(QWidget):
    save_failed = Signal(str)
    said = Signal(str)  # for the status bar
    embed_requested = Signal()  # the map asks for the images' embeddings

    def __init__(self, parent=None):
        super().__init__(parent)
        self.session: ReviewSession | None = None
        self.thumbnails = ThumbnailLoader(self)
        self.model = SuspectsModel(self.thumbnails, self)
        self.filters = FilterBar()
        self.grid = TileGrid(self.model)
        self.grid.setLayoutMode(QListView.LayoutMode.Batched)
        self.grid.setSelectionMode(QListView.SelectionMode.ExtendedSelection)
        self.detail = DetailPanel(self.thumbnails)
        self.health = HealthView(self.thumbnails)
        self.run_panel = RunPanel()
        self.issue_box = IssueBox(self.thumbnails)
        splitter = with_side_column(self.grid, self.detail, self.issue_box)
        self.warning = QLabel()  # the model cannot judge these labels well: said above the suspects
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("QLabel { background: #fff3cd; color: #5c4400; padding: 6px; border-radius: 3px; }")
        self.warning.hide()
        suspects = QWidget()
        column = QVBoxLayout(suspects)
        column.setContentsMargins(4, 4, 4, 0)  # narrow: the page, with its two-row filter bar, fits a laptop screen
        column.addWidget(self.warning)
        column.addWidget(self.filters)
        self.keys = QLabel()  # which class each digit key relabels to
        self.keys.setWordWrap(True)
        self.keys.setStyleSheet("QLabel { color: palette(placeholder-text); }")
        column.addWidget(self.keys)
        column.addWidget(splitter, stretch=1)
        self.tabs = QTabWidget()
        self.tabs.addTab(suspects, "Suspects")
        self.tabs.addTab(self.health, "Health")
        self.map = MapView(self.thumbnails)
        self.tabs.addTab(self.map, "Map")
        self.rounds = RoundsView()
        self.tabs.addTab(self.rounds, "Rounds")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, stretch=1)
        layout.addWidget(self.run_panel)
        self.health.filter_requested.connect(self.show_query)
        self.health.pair_chosen.connect(lambda query: self.filters.set_query(query, self.session.dataset.class_names))
        self.filters.changed.connect(self._query_changed)
        self.filters.unreadable.clicked.connect(self.show_unreadable)
        self.filters.unreadable_requested.connect(self.show_unreadable)
        self.issue_box.decide.connect(self.decide_on)
        self.map.clicked.connect(self._select_position)
        self.map.show_in_grid.connect(lambda position: self._show_chosen([position], "1 image from the map"))
        self.map.chosen.connect(self._show_map_selection)
        self.map.embed_requested.connect(self.embed_requested)
        for asker in (self.detail, self.map):
            asker.more_like_this.connect(self._more_like)
        self.similar: Similar | None = None
        self.similar_finder = SimilarFinder(self)
        self.similar_finder.found.connect(self._show_similar)
        self.similar_finder.failed.connect(lambda message: QMessageBox.information(self, "More like this", message))
        self.grid.selectionModel().currentChanged.connect(self._show_current)
        self.model.modelReset.connect(self._update_counts)
        self.when_shown = None  # what to do once the grid shows the rows of its last query (select, say)
        self.model.queried.connect(self._shown)
        self.current_before_reset: int | None = None  # the image current when the grid last changed its rows
        self.model.modelAboutToBeReset.connect(lambda: setattr(self, "current_before_reset", self.current_position()))
        self.actions = self._make_actions()

    def _make_actions(self) -> list[QAction]:
        actions = [
            self._action("Accept suggested label", "A", self.accept_suggested),
            self._action("Keep given label", "K", lambda: self._decide("keep")),
            self._action("Remove from training", ["X", "Delete"], lambda: self._decide("remove")),
            self._action("Relabel to\u2026", "L", self._relabel_to_any),
            self._action("More like this", "S", self.more_like_this),
        ]
        for digit in range(10):
            self._action(f"Relabel to class {digit}", str(digit), lambda _=False, d=digit: self._relabel_to(d))
        return actions

    def _action(self, text: str, keys, slot) -> QAction:
        action = QAction(text, self.grid)
        action.setShortcuts([QKeySequence(k) for k in ([keys] if isinstance(keys, str) else keys)])
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # never while a text field has focus
        action.triggered.connect(slot)
        self.grid.addAction(action)
        return action

    def set_session(self, session: ReviewSession) -> bool:
        """Show ``session``; True when filters set for the previous dataset were cleared."""
        self.session = session
        self.thumbnails.set_dataset(session.dataset)
        self.model.set_session(None)  # nothing shown while the filters take the new classes
        cleared = self.filters.reset(session.dataset.class_names, arrays=session.dataset.paths is None)
        self.model.set_session(session)
        self._count_unreadable()
        self.keys.setText(digit_keys(session.dataset.class_names))
        self.health.set_session(session)
        self.rounds.set_session(session)
        self.map.set_session(session)
        self.run_panel.set_dataset(session.dataset)
        self._show_run()
        self._once_shown(lambda: self._select_row(0))
        self.grid.setFocus()
        return cleared

    def _count_unreadable(self) -> None:
        """The button above the grid counts the files found unreadable (opening decodes none: a search or a run
        finds them)."""
        skipped = len(self.session.dataset.skipped)
        self.filters.unreadable.setText(f"\u26a0 {skipped:,} unreadable file{'s' * (skipped != 1)}")
        self.filters.unreadable.setVisible(bool(skipped))

    def show_unreadable(self) -> None:
        """The files of this dataset that could not be read, and why."""
        skipped = self.session.dataset.skipped
        box = QMessageBox(QMessageBox.Icon.Information, "Unreadable files",
                          f"{len(skipped):,} files of {self.session.dataset.name} could not be read and are not "
                          "scored (fix or remove them, then open the dataset again).", parent=self)
        box.setDetailedText("\n".join(f"{s.path}: {s.reason}" for s in skipped))
        box.exec()

    def issues_changed(self) -> None:
        """New model-free findings: refresh the grid and the counts, keep the current image when possible."""
        self.model.refresh()
        self.health.issue_summary.show_issues(self.session)
        self.map.refresh()
        self._update_counts()
        self._count_unreadable()
        self._once_shown(lambda: self._reselect(self.current_before_reset))

    def scores_changed(self) -> None:
        """New scores (a fold finished, or a run): refresh the grid, keep the current image when possible."""
        self.model.refresh()
        self.health.schedule_refresh()
        self.rounds.refresh()
        self.map.refresh()
        self._show_run()
        self._count_unreadable()
        self._once_shown(lambda: self._reselect(self.current_before_reset))

    def _once_shown(self, action) -> None:
        """Do ``action`` now, or, while the grid's rows are being found on a worker, once they are shown."""
        if self.model.answering:
            self.when_shown = action
        else:
            action()

    def _shown(self) -> None:
        action, self.when_shown = self.when_shown, None
        if action is not None:
            action()

    def _reselect(self, position: int | None) -> None:
        """Select ``position`` again after the grid changed (the curator stays where they were), else the first."""
        row = self.model.row_of(position) if position is not None else None
        self._select_row(row if row is not None else 0)

    def _show_run(self) -> None:
        """Score button and weak-model warning for the scores now shown."""
        warning = self.session.scores.health.get("agreement_warning", "")
        self.warning.setText(f"<b>Weak model.</b> {warning}")
        self.warning.setVisible(bool(warning))

    def current_position(self) -> int | None:
        index = self.grid.currentIndex()
        return index.data(POSITION_ROLE) if index.isValid() else None

    def selected_positions(self) -> list[int]:
        rows = sorted(index.row() for index in self.grid.selectionModel().selectedIndexes())
        if not rows and self.grid.currentIndex().isValid():
            rows = [self.grid.currentIndex().row()]
        return [int(self.model.positions[row]) for row in rows]

    def _decide(self, action: str, label: int | None = None) -> None:
        self.decide_on(self.selected_positions(), action, label)

    def accept_suggested(self) -> None:
        """A: relabel the chosen images that have a suggestion (the model prefers another class) to it; the others
        stay as they are, and the status bar says so."""
        positions = self.selected_positions()
        if self.session is None or not positions:
            return
        suggested = self.session.suggestions(positions)
        offered = [p for p, k in zip(positions, suggested) if k >= 0]
        without = len(positions) - len(offered)
        if offered:
            self.decide_on(offered, "relabel", suggested[suggested >= 0])
        if without:
            self.said.emit(f"No suggestion for {_images(without)}: the model agrees with "
                           f"{'its label' if without == 1 else 'their labels'}"
                           + (f"; {_images(len(offered))} relabeled to theirs" if offered else "; nothing changed"))

    def decide_on(self, positions: list[int], action: str, label=None) -> None:
        """Carry out one decision (one undo step) on ``positions`` (``label``: one class, or one per position),
        then move on to the next unreviewed image."""
        if self.session is None or not positions:
            return
        try:
            self.session.decide(positions, action, label)
        except (DataError, OSError) as error:
            log.warning("%s of %d images not saved: %s", action, len(positions), error)
            self.save_failed.emit(str(error))  # the decision stays in memory and on the undo stack
        else:
            log.info("%s %d image(s), saved to %s", action, len(positions), self.session.store.path)
        self.decisions_changed(positions)
        self._advance(positions)

    def undone(self, positions) -> None:
        """Undo or redo touched ``positions``: show them, the first one current."""
        self.decisions_changed(positions)
        row = self.model.row_of(positions[0]) if positions else None
        if row is not None:
            self._select_row(row)

    def decisions_changed(self, positions) -> None:
        self.model.decisions_changed(positions)
        self.health.schedule_refresh()
        self.health.issue_summary.show_issues(self.session)  # a new label may end (or start) a conflict
        self.rounds.show_estimate()
        self.map.refresh()
        self._update_counts()
        self._show_current(self.grid.currentIndex())

    def _relabel_to(self, k: int) -> None:
        if self.session is None:
            return
        classes = len(self.session.dataset.class_names)
        if k < classes:
            self._decide("relabel", label=k)
        else:
            self.said.emit(f"There is no class {k}: the classes are 0\u2013{classes - 1} (L relabels to any class)")

    def _relabel_to_any(self) -> None:
        """L: the dialog offers the current image's suggested class, else its label."""
        position = self.current_position()
        if self.session is None or position is None:
            return
        names = list(self.session.dataset.class_names)
        suggested = self.session.suggestions([position])[0]  # -1: none (agrees, or not scored)
        dialog = RelabelDialog(names, names[suggested if suggested >= 0 else self.session.labels([position])[0]], self)
        if dialog.exec() == RelabelDialog.DialogCode.Accepted:
            self._decide("relabel", label=dialog.label)

    def _advance(self, decided: list[int]) -> None:
        """Move to the next unreviewed image after the last one decided."""
        start = max((self.model.row_of(p) or 0) for p in decided) + 1
        unreviewed = np.flatnonzero(self.session.statuses()[self.model.positions] == "")
        if len(unreviewed):  # the first after ``start``, else the first from the top
            self._select_row(int(unreviewed[np.searchsorted(unreviewed, start) % len(unreviewed)]))

    def _select_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            index = self.model.index(row)
            self.grid.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            self.grid.scrollTo(index)
        else:
            self.detail.show_example(self.session, None)
            self.issue_box.show_example(self.session, None)

    def show_query(self, query) -> None:
        """Filter the grid to ``query`` (from the Health view) and show it."""
        self.filters.set_query(query, self.session.dataset.class_names)
        self.tabs.setCurrentIndex(0)

    def _query_changed(self, query) -> None:
        self.model.set_query(query)
        self._once_shown(lambda: self._select_row(0))

    def _show_current(self, index) -> None:
        position = index.data(POSITION_ROLE) if index.isValid() else None
        self.detail.show_example(self.session, position)
        distance = self.similar.distance_of(position) if self.similar and self.filters.chosen else None
        self.issue_box.show_example(self.session, position, [] if distance is None else [
            f"more like this: cosine distance {distance:.3f} from "
            f"{self.session.dataset.path_or_row(self.similar.position)}"])

    def more_like_this(self) -> None:
        """Show the images that look most like the current one (S), nearest first, on a worker thread."""
        self._more_like(self.current_position())

    def _more_like(self, position: int | None) -> None:
        if self.session is not None and position is not None:
            self.similar_finder.start(self.session, position)

    def _show_similar(self, similar: Similar) -> None:
        if similar.session is not self.session:
            return
        count, path = len(similar.positions), self.session.dataset.path_or_row(similar.position)
        self._show_chosen(similar.positions, f"{count} images: {path} and the {count - 1} most like it")
        self.similar = similar

    def _show_map_selection(self, positions: np.ndarray) -> None:
        """The images drawn around on the map, in the grid, most suspicious first and all selected: the usual
        keys decide for all of them at once (one undo)."""
        rank = sort_key(self.session, SORT_KEYS[0], self.session.labels())
        ranked = positions[np.argsort(rank[positions], kind="stable")]
        self._show_chosen(ranked, f"{len(ranked):,} images chosen on the map")
        self._once_shown(lambda: (self._select_row(0), self.grid.selectAll()))

    def _show_chosen(self, positions, said: str) -> None:
        """Exactly ``positions``, in this order, in the grid (with a Show all chip), the first one current; the
        status bar says which filters were cleared to show them all."""
        self.similar = None
        self.tabs.setCurrentIndex(0)
        cleared = self.filters.set_chosen(tuple(int(i) for i in positions), said)
        if cleared:
            self.said.emit(f"{said}: {', '.join(cleared)} cleared, so that all of them are shown")
        self.grid.setFocus()

    def _select_position(self, position: int) -> None:
        """Make image ``position`` the grid's current one, if the grid shows it."""
        row = self.model.row_of(position)
        if row is not None:
            self._select_row(row)

    def _update_counts(self) -> None:
        if self.session is None or self.model.session is not self.session:  # the grid is between two datasets
            return
        scores, k = self.session.scores, len(self.session.dataset.class_names)
        self.filters.set_counts(np.bincount(self.model.labels, minlength=k), np.bincount(
            scores.predicted[scores.scored], minlength=k) if scores.scored.any() else None)
        issues = self.session.issues
        labels = self.model.labels
        self.filters.set_issue_counts({"label": scores.suspects if scores.scored.any() else None,
                                       **(issues.counts(labels) if issues else {}),
                                       "all": len(self.session.dataset),
                                       "unreadable": len(self.session.dataset.skipped)})
        counts, chosen, shown = self.session.review_counts(), self.filters.chosen, self.model.rowCount()
        narrowing = self.filters.narrowing() if chosen is not None and shown < len(chosen) else []
        hidden = f" ({len(chosen) - shown:,} of the {len(chosen):,} chosen hidden by {', '.join(narrowing)})" \
            if narrowing else ""
        self.filters.counts.setText(f"{suspects_said(counts.suspects, scores.expected_precision)} \u00b7 "
                                    f"{counts.reviewed:,} reviewed \u00b7 "
                                    f"{shown:,} shown of {len(self.session.dataset):,} images{hidden}")


def _images(count: int) -> str:
    return f"{count:,} image{'s' * (count != 1)}"
