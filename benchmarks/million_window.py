"""The real window, offscreen, reviewing a results folder (``million.py`` writes one): each action's time and its
worst GUI-thread stall, measured by a watchdog timer that ticks every 10 ms on the GUI thread."""

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QItemSelection, QItemSelectionModel, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

TICK_MS = 10
TIMEOUT_S = 600


class Watchdog:
    """The longest gap between two ticks of a 10 ms timer since :meth:`reset`, minus the 10 ms: a stall."""

    def __init__(self):
        self.timer = QTimer(interval=TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.reset()
        self.timer.start()

    def reset(self) -> None:
        self.last, self.worst = time.perf_counter(), 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst, self.last = max(self.worst, now - self.last - TICK_MS / 1000), now


def settle(until: Callable[[], bool], quiet_s: float = 0.3) -> None:
    """Serve events until ``until()`` holds, then for ``quiet_s`` more (the thumbnails and counts that follow)."""
    started = time.perf_counter()
    while not until():
        QApplication.processEvents()
        time.sleep(0.002)
        if time.perf_counter() - started > TIMEOUT_S:
            raise TimeoutError("the window did not get there")
    end = time.perf_counter() + quiet_s
    while time.perf_counter() < end:
        QApplication.processEvents()
        time.sleep(0.002)


def peak_mb() -> int:
    """This process's peak resident memory (VmHWM: its own since exec, unlike ru_maxrss, which Linux carries over
    from the parent that started it)."""
    status = Path("/proc/self/status").read_text()
    return round(int(status.split("VmHWM:")[1].split()[0]) / 1024)


def drive(results: Path) -> dict:
    """Open ``results`` in the window and review; figures per action (seconds, worst stall in ms)."""
    from labelreview.gui.dialogs.open_results import open_results_folder
    from labelreview.gui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])  # noqa: F841 - the window needs it alive
    window = MainWindow()
    window.resize(1366, 768)
    window.show()
    watchdog, figures = Watchdog(), {}
    review = window.review
    model, grid, filters = review.model, review.grid, review.filters

    def act(name: str, action: Callable[[], None], until: Callable[[], bool] = lambda: True) -> None:
        settle(lambda: True, 0.2)
        watchdog.reset()
        started = time.perf_counter()
        action()
        settle(until)
        figures[f"{name}_s"] = round(time.perf_counter() - started, 2)
        figures[f"{name}_worst_stall_ms"] = round(watchdog.worst * 1000)

    def first_tile_shown() -> bool:
        return (window.session is not None and model.rowCount() > 0
                and int(model.positions[0]) in review.thumbnails.cache)

    act("open", lambda: open_results_folder(window, results), first_tile_shown)
    figures["rows"], figures["suspects"] = len(window.session.dataset), window.session.scores.suspects
    bar = grid.verticalScrollBar()

    def scroll() -> None:
        for step in range(1, 41):
            bar.setValue(bar.maximum() * step // 40)
            settle(lambda: True, 0.05)

    act("scroll", scroll)
    filters.issue.setCurrentIndex(filters.issue.findData("all"))
    act("all_images", lambda: None, lambda: model.total == len(window.session.dataset))
    act("filter_class", lambda: filters.given.setCurrentIndex(4), lambda: model.total < len(window.session.dataset))
    act("sort_confidence", lambda: filters.sort.setCurrentIndex(1))
    act("search", lambda: QTest.keyClicks(filters.search, "c3/001"), lambda: filters.search.text() == "c3/001")
    filters.search.clear()
    filters.given.setCurrentIndex(0)
    settle(lambda: True)

    def relabel_selected() -> None:
        grid.setFocus()
        grid.selectionModel().select(QItemSelection(model.index(0), model.index(999)),
                                     QItemSelectionModel.SelectionFlag.ClearAndSelect)
        review.decide_on(review.selected_positions(), "relabel", 2)

    act("relabel_1000", relabel_selected, lambda: (window.session.store.labels() == "c2").sum() >= 1000)
    for name, tab in (("health_tab", review.health), ("rounds_tab", review.rounds)):
        act(name, lambda tab=tab: review.tabs.setCurrentWidget(tab))
    figures.update(drive_map(review, act, figures["rows"]))
    figures["peak_mb"] = peak_mb()
    window.close()
    return figures


def drive_map(review, act, rows: int) -> dict:
    """The Map tab: its frames while panning (each a synchronous repaint), the image of all points drawn again
    once the view settles, and a lasso around some 10,000 points until the grid shows them, all selected."""
    plot = review.map.plot  # a checkout before the large map had no raster to draw, nor a grid answering later
    answering = lambda: getattr(review.model, "answering", False)  # noqa: E731
    act("map_tab", lambda: review.tabs.setCurrentWidget(review.map), lambda: len(plot.layout) == rows)
    (x0, x1), _ = plot.box.viewRange()
    frames = []
    for _ in range(40):
        plot.box.translateBy(x=(x1 - x0) / 80)
        started = time.perf_counter()
        plot.viewport().repaint()
        frames.append(time.perf_counter() - started)
    started = time.perf_counter()
    getattr(plot, "_draw_raster", lambda: None)()
    figures = {"map_points": len(plot.layout), "map_frame_median_ms": round(float(np.median(frames)) * 1000, 1),
               "map_frame_worst_ms": round(max(frames) * 1000, 1),
               "map_redraw_s": round(time.perf_counter() - started, 3)}
    plot.box.autoRange(padding=0.02)
    centre = np.array([30.0, 0.0])  # of the first true class's cluster (million.py draws them)
    circle = centre + 2.8 * np.stack([np.cos(np.linspace(0, 2 * np.pi, 64)), np.sin(np.linspace(0, 2 * np.pi, 64))], 1)
    filters, model = review.filters, review.model
    act("lasso", lambda: plot.box.drawn.emit(circle),
        lambda: filters.chosen is not None and not answering() and len(review.grid.selectionModel()
                                                                            .selectedIndexes()) == model.rowCount())
    figures["lasso_points"] = len(filters.chosen)
    return figures
