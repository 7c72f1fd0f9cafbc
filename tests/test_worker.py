"""The worker thread adapter: results come back as signals, and the task is freed only after its thread."""

import gc
import threading
import weakref

from PySide6.QtCore import QObject

from labelreview.gui.workers.worker import start_task


class Receiver(QObject):
    """A GUI-thread object: the slots of such objects run on the GUI thread (a lambda's would run on the worker)."""

    def __init__(self):
        super().__init__()
        self.results = []

    def take(self, result) -> None:
        self.results.append((result, threading.current_thread()))


def test_a_task_outlives_its_finished_signal_and_is_released_with_its_thread(qtbot):
    parent, receiver = QObject(), Receiver()
    task, thread = start_task(parent, lambda callback, emit_partial: 42)
    task.finished.connect(receiver.take)
    alive = weakref.ref(task)
    with qtbot.waitSignal(thread.finished, timeout=5000):
        thread.start()
    qtbot.waitUntil(lambda: bool(receiver.results), timeout=5000)
    assert receiver.results == [(42, threading.main_thread())]
    del task
    gc.collect()
    assert alive() is not None  # released with its thread, not before
    with qtbot.waitSignal(thread.destroyed, timeout=5000):
        pass
    del thread
    gc.collect()
    assert alive() is None
