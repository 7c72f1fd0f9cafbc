"""Python's garbage collector runs on the GUI thread only.

A collection that starts on a worker thread (a CNN training, say) may free a closed window's widgets there, and
a widget destroyed off the GUI thread deadlocks when Qt calls one of its Python overrides. So automatic collection
is turned off and a timer on the GUI thread collects instead, as pyqtgraph's ``GarbageCollector`` does.
"""

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

INTERVAL_MS = 100  # often enough that the young generations stay small: a pass over them is short
FULL_GROWTH = 1.25


class GuiThreadCollector(QObject):
    """Collects each generation whose count passed its threshold, ten times a second, on the GUI thread."""

    def __init__(self, parent: QObject):
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.survivors = 0  # objects left in the oldest generation by the last full collection
        gc.disable()
        self.timer = QTimer(self, interval=INTERVAL_MS, timeout=self.collect)
        self.timer.start()

    def collect(self) -> None:
        """As CPython's own collector, a full collection waits until the oldest generation has grown by a quarter
        since the last one: its pause grows with the heap (TensorFlow alone is some 200,000 objects: 0.3 s)."""
        for generation in reversed(range(3)):  # the oldest due generation, which collects the younger too
            if gc.get_count()[generation] > self.thresholds[generation]:
                if generation == 2 and len(gc.get_objects(generation=2)) < FULL_GROWTH * self.survivors:
                    generation = 1
                gc.collect(generation)
                if generation == 2:
                    self.survivors = len(gc.get_objects(generation=2))
                return


def collect_on_the_gui_thread() -> None:
    """Install the application's one collector (later calls do nothing)."""
    app = QCoreApplication.instance()
    if app.findChild(GuiThreadCollector) is None:
        GuiThreadCollector(app)
