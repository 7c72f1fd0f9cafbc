"""The window's issue selector, duplicate sets and set actions, driven by qtbot on real images."""

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt

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
    window.review._select_row(window.review.model.row_of(copy))
    assert "duplicate: exact copy of 0/3.png, labelled 0" in box.reasons.text()  # no longer a conflict
    assert {"row": "digits/1/copy.png", "action": "relabel", "old": "1", "new": "0"} in audited(session)[-2:]
    window.undo()
    assert list(store_table(session)["label"][[copy]]) == ["1"] and session.statuses()[copy] == ""
    assert "Label conflicts (2)" in [filters.issue.itemText(row) for row in range(filters.issue.count())]

    window.review._select_row(window.review.model.row_of(copy))
    box.remove_others.click()
    original = session.dataset.paths.index("0/3.png")
    assert session.statuses()[original] == "removed" and session.statuses()[copy] == ""
    window.undo()
    assert session.statuses()[original] == "" and current(window) == original

    window.review._select_row(window.review.model.row_of(copy))
    box.keep_all.click()  # both labels stand: each image kept, in one command
    assert session.statuses()[[copy, original]].tolist() == ["kept", "kept"]
    assert sorted(entry["row"] for entry in audited(session)[-2:]) == ["digits/0/3.png", "digits/1/copy.png"]
    assert {entry["action"] for entry in audited(session)[-2:]} == {"keep"}
    window.undo()
    assert session.statuses()[[copy, original]].tolist() == ["", ""]
    assert [entry["action"] for entry in audited(session)[-2:]] == ["undo keep", "undo keep"]


def audited(session) -> list[dict]:
    """The audit log's decisions (row, action, old, new), save markers left out."""
    return [{key: entry.get(key) for key in ("row", "action", "old", "new")}
            for entry in session.store.audit.entries() if entry["action"] != "saved"]


def test_stop_the_search_on_opening_then_issues_come_back_on_reopen(qtbot, window, tmp_path, mnist_test):
    root = conflict_folder(tmp_path, mnist_test)
    session = open_in(qtbot, window, str(root))  # the search starts as the dataset opens
    status = window.finder_status
    assert status.isVisible() and "Duplicates and image issues" in status.label.text()
    with qtbot.waitSignal(window.finder.ended, timeout=RUN_TIMEOUT) as ended:
        status.stop.click()
    assert ended.args == [True] and session.issues is None and not status.isVisible()
    assert "Stopped looking for duplicates" in window.statusBar().currentMessage()

    with qtbot.waitSignal(window.finder.found, timeout=RUN_TIMEOUT):
        session = open_in(qtbot, window, str(root))
    saved = session.scores_dir / "issues.csv"
    assert saved.exists()
    session = open_in(qtbot, window, str(root))
    assert session.issues is not None and not window.finder._running()  # read back, not searched again

    saved.write_text("index,path,issue\n0,1,2,3\n")  # damaged: found again, not trusted
    with qtbot.waitSignal(window.finder.found, timeout=RUN_TIMEOUT):
        session = open_in(qtbot, window, str(root))
    assert "Label conflicts (2)" in [window.review.filters.issue.itemText(row)
                                     for row in range(window.review.filters.issue.count())]

    (root / "9" / "another-copy.png").write_bytes((root / "4" / "2.png").read_bytes())  # a file added since
    with qtbot.waitSignal(window.finder.found, timeout=RUN_TIMEOUT):
        session = open_in(qtbot, window, str(root))
    assert "Label conflicts (4)" in [window.review.filters.issue.itemText(row)
                                     for row in range(window.review.filters.issue.count())]


def test_new_findings_leave_the_curator_on_their_image(qtbot, window, tmp_path, mnist_test):
    open_in(qtbot, window, str(conflict_folder(tmp_path, mnist_test)))
    wait_for_issues(qtbot, window)
    window.review._select_row(7)
    chosen = current(window)
    window.review.issues_changed()  # as when the search on opening or Ctrl+I ends mid-review
    assert current(window) == chosen


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


def test_more_like_this_from_the_s_key_then_one_relabel_for_all(qtbot, window, tmp_path, mnist_test):
    session = open_in(qtbot, window, str(conflict_folder(tmp_path, mnist_test)))
    wait_for_issues(qtbot, window)
    with qtbot.waitSignal(window.run_finished, timeout=RUN_TIMEOUT):
        window.find_all_issues()  # embeds the images: near duplicates, outliers, and "more like this"
    review = window.review
    review.filters.show_issue("all")
    query = session.dataset.paths.index("0/3.png")
    review._select_row(review.model.row_of(query))
    with qtbot.waitSignal(review.similar_finder.found, timeout=RUN_TIMEOUT):
        qtbot.keyClick(review.grid, Qt.Key.Key_S)
    shown = shown_paths(window)
    assert len(shown) == 50 and shown[:2] in (["0/3.png", "1/copy.png"], ["1/copy.png", "0/3.png"])
    assert review.filters.chosen_clear.isVisible()
    assert review.filters.chosen_label.toolTip() == "50 images: 0/3.png and the 49 most like it"  # item 21: as shown
    review._select_row(1)
    assert "more like this: cosine distance 0.000 from 0/3.png" in review.issue_box.reasons.text()
    grid = review.grid
    grid.selectAll()
    qtbot.keyClick(grid, Qt.Key.Key_0)  # one relabel of all 50
    changed = [session.dataset.paths.index(path) for path in shown]
    assert (session.labels()[changed] == 0).all()
    window.undo()
    assert list(session.labels()[changed]) == list(session.dataset.labels[changed])
    review.filters.chosen_clear.click()
    assert len(shown_paths(window)) == len(session.dataset)
