"""The window and its dialogs fit a 1366 x 768 laptop screen; each page scrolls in one place at most."""

import numpy as np
import pandas as pd
import pytest
from PySide6.QtWidgets import QAbstractScrollArea, QHeaderView, QLabel, QScrollArea

from labelreview.core.review.calibration import Calibration
from labelreview.core.review.compare import Comparison, Evaluation
from labelreview.core.review.grid_view import ISSUE_FILTERS, GridQuery
from labelreview.gui.dialogs.calibration_dialog import CalibrationDialog
from labelreview.gui.dialogs.compare_dialog import CompareDialog
from labelreview.gui.health.health_view import PAIR_TILES
from tests.test_gui_window import RUN_TIMEOUT, open_in, score

LAPTOP_WIDTH, LAPTOP_HEIGHT = 1366, 768 - 40  # less a title bar


def fits_a_laptop(size) -> bool:
    return size.width() <= LAPTOP_WIDTH and size.height() <= LAPTOP_HEIGHT


def rows_height(table, rows: int) -> int:
    return (table.horizontalHeader().height() + 2 * table.frameWidth()
            + sum(table.rowHeight(row) for row in range(rows)))


def test_every_page_fits_a_laptop_screen_after_a_run(qtbot, window, digit_folder):
    open_in(qtbot, window, str(digit_folder))
    score(qtbot, window)  # the longest status line of all
    health, rounds = window.review.health, window.review.rounds
    qtbot.waitUntil(lambda: health.health is not None and len(health.health.positions) == 300, timeout=60_000)
    for page in range(window.review.tabs.count()):
        window.review.tabs.setCurrentIndex(page)
        assert fits_a_laptop(window.minimumSizeHint())
    assert health.overlap.verticalScrollBar().maximum() == 0  # the page scrolls, not the table inside it
    assert health.overlap.height() == rows_height(health.overlap, health.overlap.rowCount())
    health.overlap.selectRow(0)  # a pair in both panes
    window.review.tabs.setCurrentWidget(health)
    page = health.findChild(QScrollArea)
    inner = [area for area in health.findChildren(QAbstractScrollArea) if area.isVisible() and area is not page
             and not isinstance(area, QHeaderView)]
    assert [health.overlap, *health.pair_views] == inner
    qtbot.waitUntil(lambda: all(area.verticalScrollBar().maximum() == 0 for area in inner))  # only the page scrolls
    for view, model in zip(health.pair_views, health.pair_models):
        assert model.rowCount() == min(model.total, PAIR_TILES)
        last = view.visualRect(model.index(model.rowCount() - 1)) if model.rowCount() else view.rect()
        assert last.bottom() <= view.viewport().height()  # every tile in view
    assert rounds.table.height() == rows_height(rounds.table, 1)  # no empty band under the only round


def test_a_crowded_filter_bar_fits_a_laptop_screen(qtbot, window, digit_folder):
    """A pair chosen, unreadable files, long class names and large counts: still no wider than the screen."""
    for folder in sorted(digit_folder.iterdir()):
        folder.rename(folder.with_name(f"a rather long class name for digit {folder.name}"))
    (digit_folder / "a rather long class name for digit 3" / "broken.png").write_bytes(b"not a png")
    open_in(qtbot, window, str(digit_folder))
    filters, big = window.review.filters, np.full(10, 1_234_567)
    qtbot.waitUntil(filters.unreadable.isVisible, timeout=RUN_TIMEOUT)  # the search for issues found it
    session = window.session
    window.review.show_query(GridQuery(issue="all", pair=(3, 7)))
    filters.set_counts(big, big)
    filters.set_issue_counts(dict.fromkeys(ISSUE_FILTERS, 12_345_678))
    filters.counts.setText("1,234,567 of 2,345,678 suspects reviewed \u00b7 12,345,678 shown of 12,345,678 images")
    filters.unreadable.setText("\u26a0 1,234,567 unreadable files")
    assert filters.pair_label.isVisible() and filters.unreadable.isVisible() and len(session.dataset.skipped) == 1
    assert window.centralWidget().minimumSizeHint().width() <= LAPTOP_WIDTH  # offscreen, the window's hint lagged
    assert session.dataset.class_names[7] in filters.pair_label.toolTip()  # whole where the label is shortened
    filters.set_chosen((1, 2), f"2 images: {session.dataset.path(1)} and the 1 most like it")  # the pair gives way
    assert filters.chosen_clear.isVisible() and not filters.pair_clear.isVisible() and filters.pair is None
    assert window.centralWidget().minimumSizeHint().width() <= LAPTOP_WIDTH


