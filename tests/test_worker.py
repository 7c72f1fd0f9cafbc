"""The worker thread adapter: results come back as signals, and the task is freed only after its thread."""

import gc
import weakref

from PySide6.QtCore import QObject

from labelreview.gui.worker import start_task


def test_a_task_outlives_its_finished_signal_and_is_released_with_its_thread(qtbot):
    parent = QObject()
    task, thread = start_task(parent, lambda callback, emit_partial: 42)
    alive = weakref.ref(task)
    with qtbot.waitSignal(task.finished) as finished:
        thread.start()
    assert finished.args == [42]
    del task
    gc.collect()
    assert alive() is not None  # the thread may still be running the task's last lines
    with qtbot.waitSignal(thread.destroyed, timeout=5000):
        pass
    del thread
    gc.collect()
    assert alive() is None
