"""What a new user hit in the window: stale filters, unnamed unreadable files, search on arrays, stale progress
after cancel, undo that lost the selection, no-op relabels recorded as relabels."""

import json
import shutil

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from labelreview.core.engine.pipeline import score_dataset
from labelreview.core.review.grid_view import GridQuery
from labelreview.gui.rounds.rounds_view import COLUMNS
from labelreview.gui.dialogs.relabel_dialog import RelabelDialog
from labelreview.gui.review.review_page import digit_keys
from tests.test_gui_window import RUN_TIMEOUT, current, open_in, score


def test_opening_another_dataset_clears_the_filters_and_says_so(qtbot, window, digit_folder, tmp_path):
    open_in(qtbot, window, str(digit_folder))
    window.review.show_query(GridQuery(issue="all", pair=(3, 7), search="1"))
    assert window.review.model.rowCount() < 300
    other = digit_folder.rename(tmp_path / "other digits")
    open_in(qtbot, window, str(other))
    filters = window.review.filters
    assert filters.pair is None and filters.search.text() == "" and filters.query().given is None
    assert window.review.model.rowCount() == 300
    assert "Filters of the previous dataset cleared" in window.statusBar().currentMessage()


def test_unreadable_files_are_counted_and_listed(qtbot, window, digit_folder, monkeypatch):
    (digit_folder / "3" / "broken.png").write_bytes(b"not a png")
    open_in(qtbot, window, str(digit_folder))
    button = window.review.filters.unreadable
    assert not button.isVisible()  # opening decodes nothing; the search for issues that starts then finds it
    qtbot.waitUntil(button.isVisible, timeout=RUN_TIMEOUT)
    assert button.text() == "\u26a0 1 unreadable file"
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.detailedText()))
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert shown == ["3/broken.png: not an image or corrupt"]


@pytest.mark.parametrize("text, rows", [("row 7", [7]), ("#12", [12]), ("7", None)])
def test_search_finds_array_rows_and_labels(qtbot, window, text, rows):
    session = open_in(qtbot, window, "mnist:test")
    window.review.filters.search.setText(text)
    shown = list(window.review.model.positions)
    if rows is None:  # "7" is row 7 and every image labelled 7
        assert set(shown) == {7} | set(np.flatnonzero(session.labels() == 7).tolist())
    else:
        assert shown == rows
    assert window.review.filters.search.placeholderText() == "Search row number or label"


def test_cancel_clears_progress_and_status(qtbot, window, digit_folder):
    open_in(qtbot, window, str(digit_folder))
    QTimer.singleShot(1500, window.cancel_task)
    assert score(qtbot, window, model="cnn", folds=3, epochs=20) == "cancelled"
    panel = window.review.run_panel
    assert panel.progress.value() == 0 and panel.status.text() == "Scoring cancelled; the dataset is not scored yet"
    assert window.statusBar().currentMessage() == "Scoring cancelled; the dataset is not scored yet"


def test_a_failed_run_shows_the_last_scores_again_and_says_so(qtbot, window, digit_folder, monkeypatch):
    session = open_in(qtbot, window, str(digit_folder))
    score(qtbot, window)
    saved = session.scores.pred_probs.copy()

    def fails_after_a_fold(training, spec, folds, callback, on_partial):
        def shown_then_fail(partial):
            on_partial(partial)  # the grid shows the new run's first fold
            raise OSError("disk full")
        return score_dataset(training, spec, folds=folds, callback=callback, on_partial=shown_then_fail)

    monkeypatch.setattr("labelreview.gui.main_window.score_dataset", fails_after_a_fold)
    boxes = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: boxes.append((title, text)))
    assert score(qtbot, window, folds=4) == "failed"
    assert np.array_equal(session.scores.pred_probs, saved)  # not the failed run's fold
    panel = window.review.run_panel
    assert panel.progress.value() == 0 and panel.score.isEnabled() and not panel.cancel.isEnabled()
    assert panel.status.text() == "Scoring failed; the scores of the last finished run are shown"
    assert window.statusBar().currentMessage() == ("Scoring failed: OSError: disk full; the scores of the last "
                                                   "finished run are shown")
    assert boxes == [("Scoring failed", "OSError: disk full")]


def test_cancelling_the_search_for_issues_says_what_was_cancelled(qtbot, window, digit_folder):
    open_in(qtbot, window, str(digit_folder))
    with qtbot.waitSignal(window.run_finished, timeout=60_000) as ended:
        window.find_all_issues()
        window.cancel_task()  # before its first step
    assert ended.args == ["cancelled"]
    assert window.statusBar().currentMessage() == ("Finding duplicates, outliers and image issues cancelled; "
                                                   "the dataset is not scored yet")


