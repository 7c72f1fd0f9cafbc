"""The real window driven by qtbot: open, score in the background, decide by keyboard, undo, reopen, cancel."""

import json
import re
import time

import pandas as pd
from PySide6.QtCore import Qt, QTimer
from shiboken6 import isValid

from labelreview.core.settings import RunSettings, load_settings
from labelreview.gui.main_window import MainWindow
from labelreview.gui.rounds.rounds_view import COLUMNS
from labelreview.gui.widgets.suspects_model import POSITION_ROLE

RUN_TIMEOUT = 120_000  # ms; a real CNN run on a busy CI machine


def open_in(qtbot, window, source):
    with qtbot.waitSignal(window.session_opened, timeout=RUN_TIMEOUT):
        window.open_source(source)
    window.activateWindow()
    window.review.grid.setFocus()
    return window.session


def score(qtbot, window, model="logreg", folds=3, epochs=1):
    panel = window.review.run_panel
    panel.model.setCurrentIndex(panel.model.findData(model))
    panel.folds.setValue(folds)
    panel.epochs.setValue(epochs)
    with qtbot.waitSignal(window.run_finished, timeout=RUN_TIMEOUT) as finished:
        qtbot.mouseClick(panel.score, Qt.MouseButton.LeftButton)
    return finished.args[0]


def store_table(session):
    return pd.read_csv(session.store.path, dtype=str, keep_default_na=False)


def current(window):
    return window.review.grid.currentIndex().data(POSITION_ROLE)


def test_score_review_by_keyboard_undo_and_reopen(qtbot, window, digit_folder):
    session = open_in(qtbot, window, str(digit_folder))
    assert window.pages.currentWidget() is window.review and window.review.model.rowCount() == 300  # all, unscored
    assert score(qtbot, window) == "finished"
    suspects = session.scores.suspects
    assert suspects > 0 and window.review.model.rowCount() == suspects
    assert window.review.filters.counts.text().startswith(f"{suspects:,} suspects \u00b7 0 reviewed \u00b7")  # 300
    session.scores.health["expected_precision"] = 0.61  # what a set large enough for the self-check shows
    window.review.scores_changed()
    assert window.review.filters.counts.text().startswith(f"{suspects:,} suspects, about 6 in 10 likely real \u00b7")
    grid = window.review.grid

    first = current(window)
    qtbot.keyClick(grid, Qt.Key.Key_K)
    assert store_table(session)["status"][first] == "kept"
    second = current(window)
    assert second != first and session.statuses()[second] == ""  # advanced to the next unreviewed
    suggested = session.scores.predicted[second]
    assert suggested != session.labels()[second]  # the grid's suspects: the model prefers another class
    qtbot.keyClick(grid, Qt.Key.Key_A)
    assert store_table(session)["label"][second] == session.dataset.class_names[suggested]
    third = current(window)
    qtbot.keyClick(grid, Qt.Key.Key_X)
    assert store_table(session)["status"][third] == "removed"
    fourth = current(window)
    qtbot.keyClick(grid, Qt.Key.Key_7)
    assert store_table(session)["label"][fourth] == "7"
    log = [json.loads(line) for line in session.store.audit_path.read_text().splitlines()]
    assert [entry["action"] for entry in log if entry["action"] != "saved"] == ["keep", "relabel", "remove", "relabel"]

    window.undo_action.trigger()
    assert store_table(session)["status"][fourth] == "" and store_table(session)["label"][fourth] != "7"
    window.redo_action.trigger()
    window.undo_action.trigger()
    assert "\u00b7 3 reviewed \u00b7" in window.review.filters.counts.text()

    search = window.review.filters.search
    search.setFocus()
    decisions = session.store.audit_path.read_text()
    qtbot.keyClicks(search, "kax7")  # typing in a text field never decides
    assert search.text() == "kax7" and session.store.audit_path.read_text() == decisions
    search.clear()

    reopened = MainWindow()
    qtbot.addWidget(reopened)
    again = open_in(qtbot, reopened, str(digit_folder))
    # no retraining: the round's suspects as they were, the kept one among them reviewed (the next round quiets it)
    assert again.scores.suspects == suspects and again.scores.is_label_issue[first]
    assert again.scores.scored.all() and again.review_counts() == session.review_counts()
    assert again.statuses()[first] == "kept" and again.statuses()[third] == "removed"
    assert again.statuses()[fourth] == ""
    assert load_settings().recent[0] == str(digit_folder)
    reopened.close()


