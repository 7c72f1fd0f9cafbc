"""Run a core function on a QThread; its progress callback becomes Qt signals (Orange's pattern)."""

import logging
import time

from PySide6.QtCore import QObject, QThread, Signal, Slot

from labelreview.core.errors import Cancelled, DataError

log = logging.getLogger(__name__)
PROGRESS_INTERVAL = 0.05  # seconds between progress signals


class Task(QObject):
    """``fn(callback, emit_partial)`` run off the GUI thread; only signals come back."""

    progress = Signal(float, str)
    partial = Signal(object)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, fn):
        super().__init__()
        self.fn = fn
        self._cancel = False
        self._last_progress = 0.0

    def cancel(self) -> None:
        """Ask the task to stop at its next progress report (thread-safe: a flag)."""
        self._cancel = True

    def _callback(self, fraction: float, message: str) -> None:
        if self._cancel:
            raise Cancelled
        now = time.monotonic()
        if now - self._last_progress >= PROGRESS_INTERVAL or fraction >= 1.0:
            self._last_progress = now
            self.progress.emit(fraction, message)

    @Slot()
    def run(self) -> None:
        try:
            result = self.fn(self._callback, self.partial.emit)
        except Cancelled:
            self.cancelled.emit()
        except DataError as error:
            self.failed.emit(str(error))
        except Exception as error:  # noqa: BLE001 - a worker must report, never die silently
            log.exception("task failed")
            self.failed.emit(f"{type(error).__name__}: {error}")
        else:
            self.finished.emit(result)


def start_task(parent: QObject, fn) -> tuple[Task, QThread]:
    """Start ``fn`` on a new thread owned by ``parent``; connect to the task's signals before it emits.

    The task (owned by Python) is released with the thread, once the thread has finished: dropping it
    when its ``finished`` signal arrives could delete it while the worker still runs its last lines.
    """
    thread = QThread(parent)
    task = Task(fn)
    task.moveToThread(thread)
    thread.task = task
    thread.started.connect(task.run)
    for signal in (task.finished, task.failed, task.cancelled):
        signal.connect(thread.quit)
    thread.finished.connect(thread.deleteLater)
    return task, thread