def comparison() -> Comparison:
    confusion = np.eye(10, dtype=np.int64) * 8
    leaks = pd.DataFrame({"test": ["3/copy.png"], "train": ["3/2.png"], "similarity": [1.0], "exact": [True]})
    return Comparison(tuple("0123456789"), Evaluation(320, confusion), Evaluation(318, confusion), leaks)


def calibration() -> Calibration:
    curve = np.linspace(1, 0.5, 50)
    per_class = pd.DataFrame({"class": list("0123456789"), "injected": 5, "flagged": 6, "found": 4,
                              "precision": 0.66, "recall": 0.8})
    return Calibration(0.66, 0.8, 0.72, curve, curve[::-1], per_class)


@pytest.mark.parametrize("make", [lambda parent: CompareDialog(comparison(), "a test set", parent),
                                  lambda parent: CalibrationDialog(calibration(), 0.1, "uniform", parent)])
def test_result_dialogs_fit_the_screen_and_close(qtbot, window, make):
    dialog = make(window)
    qtbot.addWidget(dialog)
    dialog.show()
    screen = window.screen().availableGeometry()
    assert fits_a_laptop(dialog.minimumSizeHint())
    assert dialog.width() <= screen.width() and dialog.height() <= screen.height()
    with qtbot.waitSignal(dialog.rejected):
        dialog.close_button.click()
    assert not dialog.isVisible()


def test_a_long_run_status_keeps_to_one_line_and_the_panel_does_not_jump(qtbot, window, digit_folder):
    open_in(qtbot, window, str(digit_folder))
    panel = window.review.run_panel
    window.resize(LAPTOP_WIDTH, LAPTOP_HEIGHT)
    qtbot.wait(50)
    height = panel.height()
    long = "Done in 48 s: 470 suspects, about 7 in 10 likely real, health score 0.884, model lite0 agrees with 68% " * 3
    panel.set_running(False, long)
    qtbot.wait(50)
    shown = QLabel.text(panel.status)
    assert panel.height() == height and shown.endswith("\u2026")
    assert panel.status.fontMetrics().horizontalAdvance(shown) <= panel.status.width()  # one line, cut to fit
    assert panel.status.text() == panel.status.toolTip() == long  # whole where the curator can read it
    failure = "The map could not be made: RuntimeError:\n    An attempt has been made to start a new process"
    window.review.map.status.setText(failure)  # a traceback's lines on one line, the plot not pushed down
    assert "\n" not in QLabel.text(window.review.map.status) and window.review.map.status.text() == failure


def test_tiles_share_the_grids_width_and_have_a_line_for_each_label(qtbot, window, digit_folder):
    """Issue 23, item 19: no empty strip right of the grid; "seasonal -> symbols" is not cut to "seaso... -> symb..."."""
    from labelreview.gui.widgets.tile_delegate import TILE

    open_in(qtbot, window, str(digit_folder))
    grid = window.review.grid
    for width in (LAPTOP_WIDTH, 1000):
        window.resize(width, LAPTOP_HEIGHT)
        qtbot.waitUntil(lambda: grid.gridSize().width() * grid.columns() >= grid.viewport().width() - grid.columns())
        assert grid.gridSize().width() >= TILE.width()
    metrics = grid.fontMetrics()
    assert metrics.horizontalAdvance("\u2192 transportation") < grid.gridSize().width() - 14  # a line each, whole