def test_labels_csv_in_a_place_the_curator_picks(qtbot, window, digit_folder, tmp_path):
    open_in(qtbot, window, str(digit_folder))
    chosen = tmp_path / "picked" / "labels.csv"
    window.move_labels(chosen)
    assert str(chosen) in window.windowTitle()
    qtbot.keyClick(window.review.grid, Qt.Key.Key_X)
    assert pd.read_csv(chosen, dtype=str, keep_default_na=False)["status"][0] == "removed"
    reopened = MainWindow()
    qtbot.addWidget(reopened)
    again = open_in(qtbot, reopened, str(digit_folder))
    assert again.store.path == chosen and again.statuses()[0] == "removed"
    reopened.close()


def test_filters_sort_and_detail_panel(qtbot, window, digit_folder):
    session = open_in(qtbot, window, str(digit_folder))
    score(qtbot, window)
    filters = window.review.filters
    filters.show_issue("all")
    assert window.review.model.rowCount() == 300
    filters.given.setCurrentIndex(filters.given.findData(3))
    positions = window.review.model.positions
    assert len(positions) == 30 and (session.labels()[positions] == 3).all()
    ranks = session.scores.rank[positions]
    assert (ranks[:-1] <= ranks[1:]).all()  # worst first
    filters.search.setText("3/1")
    assert {session.dataset.path(p) for p in window.review.model.positions} == {
        "3/1.png", "3/10.png", "3/11.png", "3/12.png", "3/13.png", "3/14.png", "3/15.png", "3/16.png",
        "3/17.png", "3/18.png", "3/19.png"}
    detail = window.review.detail
    assert detail.fields["Path"].text().endswith(session.dataset.path(current(window)))
    assert detail.fields["Held out in"].text().startswith("fold ")
    assert detail.bars[0].isVisible() or not window.isVisible()


def test_cancel_midway_keeps_the_dataset_as_it_was(qtbot, window, digit_folder):
    session = open_in(qtbot, window, str(digit_folder))
    panel = window.review.run_panel
    panel.model.setCurrentIndex(panel.model.findData("cnn"))
    panel.epochs.setValue(30)
    with qtbot.waitSignal(window.run_finished, timeout=RUN_TIMEOUT) as ended:
        panel.score.click()
        qtbot.waitUntil(lambda: "epoch" in panel.status.text(), timeout=RUN_TIMEOUT)
        assert re.match(r"\d+:\d\d elapsed, about \d+:\d\d left \u2014 fold 1/5", panel.status.text())
        panel.cancel.click()
    assert ended.args == ["cancelled"]
    written = {path.name for path in session.scores_dir.glob("*")}
    assert not session.scores.scored.any() and written <= {"issues.csv", "issues.searched.json"}  # found on opening
    assert panel.score.isEnabled() and not panel.cancel.isEnabled()


def test_gui_thread_keeps_ticking_while_a_cnn_trains(qtbot, window, digit_folder):
    open_in(qtbot, window, str(digit_folder))
    ticks = []
    timer = QTimer(interval=20, timeout=lambda: ticks.append(time.monotonic()))
    timer.start()
    assert score(qtbot, window, model="cnn", folds=2, epochs=3) == "finished"
    timer.stop()
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert len(ticks) > 20
    assert max(gaps) < 1.0, max(gaps)  # the window repaints at least every second during training


def test_a_failed_save_is_reported_and_the_decision_kept(qtbot, window, digit_folder, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    warnings = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: warnings.append(
        (box.windowTitle(), box.text(), [b.text() for b in box.buttons()])))
    session = open_in(qtbot, window, str(digit_folder))
    session.store.path.write_text(session.store.path.read_text() + "\n")  # another program edits it
    position = current(window)
    qtbot.keyClick(window.review.grid, Qt.Key.Key_K)
    assert warnings and warnings[0][0] == "Could not save" and "changed by another program" in warnings[0][1]
    assert str(session.store.audit_path) in warnings[0][1] and "Save labels as\u2026" in warnings[0][2]
    assert session.statuses()[position] == "kept"  # in memory, shown on the tile, undoable
    assert json.loads(session.store.audit_path.read_text().splitlines()[-1])["action"] == "keep"  # logged, not saved


def test_closing_the_window_mid_run_stops_cleanly(qtbot, digit_folder):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    session = open_in(qtbot, window, str(digit_folder))
    csv_before = session.store.path.read_text()
    panel = window.review.run_panel
    panel.model.setCurrentIndex(panel.model.findData("cnn"))
    panel.epochs.setValue(30)
    panel.score.click()
    qtbot.waitUntil(lambda: "epoch" in panel.status.text(), timeout=RUN_TIMEOUT)
    thread = window.thread
    window.close()
    assert thread.isFinished()  # the worker stopped within the close; no hang, no crash
    assert not (session.scores_dir / "scores.csv").exists() and session.store.path.read_text() == csv_before