def test_switching_datasets_during_and_after_a_run(qtbot, window, digit_folder, tmp_path, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *args: QMessageBox.StandardButton.No)
    session = open_in(qtbot, window, str(digit_folder))
    other = tmp_path / "other digits"
    shutil.copytree(digit_folder, other)
    panel = window.review.run_panel
    panel.model.setCurrentIndex(panel.model.findData("cnn"))
    panel.epochs.setValue(30)
    with qtbot.waitSignal(window.run_finished, timeout=RUN_TIMEOUT):
        panel.score.click()
        qtbot.waitUntil(lambda: panel.progress.value() > 0, timeout=RUN_TIMEOUT)
        window.open_source(str(other))  # the curator does not want to cancel the run: nothing changes
        assert window.session is session and window.task is not None
        panel.cancel.click()
    open_in(qtbot, window, str(other))
    assert window.session.source == str(other)
    assert panel.progress.value() == 0 and panel.status.text() == "Press Score to find label errors"
    assert window.statusBar().currentMessage().startswith("300 images, not scored yet.")


def test_undo_returns_to_the_image_and_a_relabel_to_its_own_label_is_a_keep(qtbot, window, digit_folder):
    session = open_in(qtbot, window, str(digit_folder))
    score(qtbot, window)
    grid = window.review.grid
    first = current(window)
    qtbot.keyClick(grid, Qt.Key.Key_X)
    assert current(window) != first
    qtbot.keyClick(grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert current(window) == first and session.statuses()[first] == ""
    own = int(session.labels()[first])
    qtbot.keyClick(grid, Qt.Key.Key_0 + own)
    assert session.statuses()[first] == "kept"
    last = json.loads(session.store.audit_path.read_text().splitlines()[-2])  # before the saved marker
    assert last["action"] == "keep" and last["old"] == last["new"] == str(own)


def answer_relabel(qtbot, text: str, then=None) -> None:
    """Once L's dialog is open, type ``text`` into it and press Enter once; ``then(dialog)`` runs after."""
    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, RelabelDialog)
        dialog.line.clear()
        qtbot.keyClicks(dialog.line, text)
        qtbot.keyClick(dialog.line, Qt.Key.Key_Return)
        if then is not None:
            then(dialog)

    QTimer.singleShot(0, answer)


def test_relabel_to_a_class_that_does_not_exist_says_so(qtbot, window, digit_folder):
    session = open_in(qtbot, window, str(digit_folder))
    hints = []

    def still_open(dialog):
        hints.append((dialog.isVisible(), dialog.hint.text()))
        dialog.reject()

    answer_relabel(qtbot, "cat", then=still_open)
    qtbot.keyClick(window.review.grid, Qt.Key.Key_L)
    assert hints == [(True, "No one class is called or begins with \u201ccat\u201d")]
    assert (session.statuses() == "").all()
    QApplication.processEvents()


def test_relabel_offers_the_suggested_class_and_one_enter_takes_a_unique_beginning(qtbot, window, shapes_folder):
    """Issue 23, item 11: L's dialog starts at the suggestion, not the first class; "  TRI" is triangle; one Enter."""
    shutil.move(shapes_folder / "circle" / "0.jpg", shapes_folder / "square" / "moved.jpg")  # a circle as a square
    session = open_in(qtbot, window, str(shapes_folder))
    score(qtbot, window)
    names, position = session.dataset.class_names, session.dataset.paths.index("square/moved.jpg")
    window.review.show_query(GridQuery())
    window.review._select_position(position)
    assert current(window) == position and names[session.suggestions([position])[0]] == "circle"
    seen = []
    QTimer.singleShot(0, lambda: seen.append(QApplication.activeModalWidget().line.text()))
    answer_relabel(qtbot, "  TRI", then=lambda dialog: seen.append(dialog.isVisible()))
    qtbot.keyClick(window.review.grid, Qt.Key.Key_L)
    assert seen == ["circle", False]  # the suggestion offered; closed by the one Enter
    assert names[session.labels()[position]] == "triangle"


def test_the_digit_keys_are_shown_with_their_classes(qtbot, window, shapes_folder):
    """Issue 23, item 13: which class each digit relabels to is on screen, and in the shortcuts (F1)."""
    session = open_in(qtbot, window, str(shapes_folder))
    assert window.review.keys.isVisible()
    assert window.review.keys.text() == "Keys: <b>0</b> circle \u00b7 <b>1</b> square \u00b7 <b>2</b> triangle"
    twelve = digit_keys([f"class {k}" for k in range(12)])
    assert twelve.endswith("<b>9</b> class 9 \u00b7 <b>L</b> the 2 other classes")
    shown = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(QMessageBox, "information", lambda parent, title, text: shown.append(text))
        window.show_shortcuts()
    assert "<b>2</b> triangle" in shown[0] and len(session.dataset.class_names) == 3


def test_tooltips_name_both_labels_whole_and_relabel_matches_names_loosely(qtbot, window, digit_folder,
                                                                          monkeypatch):
    for folder in sorted(digit_folder.iterdir()):
        folder.rename(folder.with_name(f"a rather long class name for digit {folder.name}"))
    session = open_in(qtbot, window, str(digit_folder))
    score(qtbot, window)
    index, names = window.review.grid.currentIndex(), session.dataset.class_names
    position = current(window)
    given, predicted = names[session.labels()[position]], names[session.scores.predicted[position]]
    assert index.data(Qt.ItemDataRole.ToolTipRole) == (f"{session.dataset.path(position)}\n"
                                                       f"given {given}, predicted {predicted}")
    target = (int(session.labels()[position]) + 1) % 10
    answer_relabel(qtbot, f"  {names[target].upper()} ")
    qtbot.keyClick(window.review.grid, Qt.Key.Key_L)
    assert session.labels()[position] == target


