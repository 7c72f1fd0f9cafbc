"""Seconds from process start to the main window shown, and whether TensorFlow was loaded by then.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/startup.py
"""

import time

STARTED = time.perf_counter()

import sys  # noqa: E402

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def main() -> None:
    app = QApplication(sys.argv)
    from labelreview.gui.main_window import MainWindow

    window = MainWindow()
    window.show()

    def report() -> None:
        shown = time.perf_counter() - STARTED
        heavy = sorted(m for m in ("tensorflow", "keras", "cleanlab", "sklearn") if m in sys.modules)
        print(f"window shown after {shown:.2f} s; heavy modules loaded: {', '.join(heavy) or 'none'}")
        app.quit()

    QTimer.singleShot(0, report)
    app.exec()


if __name__ == "__main__":
    main()
