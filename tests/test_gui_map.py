"""The Map tab on real embeddings of real images, driven by qtbot: hover, click, lasso, then keys on the chosen."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from labelreview.gui.map import map_plot
from labelreview.gui.widgets import suspects_model

from tests.test_gui_issues import conflict_folder, shown_paths, wait_for_issues
from tests.test_gui_window import RUN_TIMEOUT, open_in, score


def on_screen(plot, position):
    """Where image ``position`` is drawn, in the plot's viewport pixels."""
    x, y = plot.layout[position]
    return plot.mapFromScene(plot.box.mapViewToScene(QPointF(x, y)))


def embedded_map(qtbot, window, tmp_path, mnist_test):
    session = open_in(qtbot, window, str(conflict_folder(tmp_path, mnist_test)))
    wait_for_issues(qtbot, window)
    with qtbot.waitSignal(window.run_finished, timeout=RUN_TIMEOUT):
        window.find_all_issues()  # embeds the images
    review = window.review
    with qtbot.waitSignal(review.map.loader.arranged, timeout=RUN_TIMEOUT,
                          check_params_cb=lambda session, layout, final: final):
        review.tabs.setCurrentWidget(review.map)
    return session, review, review.map


@pytest.mark.parametrize("size", ["small", "large"])
def test_map_hover_click_lasso_and_one_relabel_for_the_cluster(qtbot, window, tmp_path, mnist_test, size,
                                                                monkeypatch):
    """``large``: drawn as a map of a million is (one image of all points) and the grid queried on a worker."""
    if size == "large":
        monkeypatch.setattr(map_plot, "RASTER_POINTS", 0)
        monkeypatch.setattr(suspects_model, "WORKER_ROWS", 0)
    session, review, map_view = embedded_map(qtbot, window, tmp_path, mnist_test)
    plot = map_view.plot
    assert plot.layout.shape == (len(session.dataset), 2) and "placed by t-SNE" in map_view.status.text()
    assert (plot.raster is not None and not plot.items and plot.raster.image[..., 3].any()) == (size == "large")
    legend = [map_view.legend.item(row).text() for row in range(map_view.legend.count())]
    assert "1 (9)" in legend and "suspects not reviewed (0)" in legend  # given labels with counts, then marks

    target = session.dataset.paths.index("0/3.png")
    qtbot.mouseMove(plot.viewport(), QPoint(1, 1))  # from elsewhere: the pointer may still be there from a test
    qtbot.wait(15)  # pyqtgraph ignores moves closer than 10 ms apart
    qtbot.mouseMove(plot.viewport(), on_screen(plot, target))
    qtbot.waitUntil(lambda: map_view.card.isVisible())
    assert map_view.card.position in (target, session.dataset.paths.index("1/copy.png"))  # an exact copy lies on top
    assert map_view.card.words.text().endswith(session.dataset.path(map_view.card.position))

    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=on_screen(plot, target))
    clicked = map_view.selected.position
    assert clicked is not None and np.allclose(plot.layout[clicked], plot.layout[target], atol=1e-2)
    assert review.current_position() == clicked  # the grid follows
    with qtbot.waitSignal(review.similar_finder.found, timeout=RUN_TIMEOUT):
        map_view.similar.click()  # more like this, from the image clicked on the map
    qtbot.waitUntil(lambda: not review.model.answering)
    assert review.tabs.currentIndex() == 0 and shown_paths(window)[0] in ("0/3.png", "1/copy.png")
    review.filters.chosen_clear.click()
    review.tabs.setCurrentWidget(map_view)
    qtbot.wait(50)  # laid out again before the pointer moves

    zeros = np.flatnonzero(session.labels() == 0)
    corners = lasso_around(plot, plot.layout[zeros])
    inside = set(plot.inside(corners).tolist())
    assert inside >= set(zeros.tolist())
    (left, bottom), (right, top) = corners.min(axis=0), corners.max(axis=0)
    plot.box.setRange(xRange=(left, right), yRange=(bottom, top), padding=0.1)  # zoomed out: the lasso fits
    qtbot.wait(50)
    map_view.tools.buttons()[2].click()  # Lasso
    viewport = plot.viewport()
    pixels = [plot.mapFromScene(plot.box.mapViewToScene(QPointF(*c))) for c in corners]
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=pixels[0])
    for pixel in pixels[1:] + pixels[:1]:
        qtbot.wait(15)  # a hand moves the pointer; pyqtgraph ignores moves closer than 10 ms apart
        qtbot.mouseMove(viewport, pixel)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=pixels[0])
    qtbot.waitUntil(lambda: not review.model.answering)
    assert review.tabs.currentIndex() == 0 and "chosen on the map" in review.filters.chosen_label.toolTip()
    chosen = [session.dataset.paths.index(path) for path in shown_paths(window)]
    assert set(chosen) >= set(zeros.tolist())
    assert len(review.selected_positions()) == len(chosen)
    qtbot.keyClick(review.grid, Qt.Key.Key_7)  # one relabel for the whole cluster
    assert (session.labels()[chosen] == 7).all()
    window.undo()
    assert (session.labels()[chosen] == session.dataset.labels[chosen]).all()


def lasso_around(plot, points):
    """A lasso path (a loose octagon, in data coordinates) around ``points`` (n, 2)."""
    centre = points.mean(axis=0)
    radius = np.abs(points - centre).max() * 1.5 + 1e-3
    angles = np.linspace(0, 2 * np.pi, 9)[:-1]
    return centre + radius * np.column_stack([np.cos(angles), np.sin(angles)])


def test_map_colours_follow_scores_decisions_and_hidden_classes(qtbot, window, tmp_path, mnist_test):
    session, review, map_view = embedded_map(qtbot, window, tmp_path, mnist_test)
    score(qtbot, window)
    legend = lambda: [map_view.legend.item(row).text() for row in range(map_view.legend.count())]  # noqa: E731
    suspects = session.scores.suspects
    assert f"suspects not reviewed ({suspects:,})" in legend()
    map_view.colour_by.setCurrentIndex(1)  # predicted label
    assert sum(int(t.rsplit("(", 1)[1].rstrip(")")) for t in legend()[:11]) == len(session.dataset)
    map_view.colour_by.setCurrentIndex(2)  # label quality
    assert legend()[0].startswith("quality < 0.1")
    map_view.colour_by.setCurrentIndex(0)
    map_view.legend.item(3).setCheckState(Qt.CheckState.Unchecked)  # hide class 3
    threes = np.flatnonzero(session.labels() == 3)
    assert not plot_visible(map_view)[threes].any() and not map_view.plot.items[3].isVisible()
    review.decide_on([int(threes[0])], "remove")
    assert "removed (1)" in legend()
    assert map_view.legend.item(3).checkState() == Qt.CheckState.Unchecked  # still hidden after a decision


def plot_visible(map_view):
    return map_view.plot.visible
