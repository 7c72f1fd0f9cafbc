"""The Health tab in the real window: charts after a run, drill-down into the grid, updates after decisions."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from labelreview.gui.health.health_view import PAIR_TILES, SHOWN_PAIRS
from labelreview.gui.main_window import MainWindow
from tests.test_gui_window import open_in, score


@pytest.fixture
def scored_window(qtbot, digit_folder):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    open_in(qtbot, window, str(digit_folder))
    score(qtbot, window)
    health = window.review.health
    qtbot.waitUntil(lambda: health.health is not None and len(health.health.positions) == 300, timeout=60_000)
    yield window
    window.close()


def test_clicking_a_confusion_cell_filters_the_grid_to_exactly_those_images(qtbot, scored_window):
    session, review, health = scored_window.session, scored_window.review, scored_window.review.health
    confusion = health.health.analysis.confusion
    off_diagonal = confusion - np.diag(np.diag(confusion))
    row, column = np.unravel_index(off_diagonal.argmax(), confusion.shape)
    canvas = health.canvases["confusion"]
    axes = canvas.figure.axes[0]
    canvas.draw()
    x, y = axes.transData.transform((column, row)) / canvas.device_pixel_ratio  # cell centre, y from the bottom
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(round(x), round(canvas.height() - y)))
    shown = review.model.positions
    expected = np.flatnonzero((session.labels() == row) & (session.scores.predicted == column))
    assert sorted(shown.tolist()) == expected.tolist() and len(shown) == confusion[row, column]
    assert review.tabs.currentIndex() == 0
    assert review.filters.given.currentData() == row and review.filters.predicted.currentData() == column


def test_choosing_an_overlap_pair_shows_both_directions_and_filters_the_grid(qtbot, scored_window):
    session, review, health = scored_window.session, scored_window.review, scored_window.review.health
    overlapping = health.health.analysis.overlapping
    assert health.overlap.rowCount() == min(SHOWN_PAIRS, len(overlapping)) > 0
    images = [int(health.overlap.item(row, 2).text().replace(",", "")) for row in range(health.overlap.rowCount())]
    assert images == sorted(images, reverse=True)  # most images first: the order the table shows
    review.tabs.setCurrentWidget(health)
    health.overlap.selectRow(0)
    a, b = int(overlapping["Class Index A"][0]), int(overlapping["Class Index B"][0])
    labels, predicted = session.labels(), session.scores.predicted
    a_to_b = np.flatnonzero((labels == a) & (predicted == b))
    b_to_a = np.flatnonzero((labels == b) & (predicted == a))
    for model, title, both in zip(health.pair_models, health.pair_titles, (a_to_b, b_to_a)):
        assert model.total == len(both) and model.rowCount() == min(len(both), PAIR_TILES)
        assert set(model.positions.tolist()) <= set(both.tolist())
        assert f": {len(both)}" in title.text() and ("more in the Suspects grid" in title.text()) == (
            len(both) > PAIR_TILES)
    assert review.tabs.currentWidget() is health  # the panes are seen (item 18); the grid is filtered behind them
    assert sorted(review.model.positions.tolist()) == sorted(a_to_b.tolist() + b_to_a.tolist())
    health.pair_to_grid.click()
    assert review.tabs.currentIndex() == 0
    confusion = health.health.analysis.confusion  # one count: the table, both panes, the grid, the heat map
    assert health.overlap.item(0, 2).text() == str(len(a_to_b) + len(b_to_a)) == str(review.model.rowCount())
    assert (len(a_to_b), len(b_to_a)) == (confusion[a, b], confusion[b, a])
    assert review.filters.pair == (a, b) and review.filters.pair_clear.isVisible()
    review.filters.pair_clear.click()
    assert review.filters.pair is None and len(review.model.positions) == 300


def test_charts_follow_the_curators_decisions(qtbot, scored_window):
    session, health = scored_window.session, scored_window.review.health
    before = health.health.given_counts.copy()
    with qtbot.waitSignal(health.updated, timeout=30_000):
        session.decide([0], "relabel", 5)
        scored_window.review.decisions_changed([0])
    assert health.health.given_counts[0] == before[0] - 1 and health.health.given_counts[5] == before[5] + 1
    written = health.export_pngs(scored_window.session.store.path.parent / "charts")
    assert [p.name for p in written] == ["class_quality.png", "confusion.png", "distribution.png"]
    assert all(p.stat().st_size > 5000 for p in written)


def test_exports_wait_for_scores(qtbot, window, digit_folder):
    open_in(qtbot, window, str(digit_folder))
    actions = window.review.health.export_actions
    assert all(action in window.menuBar().actions()[0].menu().actions() for action in actions)  # File menu
    assert not any(action.isEnabled() for action in actions)


def test_exports_say_where_they_went_or_why_not(qtbot, scored_window, tmp_path, monkeypatch, caplog):
    caplog.set_level("INFO", logger="labelreview")
    health, status = scored_window.review.health, scored_window.statusBar()
    charts, report = health.export_actions
    assert charts.isEnabled() and report.isEnabled()
    boxes = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: boxes.append(title))
    for target in (tmp_path / "report.html", tmp_path / "missing" / "report.html"):
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, path=str(target): (path, ""))
        report.trigger()
    assert (tmp_path / "report.html").stat().st_size > 10_000 and boxes == ["Could not export"]
    assert f"Report saved to {tmp_path / 'report.html'}" in caplog.text
    assert status.currentMessage() == f"Report saved to {tmp_path / 'report.html'}"
    (tmp_path / "a file").write_text("")
    for target in (tmp_path / "charts", tmp_path / "a file"):
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, path=str(target): path)
        charts.trigger()
    assert (tmp_path / "charts" / "confusion.png").exists() and boxes == ["Could not export"] * 2
    assert status.currentMessage() == f"Charts saved in {tmp_path / 'charts'}"


def test_the_wheel_over_a_chart_scrolls_the_health_page(qtbot, scored_window):
    """Issue 23, item 12: the page scrolls wherever the pointer is, charts included."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication, QScrollArea

    review = scored_window.review
    review.tabs.setCurrentWidget(review.health)
    scored_window.resize(900, 500)  # the page is taller than the window
    canvas = review.health.canvases["class_quality"]
    page = canvas.parentWidget()
    while not isinstance(page, QScrollArea):
        page = page.parentWidget()
    bar = page.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    before = bar.value()
    centre = QPointF(canvas.width() / 2, canvas.height() / 2)
    turn = QWheelEvent(centre, canvas.mapToGlobal(centre), QPoint(0, 0), QPoint(0, -120), Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(canvas, turn)
    assert bar.value() > before
