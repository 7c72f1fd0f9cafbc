"""Python's garbage collector runs on the GUI thread only.

A collection that starts on a worker thread (a CNN training, say) may free a closed window's widgets there, and
a widget destroyed off the GUI thread deadlocks when Qt calls one of its Python overrides. So automatic collection
is turned off and a timer on the GUI thread collects instead, as pyqtgraph's ``GarbageCollector`` does.
"""

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

INTERVAL_MS = 100  # often enough that the young generations stay small: a pass over them is short


class GuiThreadCollector(QObject):
    """Collects each generation whose count passed its threshold, ten times a second, on the GUI thread."""

    def __init__(self, parent: QObject):
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self, interval=INTERVAL_MS, timeout=self.collect)
        self.timer.start()

    def collect(self) -> None:
        """A full collection's survivors are frozen (``gc.freeze``): the next one looks only at the objects made
        since, so its pause does not grow with the heap (TensorFlow alone is some 200,000 objects: 0.3 s)."""
        for generation in reversed(range(3)):  # the oldest due generation, which collects the younger too
            if gc.get_count()[generation] > self.thresholds[generation]:
                gc.collect(generation)
                if generation == 2:
                    gc.freeze()
                return


def thaw() -> None:
    """The next full collection looks at every object again: for the reference cycles a dataset no longer shown
    left among the frozen ones."""
    gc.unfreeze()


def collect_on_the_gui_thread() -> None:
    """Install the application's one collector (later calls do nothing)."""
    app = QCoreApplication.instance()
    if app.findChild(GuiThreadCollector) is None:
        GuiThreadCollector(app)
