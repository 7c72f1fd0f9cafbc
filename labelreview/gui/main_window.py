"""The main window: wiring only. Opening and scoring run as tasks on worker threads."""

import logging
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QMainWindow, QMessageBox, QStackedWidget

from labelreview.core.engine.pipeline import score_dataset
from labelreview.core.errors import DataError
from labelreview.core.findings.issue_finders import find_issues
from labelreview.core.findings.self_check import suspects_said
from labelreview.core.review.label_store import store_path_for
from labelreview.core.review.score_table import ScoreTable
from labelreview.core.review.open_lock import OpenLock, claim
from labelreview.core.review.session import ReviewSession
from labelreview.core.settings import RunSettings, load_settings, save_settings
from labelreview.gui.dialogs.about_dialog import AboutDialog
from labelreview.gui.dialogs.open_results import choose_results
from labelreview.gui.review.review_page import SHORTCUTS, ReviewPage
from labelreview.gui.rounds.curator_loop import CuratorLoop
from labelreview.gui.start.start_page import StartPage
from labelreview.gui.widgets.screen_fit import fit_to_screen
from labelreview.gui.workers.finder_status import FinderStatus
from labelreview.gui.workers.gui_thread_collector import thaw
from labelreview.gui.workers.gui_thread_collector import collect_on_the_gui_thread
from labelreview.gui.workers.issue_finder import IssueFinder
from labelreview.gui.workers.preload import preload_engine, preload_views
from labelreview.gui.workers.worker import start_task

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    session_opened = Signal()
    run_finished = Signal(str)  # "finished", "cancelled" or "failed"
    save_failed = Signal(str)  # a labels CSV written on its own thread could not be

    def __init__(self):
        super().__init__()
        collect_on_the_gui_thread()
        self.setWindowTitle("labelreview")
        fit_to_screen(self, 1360, 860)
        self.settings = load_settings()
        self.session: ReviewSession | None = None
        self.open_lock: OpenLock | None = None  # this window's hold on the shown labels CSV
        self.task = self.thread = self.on_finished = None
        self.task_name = ""  # what the running task does, for the status bar: "Scoring", "Opening", ...
        self.pending_open: tuple[str, str | None] | None = None  # (source, labels CSV) to open once a run ends
        self.start_page, self.review = StartPage(), ReviewPage()
        self.pages = QStackedWidget()
        self.pages.addWidget(self.start_page)
        self.pages.addWidget(self.review)
        self.setCentralWidget(self.pages)
        self.start_page.set_recent(self.settings.recent)
        self.review.run_panel.load(RunSettings())
        self.start_page.open_requested.connect(self.open_source)
        self.start_page.open_with_labels.connect(self.open_source)
        self.start_page.back_requested.connect(lambda: self.pages.setCurrentWidget(self.review))
        self.start_page.cancel_requested.connect(self.cancel_task)
        self.review.run_panel.start_requested.connect(self.start_scoring)
        self.review.run_panel.cancel_requested.connect(self.cancel_task)
        self.review.save_failed.connect(self._save_failed)
        self.save_failed.connect(self._save_failed)
        for sayer in (self.review, self.review.health):
            sayer.said.connect(self.statusBar().showMessage)
        self.review.embed_requested.connect(self.find_all_issues)
        self.loop = CuratorLoop(self)
        self.finder = IssueFinder(self)
        self.finder.found.connect(self._issues_found)
        self.finder.failed.connect(self._finder_failed)
        self.finder.ended.connect(self._finder_ended)
        self.finder_status = FinderStatus(self.finder)
        self.statusBar().addPermanentWidget(self.finder_status)
        self._make_menus()
        self.statusBar().showMessage("Open a dataset to start")

    def _make_menus(self) -> None:
        file = self.menuBar().addMenu("&File")
        self._add(file, "&Open image folder\u2026", QKeySequence.StandardKey.Open, self.start_page.choose_folder)
        self._add(file, "Open image folder with &labels CSV\u2026", None, self.start_page.choose_folder_with_labels)
        self._add(file, "Open labels &CSV\u2026", None, self.start_page.choose_csv)
        self._add(file, "O&pen scores\u2026", None, lambda: choose_results(self))
        self._add(file, "&Start page", None, lambda: self.pages.setCurrentWidget(self.start_page))
        need_data = [self._add(file, "Save labels &as\u2026", "Ctrl+Shift+S", self.choose_labels_place),
                     self._add(file, "&Export cleaned labels\u2026", "Ctrl+E", self.export_cleaned)]
        file.addActions(self.review.health.export_actions)  # enabled once there are scores
        self._add(file, "&Quit", QKeySequence.StandardKey.Quit, self.close)
        edit = self.menuBar().addMenu("&Edit")
        self.undo_action = self._add(edit, "&Undo", QKeySequence.StandardKey.Undo, self.undo)
        self.redo_action = self._add(edit, "&Redo", QKeySequence.StandardKey.Redo, self.redo)
        review = self.menuBar().addMenu("&Review")
        review.addActions(self.review.actions)
        need_data += [*self.review.actions,
                      self._add(review, "&Score", "Ctrl+R", lambda: self.review.run_panel.score.click()),
                      self._add(review, "&Find duplicates, outliers and image issues", "Ctrl+I",
                                self.find_all_issues),
                      self._add(review, "&Calibrate with injected errors\u2026", None, self.loop.ask_calibration),
                      self._add(review, "Retrain and c&ompare\u2026", None, self.loop.ask_comparison)]
        self.dataset_actions = tuple(need_data)  # enabled once a dataset is shown
        for action in self.dataset_actions:
            action.setEnabled(False)
        helper = self.menuBar().addMenu("&Help")
        self._add(helper, "&Keyboard shortcuts", "F1", self.show_shortcuts)
        self._add(helper, "&About labelreview", None, self.show_about)

    def _add(self, menu, text, shortcut, slot) -> QAction:
        action = menu.addAction(text)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def open_source(self, source: str, labels_path: str | None = None) -> None:
        """Open ``source`` on a worker thread (with the labels CSV ``labels_path``, else the one it was last
        reviewed with), then show it with its saved scores and decisions.

        During a run, the dataset open already is shown again; another one opens once the curator agrees to
        cancel the run."""
        labels_path = labels_path or self.settings.label_files.get(source)
        if self.task is not None:
            if self._is_open(source, labels_path):
                self.pages.setCurrentWidget(self.review)
                self.statusBar().showMessage(f"{self.session.dataset.name} is open; {self.task_name.lower()} goes on")
            elif self._cancel_to_open(source):
                self.pending_open = source, labels_path
                self.cancel_task()
                self._open_pending()  # the run may have ended while the question was asked
            return
        self.statusBar().showMessage(f"Opening {source}\u2026")
        self.start_task("Opening", lambda callback, _: ReviewSession.open(source, labels_path=labels_path,
                                                                          callback=callback), self.show_session,
                        title=f"Opening {source}")

    def _is_open(self, source: str, labels_path: str | None) -> bool:
        session = self.session
        return (session is not None and session.source == source
                and (labels_path is None or Path(labels_path) == session.store.path))

    def _cancel_to_open(self, source: str) -> bool:
        answer = QMessageBox.question(self, "A run is under way", f"{self.task_name} is under way. Cancel it and "
                                      f"open {source}?")
        return answer == QMessageBox.StandardButton.Yes

    def show_session(self, session: ReviewSession) -> None:
        """Show an opened session: grid, health, title; remember it among the recent datasets (and the run
        settings chosen for the one shown before, as its own)."""
        self._keep_run_settings()
        if self.session is not None:
            self.session.store.close()  # its last decisions written
            thaw()  # the dataset shown before may have left reference cycles among the frozen objects
        self.session = session
        session.store.save_on_a_thread(self.save_failed.emit)  # reported on the GUI thread (a queued signal)
        self._lock_labels()
        self.settings.remember(session.source)
        if session.store.path != store_path_for(session.source, session.dataset):
            self.settings.label_files[session.source] = str(session.store.path)
        save_settings(self.settings)
        self.start_page.set_recent(self.settings.recent)
        log.info("opened %s: %d images, %d unreadable, %s", session.source, len(session.dataset),
                 len(session.dataset.skipped), "scores restored" if session.scores.scored.any() else "not scored")
        run = self.settings.run_settings(session.source)
        self.review.run_panel.load(run)  # this dataset's own: settings chosen for another do not follow it
        cleared = self.review.set_session(session)
        for action in self.dataset_actions:
            action.setEnabled(True)
        self.start_page.set_open(session.dataset.name)
        self.pages.setCurrentWidget(self.review)
        self._show_title()
        skipped = len(session.dataset.skipped)
        skipped = f", {skipped:,} unreadable file{'s' * (skipped != 1)} skipped" if skipped else ""
        scored = "scores restored from the last run" if session.scores.scored.any() else "not scored yet"
        filters = " Filters of the previous dataset cleared." if cleared else ""
        self.statusBar().showMessage(f"{len(session.dataset):,} images, {scored}{skipped}.{filters} "
                                     f"Labels: {session.store.path}")
        self.review.run_panel.reset("Press Score to find label errors" if not session.scores.scored.any()
                                    else "Scores of the last round restored; Score starts the next round")
        if run.model != "logreg":  # every other model runs on TensorFlow
            preload_engine()
        self.session_opened.emit()
        if session.issues is None:
            self.finder.start(session)
        else:
            self.finder.stop()  # a search for the dataset shown before

    def _lock_labels(self) -> None:
        """Hold the shown labels CSV as open in this window; say so when another window has it open too."""
        if self.open_lock is not None:
            self.open_lock.release()
        path = self.session.store.path
        self.open_lock = claim(path)
        if self.open_lock is None:
            box = QMessageBox(QMessageBox.Icon.Warning, "Open in another window",
                              f"{self.session.dataset.name} is open in another labelreview window too, with the same "
                              f"labels ({path}). A save that would overwrite the other window's decisions is refused "
                              "and said, but the two windows do not see each other's decisions: close one of them.",
                              QMessageBox.StandardButton.Ok, self)
            box.open()

    def _show_title(self) -> None:
        self.setWindowTitle(f"labelreview \u2014 {self.session.dataset.name} \u2014 {self.session.store.path}")

    def choose_labels_place(self) -> None:
        if self.session is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Keep the labels CSV in", str(self.session.store.path),
                                              "Labels CSV (*.csv)")
        if path:
            self.move_labels(Path(path))

    def move_labels(self, path: Path) -> None:
        """Keep the labels (and audit log, scores) at ``path`` from now on, also after a reopen."""
        try:
            self.session.move_labels(path)
        except (DataError, OSError) as error:
            QMessageBox.warning(self, "Could not move the labels", str(error))
            return
        self.settings.label_files[self.session.source] = str(path)
        save_settings(self.settings)
        self._lock_labels()
        self._show_title()
        self.statusBar().showMessage(f"Labels are now kept in {path}")

    def start_scoring(self, spec, folds: int) -> None:
        """Cross-validate the current labels (removed images left out) in the background."""
        if self.session is None or self.task is not None:
            return
        self._keep_run_settings()
        save_settings(self.settings)
        session, training = self.session, self.session.training_dataset()

        def work(callback, emit_partial):
            def on_partial(partial):
                emit_partial(ScoreTable.from_partial(session.dataset, partial))
            run = score_dataset(training, spec, folds=folds, callback=callback, on_partial=on_partial)
            return session.save_run(run), session.saved_issues()

        self.review.run_panel.set_running(True)
        self.start_task("Scoring", work, self._scored, partial=self._partial_scores)

    def _partial_scores(self, scores: ScoreTable) -> None:
        self.session.show_scores(scores)
        self.review.scores_changed()
        self.statusBar().showMessage(f"{scores.health['folds_done']} of {scores.health['folds']} folds done: "
                                     f"{suspects_said(self.session.scores.suspects, None)} so far")

    def _scored(self, outcome: tuple) -> None:
        scores, self.session.issues = outcome
        self.session.show_scores(scores, new_round=True)
        self.review.scores_changed()
        scores = self.session.scores  # kept images left unflagged: the count the grid and Rounds tab show
        message = (f"Done in {scores.health['seconds']:.0f} s: "
                   f"{suspects_said(scores.suspects, scores.expected_precision)}, "
                   f"health score {scores.health['health_score']:.3f}, model {scores.health['model']} agrees with "
                   f"{scores.health['agreement']:.0%} of the labels")
        self.review.run_panel.set_running(False, message)
        self.statusBar().showMessage(message)
        log.info("scored %s with %s (%s) in %.1f s: %d suspects, agreement %.3f", self.session.source,
                 scores.health["model"], scores.health["model_reason"], scores.health["seconds"], scores.suspects,
                 scores.health["agreement"])
        if not isinstance(QApplication.focusWidget(), QLineEdit):
            self.review.grid.setFocus()  # ready for the keyboard, unless the curator is typing

    def find_all_issues(self) -> None:
        """Embed the images if needed, then find near duplicates and outliers too, on the task slot."""
        if self.session is None:
            return
        if self.task is not None:
            self.statusBar().showMessage("A run is under way: find duplicates, outliers and image issues after it "
                                         "ends (or Cancel it)")
            return
        session = self.session
        self.finder.stop()
        self.review.run_panel.set_running(True)
        self.start_task("Finding duplicates, outliers and image issues",
                        lambda callback, _: (session, session.save_findings(find_issues(session.dataset,
                                                                                        callback=callback))),
                        self._all_issues_found)

    def _all_issues_found(self, outcome) -> None:
        session, session.issues = outcome
        self._issues_found(session)
        counts = session.issues.counts(session.labels())
        found = ", ".join(f"{counts[kind]:,} {name}" for kind, name in (
            ("label_conflict", "images in label conflicts"), ("duplicate", "duplicates"), ("outlier", "outliers"),
            ("quality", "images with quality issues")) if counts[kind])
        message = f"Found {found or 'no duplicates, outliers or image issues'}"
        self.review.run_panel.set_running(False, message)
        self.statusBar().showMessage(message)

    def _issues_found(self, session: ReviewSession) -> None:
        """New findings for ``session``: the issue selector's counts and the grid follow (no message)."""
        if session is not self.session:
            return
        self.review.issues_changed()
        log.info("issues of %s: %s", session.source, session.issues.counts(session.labels()))

    def _finder_ended(self, stopped: bool) -> None:
        if stopped:
            log.info("finding issues stopped")
            self.statusBar().showMessage("Stopped looking for duplicates and image issues; Review \u203a Find "
                                         "duplicates, outliers and image issues (Ctrl+I) looks again")

    def _finder_failed(self, message: str) -> None:
        log.warning("finding issues failed: %s", message)
        self.statusBar().showMessage(f"Could not look for duplicates and image issues: {message}")

    def cancel_task(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.review.run_panel.status.setText("Cancelling\u2026")
            self.start_page.cancelling()

    def start_task(self, name: str, work, on_finished, partial=None, title: str | None = None) -> None:
        """Run ``work(callback, emit_partial)`` on a worker; progress goes to the run panel and the start page;
        ``name`` says what it does ("Scoring") when it is cancelled or fails, ``title`` on the start page
        (default: ``name`` and the open dataset)."""
        self.task, self.thread = start_task(self, work)
        self.task_name = name
        self.start_page.show_run(title or (f"{name} {self.session.dataset.name}" if self.session else name))
        # only bound methods of GUI-thread objects: a lambda connected to a worker's signal runs on the worker
        self.task.progress.connect(self.review.run_panel.show_progress)
        self.task.progress.connect(self.start_page.show_progress)
        self.task.progress.connect(self._opening_progress)
        if partial is not None:
            self.task.partial.connect(partial)
        self.on_finished = on_finished
        self.task.finished.connect(self._run_done)
        self.task.failed.connect(self._failed)
        self.task.cancelled.connect(self._cancelled)
        self.thread.start()

    def _opening_progress(self, fraction: float, message: str) -> None:
        if self.session is None:  # on the start page, the status bar is the only place to say it
            self.statusBar().showMessage(message)

    def _run_done(self, result) -> None:
        """The slot is free again before the result is shown: showing it may start the next task (gui --score)."""
        self._free_slot()
        self.on_finished(result)
        self.run_finished.emit("finished")
        self._open_pending()

    def _task_ended(self, how: str) -> None:
        self._free_slot()
        self.run_finished.emit(how)
        self._open_pending()

    def _free_slot(self) -> None:
        self.task = self.thread = None
        self.start_page.show_run(None)

    def _open_pending(self) -> None:
        """Open the dataset the curator chose during the run, now that it has ended."""
        if self.pending_open is not None and self.task is None:
            source, labels_path = self.pending_open
            self.pending_open = None
            self.open_source(source, labels_path)

    def _cancelled(self) -> None:
        said = f"{self.task_name} cancelled{self._restore_saved_scores()}"
        log.info(said)
        self.review.run_panel.reset(said)
        self.statusBar().showMessage(said)
        self._task_ended("cancelled")

    def _failed(self, message: str) -> None:
        shown = self._restore_saved_scores()
        log.warning("%s failed: %s", self.task_name, message)
        self.review.run_panel.reset(f"{self.task_name} failed{shown}")
        self.statusBar().showMessage(f"{self.task_name} failed: {message}{shown}")
        name = self.task_name
        self._task_ended("failed")
        QMessageBox.warning(self, f"{name} failed", message)

    def _restore_saved_scores(self) -> str:
        """A task stopped early: show the last finished run's scores again (a run shows its folds as they come);
        what is shown, to say after a semicolon ("" on the start page)."""
        if self.session is None:
            return ""
        self.session.restore_saved_scores()
        self.review.scores_changed()
        return ("; the scores of the last finished run are shown" if self.session.scores.scored.any()
                else "; the dataset is not scored yet")

    def _save_failed(self, message: str) -> None:
        """Tell the curator; the decision stays in memory and in the audit log; offer another place."""
        box = QMessageBox(QMessageBox.Icon.Warning, "Could not save",
                          f"{message}\n\nThe decision is kept in memory (undo works) and recorded in "
                          f"{self.session.store.audit_path}. Saving resumes with your next decision once the "
                          "problem is gone, or keep the labels in another place.", parent=self)
        save_as = box.addButton("Save labels as\u2026", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Ok)
        box.exec()
        if box.clickedButton() is save_as:
            self.choose_labels_place()

    def undo(self) -> None:
        self._replay("undo")

    def redo(self) -> None:
        self._replay("redo")

    def _replay(self, step: str) -> None:
        """Undo or redo (``step``) the last decision, show the images it touched, log it."""
        if self.session is not None:
            positions = getattr(self.session, step)()
            if positions:
                log.info("%s %d image(s), saved to %s", step, len(positions), self.session.store.path)
            self.review.undone(positions)

    def export_cleaned(self) -> None:
        if self.session is None:
            return
        suggested = str(self.session.store.path.with_name(self.session.store.path.stem + ".cleaned.csv"))
        path, _ = QFileDialog.getSaveFileName(self, "Export cleaned labels", suggested, "Labels CSV (*.csv)")
        if path:
            rows = self.session.export_cleaned(Path(path))
            self.statusBar().showMessage(f"Exported {rows:,} rows to {path}")
            log.info("exported %d rows of cleaned labels of %s to %s", rows, self.session.source, path)

    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td><b>{keys}</b></td><td>{text}</td></tr>" for keys, text in SHORTCUTS)
        mapping = f"<p>{self.review.keys.text()}</p>" if self.review.session is not None else ""
        QMessageBox.information(self, "Keyboard shortcuts", f"<table cellspacing=6>{rows}</table>{mapping}"
                                "<p>Shortcuts act on the grid; they never fire while you type in a text field.</p>")

    def show_about(self) -> None:
        AboutDialog(self).open()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, preload_views)  # after the first frame: the charts' modules, while the curator looks

    def _keep_run_settings(self) -> None:
        """The run panel's settings become those of the dataset shown (if any)."""
        if self.session is not None:
            self.settings.keep_run_settings(self.session.source, self.review.run_panel.run_settings())

    def closeEvent(self, event) -> None:
        """Stop a run cleanly before closing: no hang, no half-written files; keep the run settings shown."""
        if self.session is not None:
            self._keep_run_settings()
            save_settings(self.settings)
        if self.task is not None:
            self.task.cancel()
            self.thread.quit()
            self.thread.wait(15_000)
        self.finder.stop()
        if self.session is not None:
            self.session.store.close()
        if self.open_lock is not None:
            self.open_lock.release()
        self.review.thumbnails.shutdown()
        self.review.model.shutdown()
        self.review.detail.shutdown()
        self.review.health.shutdown()
        self.review.map.shutdown()
        super().closeEvent(event)
