"""Look for duplicates and image-quality issues when a dataset opens, beside (not in) the window's task slot."""

from PySide6.QtCore import QObject, Signal
from shiboken6 import isValid

from labelreview.core.findings.issue_finders import find_issues
from labelreview.core.review.session import ReviewSession
from labelreview.gui.worker import start_task

WAIT_MS = 15_000


class IssueFinder(QObject):
    """Runs the model-free finders without embedding (quick), so scoring can start meanwhile.

    ``found(session)`` is emitted once ``session.issues`` is set, on the GUI thread.
    """

    found = Signal(object)
    progress = Signal(float, str)
    failed = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.task = self.thread = self.session = None

    def start(self, session: ReviewSession) -> None:
        """Find ``session``'s issues in the background; a run for an earlier session is stopped."""
        self.stop()
        self.session = session
        self.task, self.thread = start_task(self, lambda callback, _: (session, session.save_findings(
            find_issues(session.dataset, embed=False, callback=callback))))
        self.task.progress.connect(self.progress)
        self.task.finished.connect(self._finished)
        self.task.failed.connect(self.failed)
        self.thread.start()

    def stop(self) -> None:
        """Cancel a run under way and wait for it (a closing window, another dataset)."""
        if self.thread is not None and isValid(self.thread) and self.thread.isRunning():
            self.task.cancel()
            self.thread.quit()
            self.thread.wait(WAIT_MS)

    def _finished(self, outcome) -> None:
        session, issues = outcome
        if session is self.session:  # not a run for a dataset since closed
            session.issues = issues
            self.found.emit(session)