def test_unreadable_images_are_counted_in_the_window(qtbot, window, digit_folder):
    (digit_folder / "4" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n cut short")
    (digit_folder / "4" / "empty.jpg").write_bytes(b"")
    open_in(qtbot, window, str(digit_folder))
    qtbot.waitUntil(window.review.filters.unreadable.isVisible, timeout=RUN_TIMEOUT)  # the search found them
    assert len(window.session.dataset.skipped) == 2
    assert len(window.session.dataset) == 302  # still shown, never scored, until the dataset is opened again
    score(qtbot, window)
    assert not window.session.scores.scored[[window.session.dataset.paths.index(p) for p in
                                             ("4/broken.png", "4/empty.jpg")]].any()
    assert window.review.filters.unreadable.text() == "\u26a0 2 unreadable files"
    session = open_in(qtbot, window, str(digit_folder))
    assert len(session.dataset) == 300 and len(session.dataset.skipped) == 2  # the run's decode recorded them
    assert "2 unreadable files skipped" in window.statusBar().currentMessage()


def test_rounds_tab_records_each_run_and_estimates_errors_left(qtbot, window, digit_folder):
    open_in(qtbot, window, str(digit_folder))
    rounds = window.review.rounds
    score(qtbot, window)
    assert rounds.table.rowCount() == 1 and window.review.run_panel.score.text() == "Score"
    assert "Review some to estimate" in rounds.estimate.text()
    qtbot.keyClick(window.review.grid, Qt.Key.Key_A)  # one suspect fixed
    assert rounds.estimate.text().startswith("100% of the 1 suspects you reviewed were real label errors")
    score(qtbot, window)
    relabeled = rounds.table.item(0, COLUMNS.index("Relabeled")).text()
    assert rounds.table.rowCount() == 2 and relabeled == "1"  # round 1's suspect relabeled
    score(qtbot, window, folds=4)  # another setting: a new baseline, not suspects cleared by the curator
    cells = [[rounds.table.item(row, COLUMNS.index(c)).text() for c in ("Scored with", "New", "Cleared")]
             for row in range(3)]
    assert cells[0] == ["logreg, 3 folds, seed 0", "\u2014", "\u2014"] and cells[1][0] == cells[0][0]
    assert cells[1][1:] != ["\u2014", "\u2014"] and cells[2] == ["logreg, 4 folds, seed 0", "\u2014", "\u2014"]


def test_calibration_from_the_window_leaves_the_labels_alone(qtbot, window, digit_folder, caplog):
    caplog.set_level("INFO", logger="labelreview")
    session = open_in(qtbot, window, str(digit_folder))
    csv_before = session.store.path.read_text()
    window.review.run_panel.model.setCurrentIndex(window.review.run_panel.model.findData("logreg"))
    window.review.run_panel.folds.setValue(3)
    with qtbot.waitSignal(window.run_finished, timeout=RUN_TIMEOUT):
        window.loop.start_calibration(0.2, "pairs")
    dialog = window.loop.dialog
    assert dialog.isVisible() and dialog.table.rowCount() == 10 and "within class pairs" in dialog.summary.text()
    assert dialog.table.item(0, 1).text() != "" and "precision" in window.review.run_panel.status.text()
    assert session.store.path.read_text() == csv_before and not session.scores.scored.any()
    assert any(line.startswith("calibrated ") and "20% pairs errors" in line for line in caplog.messages)
    dialog.close()


def test_retrain_and_compare_on_a_held_out_split(qtbot, window, digit_folder, caplog):
    caplog.set_level("INFO", logger="labelreview")
    session = open_in(qtbot, window, str(digit_folder))
    score(qtbot, window)
    qtbot.keyClick(window.review.grid, Qt.Key.Key_X)  # one suspect removed: the cleaned set differs
    with qtbot.waitSignal(window.run_finished, timeout=RUN_TIMEOUT):
        window.loop.start_comparison(None)
    dialog = window.loop.dialog
    assert dialog.isVisible() and dialog.table.rowCount() == 10
    after = session.rounds.rounds()[-1].test_accuracy
    assert after is not None and f"{after:.2%}" in window.review.run_panel.status.text()
    assert any(line.startswith("retrained and compared on 20% of") for line in caplog.messages)
    dialog.close()


def test_opening_a_dataset_imports_tensorflow_in_the_background(qtbot, window, digit_folder):
    """With the CNN chosen, Score should start training at once rather than import TensorFlow first."""
    import sys

    from labelreview.gui.workers import preload

    window.settings.keep_run_settings(str(digit_folder), RunSettings(model="cnn"))
    open_in(qtbot, window, str(digit_folder))
    preload.started["tensorflow"].join(timeout=RUN_TIMEOUT / 1000)
    assert "keras" in sys.modules


def test_the_window_starts_without_the_charts_modules_and_imports_them_once_shown(qtbot, window):
    """matplotlib's Qt backend and figures take half a second to import: not before the window shows, but in the
    background once it has."""
    import subprocess
    import sys

    from labelreview.gui.workers import preload

    started = subprocess.run([sys.executable, "-c", "import sys; import labelreview.gui.main_window; "
                              "print(sorted({'matplotlib.backends.backend_qtagg', 'matplotlib.figure'} & set(sys.modules)))"],
                             capture_output=True, text=True, check=True)
    assert started.stdout.strip() == "[]"
    window.show()
    qtbot.waitUntil(lambda: "views" in preload.started)
    preload.started["views"].join(timeout=RUN_TIMEOUT / 1000)
    assert all(name in sys.modules for name in preload.VIEW_MODULES)


def test_choosing_a_model_sets_the_epochs_it_was_tuned_with(window):
    panel = window.review.run_panel
    for name, epochs in (("cnn-thorough", 8), ("cnn", 4)):
        panel.model.setCurrentIndex(panel.model.findData(name))
        assert panel.epochs.value() == epochs and panel.epochs.isEnabled()
    panel.model.setCurrentIndex(panel.model.findData("logreg"))
    assert not panel.epochs.isEnabled()


def test_a_replaced_rounds_chart_stays_owned_by_qt_until_qt_deletes_it(qtbot, window, digit_folder):
    """Handed to Python (setParent(None)), an old canvas was deleted whenever the garbage collector ran, now
    and then in the middle of an event: the likely cause of an occasional segfault in the retrain test."""
    open_in(qtbot, window, str(digit_folder))
    score(qtbot, window)
    rounds = window.review.rounds
    old = rounds.canvas
    rounds.refresh()
    assert rounds.canvas is not old and old.parent() is rounds and old.isHidden()
    qtbot.waitUntil(lambda: not isValid(old))


def test_retrain_and_compare_offers_only_test_sets_that_fit(qtbot, window, digit_folder, shapes_folder, monkeypatch):
    """Issue 23, item 17: MNIST test is offered for digits, not for a colour folder of other classes."""
    from PySide6.QtWidgets import QInputDialog

    offered = []
    monkeypatch.setattr(QInputDialog, "getItem", lambda parent, title, label, choices, *rest: (
        offered.append(list(choices)) or ("", False)))
    for folder in (digit_folder, shapes_folder):
        open_in(qtbot, window, str(folder))
        window.loop.ask_comparison()
    assert ["MNIST test" in choices for choices in offered] == [True, False]
    assert offered[1] == ["20% of this dataset, kept aside", "An image folder\u2026"]


def test_garbage_is_collected_on_the_gui_thread_only(qtbot, window):
    """A collection on a worker (a CNN fold) once freed a closed window there and deadlocked the run."""
    import gc
    import weakref

    from PySide6.QtWidgets import QApplication

    from labelreview.gui.workers.gui_thread_collector import GuiThreadCollector

    assert not gc.isenabled() and len(QApplication.instance().findChildren(GuiThreadCollector)) == 1

    class Cycle:
        pass

    garbage = Cycle()
    garbage.me = garbage
    gone = weakref.ref(garbage)
    del garbage
    for _ in range(3 * gc.get_threshold()[0]):  # more cycles, well past generation 0's threshold
        cycle = Cycle()
        cycle.me = cycle
    qtbot.waitUntil(lambda: gone() is None, timeout=5000)


def test_run_settings_chosen_for_one_dataset_do_not_follow_to_another(qtbot, window, digit_folder, shapes_folder):
    """"CNN, thorough" chosen on MNIST digits carried over to a colour folder: each dataset keeps its own."""
    open_in(qtbot, window, str(digit_folder))
    panel = window.review.run_panel
    panel.model.setCurrentIndex(panel.model.findData("cnn-thorough"))
    panel.folds.setValue(4)
    open_in(qtbot, window, str(shapes_folder))
    assert (panel.model.currentData(), panel.folds.value()) == ("auto", 5)  # never chosen for this one
    open_in(qtbot, window, str(digit_folder))
    assert (panel.model.currentData(), panel.folds.value()) == ("cnn-thorough", 4)
    assert load_settings().run_settings(str(digit_folder)).model == "cnn-thorough"
