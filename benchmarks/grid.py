"""How the suspects grid copes with 60,000 MNIST images: refresh, decide, and scrolling repaint times.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/grid.py
"""

import sys
import tempfile
import time

from PySide6.QtWidgets import QApplication


def timed(what: str, action, repeat: int = 1) -> None:
    started = time.perf_counter()
    for _ in range(repeat):
        action()
    print(f"{what}: {(time.perf_counter() - started) / repeat * 1000:.1f} ms")


def main() -> None:
    import os

    os.environ.setdefault("LABELREVIEW_DATA_DIR", tempfile.mkdtemp())
    app = QApplication(sys.argv)
    from labelreview.core.review.session import ReviewSession
    from labelreview.gui.main_window import MainWindow

    window = MainWindow()
    window.resize(1360, 860)
    window.show()
    session = ReviewSession.open("mnist")
    timed("show a 60,000-image session", lambda: window.show_session(session))
    grid, review = window.review.grid, window.review
    print(f"rows in the grid: {review.model.rowCount():,}")
    timed("refresh the grid (filter / new scores)", review.model.refresh, repeat=5)
    scroll = grid.verticalScrollBar()

    def page_down() -> None:
        scroll.setValue(scroll.value() + scroll.pageStep())
        grid.viewport().repaint()
        app.processEvents()

    timed("scroll one page and repaint", page_down, repeat=50)
    timed("one decision (CSV + audit written)", lambda: (session.decide([review.current_position()], "keep"),
                                                          review.decisions_changed([review.current_position()])),
          repeat=5)
    window.close()


if __name__ == "__main__":
    main()
