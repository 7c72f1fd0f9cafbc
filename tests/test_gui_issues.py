"""The window's issue selector, duplicate sets and set actions, driven by qtbot on real images."""

import numpy as np
from PIL import Image

from labelreview.core.review.grid_view import GridQuery
from tests.conftest import write_png_folder
from tests.test_gui_window import RUN_TIMEOUT, current, open_in, store_table


def conflict_folder(tmp_path, mnist_test):
    """8 digits a class, one of them copied under another label, one darkened."""
    root = write_png_folder(tmp_path / "digits", mnist_test.images(), mnist_test.labels, per_class=8)
    (root / "1" / "copy.png").write_bytes((root / "0" / "3.png").read_bytes())
    Image.eval(Image.open(root / "2" / "1.png"), lambda v: v // 4).save(root / "2" / "dark.png")
    return root


def wait_for_issues(qtbot, window):
    qtbot.waitUntil(lambda: window.session.issues is not None, timeout=RUN_TIMEOUT)


def shown_paths(window):
    dataset = window.session.dataset
    return [dataset.paths[i] for i in window.review.model.positions]


def test_issue_selector_counts_and_a_conflict_set_resolved_with_undo(qtbot, window, tmp_path, mnist_test):
    session = open_in(qtbot, window, str(conflict_folder(tmp_path, mnist_test)))
    wait_for_issues(qtbot, window)  # found on opening, beside the (free) task slot
    filters = window.review.filters
    texts = [filters.issue.itemText(row) for row in range(filters.issue.count())]
    assert "Label conflicts (2)" in texts and "    Dark (1)" in texts and "All images (82)" in texts

    filters.show_issue("label_conflict")
    assert sorted(shown_paths(window)) == ["0/3.png", "1/copy.png"]  # the set, side by side
    copy = session.dataset.paths.index("1/copy.png")
    window.review._select_row(window.review.model.row_of(copy))
    box = window.review.issue_box
    assert box.set_widget.isVisibleTo(box) and box.members[0] == copy and len(box.members) == 2
    assert "exact copy of 0/3.png, labelled 0" in box.reasons.text()

    window.review.show_query(GridQuery(issue="label_conflict"))
    window.review._select_row(window.review.model.row_of(session.dataset.paths.index("0/3.png")))
    box.one_label.click()  # "Label all '0'": one decision for the whole set
    assert list(store_table(session)["label"][[copy]]) == ["0"]
    assert "Label conflicts (0)" in [filters.issue.itemText(row) for row in range(filters.issue.count())]
    window.undo()
    assert list(store_table(session)["label"][[copy]]) == ["1"] and session.statuses()[copy] == ""
    assert "Label conflicts (2)" in [filters.issue.itemText(row) for row in range(filters.issue.count())]

    window.review._select_row(window.review.model.row_of(copy))
    box.remove_others.click()
    original = session.dataset.paths.index("0/3.png")
    assert session.statuses()[original] == "removed" and session.statuses()[copy] == ""
    window.undo()
    assert session.statuses()[original] == "" and current(window) == original


def test_quality_filter_shows_the_darkened_image_and_why(qtbot, window, tmp_path, mnist_test):
    session = open_in(qtbot, window, str(conflict_folder(tmp_path, mnist_test)))
    wait_for_issues(qtbot, window)
    window.review.filters.show_issue("dark")
    assert shown_paths(window) == ["2/dark.png"]
    assert "darker than" in window.review.issue_box.reasons.text()
    window.review.filters.show_issue("quality")
    assert "2/dark.png" in shown_paths(window)
    summary = window.review.health.issue_summary
    assert any("Dark" in (summary.rows.itemAt(i).widget().text() or "") for i in range(summary.rows.count())
               if hasattr(summary.rows.itemAt(i).widget(), "text"))
    assert np.isin(session.issues.positions("dark", session.labels()), [session.dataset.paths.index("2/dark.png")]).all()
