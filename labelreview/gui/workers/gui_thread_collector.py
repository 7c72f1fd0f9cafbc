"""Python's garbage collector runs on the GUI thread only.

A collection that starts on a worker thread (a CNN training, say) may free a closed window's widgets there, and
a widget destroyed off the GUI thread deadlocks when Qt calls one of its Python overrides. So automatic collection
is turned off and a timer on the GUI thread collects instead, as pyqtgraph's ``GarbageCollector`` does.
"""

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

INTERVAL_MS = 1000


class GuiThreadCollector(QObject):
    """Collects each generation whose count passed its threshold, once a second, on the GUI thread."""

    def __init__(self, parent: QObject):
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self, interval=INTERVAL_MS, timeout=self.collect)
        self.timer.start()

    def collect(self) -> None:
        for generation in reversed(range(3)):  # the oldest due generation, which collects the younger too
            if gc.get_count()[generation] > self.thresholds[generation]:
                gc.collect(generation)
                return


def collect_on_the_gui_thread() -> None:
    """Install the application's one collector (later calls do nothing)."""
    app = QCoreApplication.instance()
    if app.findChild(GuiThreadCollector) is None:
        GuiThreadCollector(app)
