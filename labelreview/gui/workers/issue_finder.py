"""Look for duplicates and image-quality issues when a dataset opens, beside (not in) the window's task slot."""

from PySide6.QtCore import QObject, Signal
from shiboken6 import isValid

from labelreview.core.findings.issue_finders import find_issues
from labelreview.core.review.session import ReviewSession
from labelreview.gui.workers.worker import start_task

WAIT_MS = 15_000


class IssueFinder(QObject):
    """Runs the model-free finders without embedding (quick), so scoring can start meanwhile.

    ``found(session)`` is emitted once ``session.issues`` is set, on the GUI thread; ``ended(stopped)`` when the
    current run ends in any way, ``stopped`` True when the curator cancelled it.
    """

    found = Signal(object)
    progress = Signal(float, str)
    failed = Signal(str)
    ended = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.task = self.thread = None
        self.stopped_by_curator = False

    def start(self, session: ReviewSession) -> None:
        """Find ``session``'s issues in the background; a run for an earlier session is stopped."""
        self.stop()
        self.stopped_by_curator = False
        self.task, self.thread = start_task(self, lambda callback, _: (session, session.save_findings(
            find_issues(session.dataset, embed=False, callback=callback))))
        self.task.progress.connect(self.progress)
        for outcome in (self.task.finished, self.task.failed, self.task.cancelled):
            outcome.connect(self._ended)
        self.thread.start()
        self.progress.emit(0.0, "measuring images")

    def cancel(self) -> None:
        """The curator's Stop: the run stops at its next progress report; no waiting."""
        if self._running():
            self.stopped_by_curator = True
            self.task.cancel()

    def stop(self) -> None:
        """Cancel a run under way and wait for it (a closing window, another dataset, a full search)."""
        if self._running():
            self.task.progress.disconnect(self.progress)  # a run outliving the wait says nothing more
            self.task.cancel()
            self.thread.quit()
            self.thread.wait(WAIT_MS)

    def _running(self) -> bool:
        return self.thread is not None and isValid(self.thread) and self.thread.isRunning()

    def _ended(self, outcome=None) -> None:
        if self.sender() is not self.task:  # a run stopped for another dataset
            return
        if isinstance(outcome, tuple):
            session, issues = outcome
            session.issues = issues
            self.found.emit(session)
        elif isinstance(outcome, str):
            self.failed.emit(outcome)
        self.ended.emit(outcome is None and self.stopped_by_curator)  # a Stop too late to stop it: found