def test_a_digit_beyond_the_classes_says_so(qtbot, window, shapes_folder):
    session = open_in(qtbot, window, str(shapes_folder))
    qtbot.keyClick(window.review.grid, Qt.Key.Key_5)
    assert (session.statuses() == "").all()
    assert window.statusBar().currentMessage() == ("There is no class 5: the classes are 0\u20132 (L relabels to "
                                                   "any class)")


def test_the_log_tells_what_happened(qtbot, window, digit_folder, caplog):
    caplog.set_level("INFO", logger="labelreview")
    open_in(qtbot, window, str(digit_folder))
    score(qtbot, window)
    qtbot.keyClick(window.review.grid, Qt.Key.Key_K)
    window.undo_action.trigger()
    window.redo_action.trigger()
    said = "\n".join(record.getMessage() for record in caplog.records)
    assert f"opened {digit_folder}: 300 images, 0 unreadable, not scored" in said
    assert "with logreg (chosen by the curator)" in said and "suspects, agreement" in said
    assert "keep 1 image(s), saved to" in said and "undo 1 image(s), saved to" in said
    assert "redo 1 image(s), saved to" in said


def test_a_task_may_start_the_next_one_when_it_finishes(qtbot, window, digit_folder):
    """As ``labelreview gui SOURCE --score`` does: score as soon as the dataset is open."""
    window.review.run_panel.model.setCurrentIndex(window.review.run_panel.model.findData("logreg"))
    window.session_opened.connect(lambda: window.start_scoring(window.review.run_panel.spec(), 3))
    with qtbot.waitSignal(window.session_opened, timeout=60_000):
        window.open_source(str(digit_folder))
    assert window.task is not None  # scoring started
    qtbot.waitUntil(lambda: window.task is None and bool(window.session.scores.scored.all()), timeout=60_000)


def test_class_filters_show_their_counts_and_follow_relabels(qtbot, window, digit_folder):
    session = open_in(qtbot, window, str(digit_folder))
    given = window.review.filters.given
    assert given.itemText(given.findData(3)) == "Given: 3 (30)"
    score(qtbot, window)
    first = current(window)
    old = int(session.labels()[first])
    new = (old + 1) % 10
    qtbot.keyClick(window.review.grid, Qt.Key.Key_0 + new)
    assert given.itemText(given.findData(old)) == f"Given: {old} (29)"
    assert given.itemText(given.findData(new)) == f"Given: {new} (31)"
    predicted = window.review.filters.predicted
    assert predicted.itemText(predicted.findData(new)).endswith(
        f"({int((session.scores.predicted == new).sum()):,})")


def test_every_count_of_suspects_and_reviews_agrees(qtbot, window, digit_folder):
    """Status bar, filter bar, Rounds table, "When to stop" and the Health summary say the same numbers."""
    session = open_in(qtbot, window, str(digit_folder))
    score(qtbot, window)
    for _ in range(4):
        qtbot.keyClick(window.review.grid, Qt.Key.Key_K)
    rounds = window.review.rounds
    reviewed = rounds.table.item(0, COLUMNS.index("Reviewed")).text()
    assert reviewed == "4" and "of the 4 suspects you reviewed" in rounds.estimate.text()
    assert window.review.filters.counts.text().startswith(f"{session.scores.suspects:,} suspects")
    assert "\u00b7 4 reviewed \u00b7" in window.review.filters.counts.text()

    score(qtbot, window)  # round 2: the kept images stay quiet
    suspects = session.review_counts().suspects
    assert f": {suspects:,} suspects," in window.statusBar().currentMessage()
    assert rounds.table.item(1, COLUMNS.index("Suspects")).text() == f"{suspects:,}"
    assert window.review.filters.counts.text().startswith(f"{suspects:,} suspects")
    assert f"\u00b7 {session.review_counts().reviewed:,} reviewed \u00b7" in window.review.filters.counts.text()
    summary = window.review.health.summary  # recomputed on a worker after the run
    qtbot.waitUntil(lambda: f"\u00b7 {suspects:,} suspects" in summary.text(), timeout=60_000)
    assert rounds.table.item(0, COLUMNS.index("Reviewed")).text() == "4"


def test_relabel_keeps_classes_apart_that_differ_only_in_case():
    from labelreview.gui.dialogs.relabel_dialog import class_from_text

    names = ["A", "a", "bee", "Bear"]
    assert [class_from_text(text, names) for text in ("a", "A", " a ", "BEE", "bea", "be", "x")] == [1, 0, 1, 2, 3,
                                                                                                       None, None]
