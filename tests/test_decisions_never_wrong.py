"""Decisions that are never wrong: no key writes a label the curator did not mean, no subset evicts embeddings,
no dataset switch crashes, no run traps the curator on the start page, a noise CSV opens, a map choice shows
all of itself (issue 23)."""

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from labelreview.cli import main
from labelreview.core.data.row_cache import cached_rows, stored_rows
from labelreview.core.data.sources import open_source
from labelreview.core.engine.models import ModelSpec
from labelreview.core.engine.pipeline import score_dataset
from labelreview.core.errors import DataError
from labelreview.core.review.session import ReviewSession
from tests.conftest import write_png_folder
from tests.test_gui_window import RUN_TIMEOUT, current, open_in, score, store_table


@pytest.fixture
def scored(digit_folder):
    """The digit folder's review session, scored with logistic regression (real cleanlab, real files)."""
    session = ReviewSession.open(str(digit_folder))
    session.show_scores(session.save_run(score_dataset(session.training_dataset(), ModelSpec("logreg"), folds=3)))
    return session


def agreeing_and_not(session, count=3):
    """Positions whose label the model agrees with, and positions where it prefers another class."""
    agrees = session.scores.predicted == session.labels()
    return np.flatnonzero(agrees)[:count], np.flatnonzero(~agrees)[:count]


# 1. A relabels only where the model prefers another class


def test_a_suggestion_is_offered_only_where_the_model_prefers_another_class(scored):
    agreed, disagreed = agreeing_and_not(scored)
    assert len(agreed) == len(disagreed) == 3
    assert (scored.suggestions(agreed) == -1).all()
    assert (scored.suggestions(disagreed) == scored.scores.predicted[disagreed]).all()
    saved = pd.read_csv(scored.scores_dir / "scores.csv", dtype=str, keep_default_na=False)
    assert (saved["suggested_label"][agreed] == "").all()  # the file offers none either
    assert (saved["suggested_label"][disagreed] == saved["predicted_label"][disagreed]).all()


def test_accepting_relabels_only_the_images_that_have_a_suggestion(scored):
    agreed, disagreed = agreeing_and_not(scored)
    before = scored.labels()
    assert scored.accept_suggested(agreed) == () and not scored.done  # nothing written, nothing to undo
    assert (scored.statuses()[agreed] == "").all()
    assert scored.accept_suggested(np.concatenate([agreed, disagreed])) == tuple(disagreed)  # bulk A
    after = scored.labels()
    assert (after[disagreed] == scored.scores.predicted[disagreed]).all() and (after[agreed] == before[agreed]).all()
    assert (scored.statuses()[agreed] == "").all() and (scored.statuses()[disagreed] == "relabeled").all()
    assert (scored.suggestions(disagreed) == -1).all()  # now the model agrees: a second A changes nothing


def test_a_in_the_window_on_an_image_the_model_agrees_with_writes_nothing(qtbot, window, digit_folder):
    session = open_in(qtbot, window, str(digit_folder))
    score(qtbot, window)
    agreed, _ = agreeing_and_not(session, 1)
    window.review.filters.show_issue("all")  # where such images are reached
    window.review._select_position(int(agreed[0]))
    assert current(window) == agreed[0]
    assert window.review.detail.fields["Suggested"].text().startswith("none")
    csv = session.store.path.read_bytes()
    qtbot.keyClick(window.review.grid, Qt.Key.Key_A)
    assert session.store.path.read_bytes() == csv and session.statuses()[agreed[0]] == ""
    assert window.statusBar().currentMessage().startswith("No suggestion for 1 image")


# 2. The status always follows from the original and the current label


def test_deciding_again_on_a_relabeled_image_keeps_it_relabeled(digit_folder):
    session = ReviewSession.open(str(digit_folder))
    session.decide([5], "relabel", 7)
    session.decide([5, 6], "relabel", 7)  # a lasso relabel of a cluster that holds it
    assert session.statuses()[[5, 6]].tolist() == ["relabeled", "relabeled"]
    session.decide([5], "keep")  # K on it: the new label is confirmed, still not the original
    table = pd.read_csv(session.store.path, dtype=str, keep_default_na=False)
    assert table.loc[5, ["label", "original_label", "status"]].tolist() == ["7", "0", "relabeled"]
    session.decide([5], "relabel", 0)
    assert session.statuses()[5] == "kept"  # back to the original: reviewed, unchanged


# 3. Computing a subset never evicts or shrinks the store


def fill_with_numbers(keys):
    """A fill that writes each key's number (``img/N.png|...``) into its row and counts what it computed."""
    computed = []

    def fill(rows, todo):
        for i in todo:
            rows[i] = int(keys[i].split("/")[1].split(".")[0])
        computed.extend(todo)
        yield todo, {}

    return fill, computed


def test_computing_subsets_never_evicts_or_shrinks_the_rest(tmp_path):
    keys = [f"img/{i}.png|100|{i}" for i in range(713)]
    fill, computed = fill_with_numbers(keys)
    cached_rows(tmp_path, keys, (2,), np.float16, fill, what="test")
    assert len(computed) == 713
    for subset in (keys[:570], keys[570:], keys[::5], keys[-1:]):  # retrain and compare: train, test; a fold
        fill, computed = fill_with_numbers(subset)
        rows, _ = cached_rows(tmp_path, subset, (2,), np.float16, fill, what="test")
        assert computed == [] and rows[:, 0].tolist() == [int(k.split("/")[1].split(".")[0]) for k in subset]
    everything = stored_rows(tmp_path, keys, (2,), np.float16)
    assert everything is not None and everything[:, 0].tolist() == list(range(713))


def test_a_changed_file_replaces_its_old_row_instead_of_piling_up(tmp_path):
    keys = [f"img/{i}.png|100|{i}" for i in range(10)]
    cached_rows(tmp_path, keys, (1,), np.float16, fill_with_numbers(keys)[0], what="test")
    changed = ["img/3.png|100|999"]  # the same file, modified
    fill, computed = fill_with_numbers(changed)
    cached_rows(tmp_path, changed, (1,), np.float16, fill, what="test")
    assert computed == [0]
    now = keys[:3] + changed + keys[4:]
    assert stored_rows(tmp_path, now, (1,), np.float16) is not None
    assert stored_rows(tmp_path, keys, (1,), np.float16) is None  # the old version is gone, not kept beside it


# 4. Opening a dataset with fewer classes than the open one


def test_opening_a_dataset_with_fewer_classes_than_the_open_one(qtbot, window, tmp_path, mnist_test):
    images, labels = mnist_test.images(), mnist_test.labels
    ten = write_png_folder(tmp_path / "ten", images, labels, per_class=12)
    eight = write_png_folder(tmp_path / "eight", images[labels < 8], labels[labels < 8], per_class=12)
    one = write_png_folder(tmp_path / "one", images[labels == 4], labels[labels == 4], per_class=12)
    open_in(qtbot, window, str(ten))
    score(qtbot, window)
    for folder, classes in ((eight, 8), (one, 1)):
        session = open_in(qtbot, window, str(folder))
        filters = window.review.filters
        assert len(session.dataset.class_names) == classes and filters.given.count() == classes + 1
        assert filters.given.itemText(classes) == f"Given: {session.dataset.class_names[-1]} (12)"


# 5. The start page during a run


def test_the_start_page_shows_the_run_and_leads_back(qtbot, window, digit_folder, tmp_path, monkeypatch):
    session = open_in(qtbot, window, str(digit_folder))
    other = write_png_folder(tmp_path / "other", np.zeros((20, 28, 28, 1), np.uint8), np.repeat([0, 1], 10), 10)
    panel, start = window.review.run_panel, window.start_page
    panel.model.setCurrentIndex(panel.model.findData("cnn"))
    panel.epochs.setValue(30)
    panel.score.click()
    start_page = next(a for a in window.menuBar().actions()[0].menu().actions() if a.text() == "&Start page")
    start_page.trigger()
    assert window.pages.currentWidget() is start and start.run_box.isVisible()
    assert start.run_name.text() == f"<b>Scoring {session.dataset.name}</b>" and start.back.text() == "Back to digits"
    qtbot.waitUntil(lambda: start.run_progress.value() > 0, timeout=RUN_TIMEOUT)
    start.back.click()
    assert window.pages.currentWidget() is window.review and window.task is not None
    start_page.trigger()
    window.open_source(str(digit_folder))  # the same dataset: shown again, the run goes on
    assert window.pages.currentWidget() is window.review and window.task is not None
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args: asked.append(args[2]) or QMessageBox.StandardButton.No)
    window.open_source(str(other))  # another one: asked first; No leaves everything as it was
    assert asked[0].startswith("Scoring is under way. Cancel it and open") and window.task is not None
    assert window.session is session
    monkeypatch.setattr(QMessageBox, "question", lambda *args: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(window.session_opened, timeout=RUN_TIMEOUT):
        window.open_source(str(other))  # Yes: the run is cancelled, then the other one opens
    assert window.session.source == str(other) and window.task is None and not start.run_box.isVisible()
    assert store_table(session)["status"].eq("").all()  # the cancelled run wrote no decision


def test_cancel_on_the_start_page_stops_the_run(qtbot, window, digit_folder):
    open_in(qtbot, window, str(digit_folder))
    panel, start = window.review.run_panel, window.start_page
    panel.model.setCurrentIndex(panel.model.findData("cnn"))
    panel.epochs.setValue(30)
    with qtbot.waitSignal(window.run_finished, timeout=RUN_TIMEOUT) as finished:
        panel.score.click()
        window.pages.setCurrentWidget(start)
        qtbot.waitUntil(lambda: start.run_progress.value() > 0, timeout=RUN_TIMEOUT)
        qtbot.mouseClick(start.run_cancel, Qt.MouseButton.LeftButton)
    assert finished.args == ["cancelled"] and not start.run_box.isVisible() and window.task is None


# 6. The labels CSV that noise writes opens everywhere


@pytest.fixture
def noisy(digit_folder, tmp_path):
    """``labelreview noise`` run into a folder beside (not above) the images: (its labels CSV, the flipped rows)."""
    out = tmp_path / "elsewhere" / "noise"
    assert main(["noise", str(digit_folder), "--rate", "0.2", "--seed", "1", "--out", str(out)]) == 0
    return out / "labels.csv", pd.read_csv(out / "truth.csv", dtype=str)


def test_the_noise_csv_opens_as_a_source_and_as_other_labels_for_its_folder(digit_folder, noisy):
    csv, truth = noisy
    as_source = open_source(str(csv))
    assert len(as_source) == 300 and not as_source.skipped
    assert dict(zip(truth["path"], truth["noisy_label"])).items() <= dict(zip(as_source.paths,
                                                                              as_source.label_names())).items()
    relabeled = open_source(str(digit_folder), labels=csv)
    assert (relabeled.labels != open_source(str(digit_folder)).labels).sum() == 60
    session = ReviewSession.open(str(digit_folder), labels_path=csv)  # gui FOLDER --labels CSV
    assert (session.labels() == relabeled.labels).all() and session.store.path == csv
    session.decide([0], "remove")
    table = pd.read_csv(csv, dtype=str, keep_default_na=False)
    assert len(table) == 300 and table["status"].tolist().count("removed") == 1  # no row added twice


def test_the_window_opens_a_folder_with_other_labels(qtbot, window, digit_folder, noisy):
    csv, _ = noisy
    with qtbot.waitSignal(window.session_opened, timeout=RUN_TIMEOUT):
        window.start_page.open_with_labels.emit(str(digit_folder), str(csv))
    assert window.session.store.path == csv and str(csv) in window.windowTitle()
    assert (window.session.labels() == open_source(str(digit_folder), labels=csv).labels).all()


def test_none_could_be_read_names_a_path_it_tried(tmp_path):
    csv = tmp_path / "labels.csv"
    csv.write_text("path,label\nmissing/a.png,x\nmissing/b.png,y\n")
    with pytest.raises(DataError, match=r"none of the 2 images could be read \(the first: .*missing/a\.png"):
        open_source(str(csv))


def test_a_commit_leaves_another_writers_unfinished_rows_alone(tmp_path):
    """The finders on opening and a Score measure the same images at once: one's commit must not delete the
    other's temp file (it did: 'Scoring failed: No such file ... rows-....npy')."""
    keys = [f"img/{i}.png|100|{i}" for i in range(5)]
    cached_rows(tmp_path, keys[:2], (1,), np.float16, fill_with_numbers(keys[:2])[0], what="test")

    def fill_while_another_commits(rows, todo):
        unfinished = list(tmp_path.glob(".rows-*"))
        assert len(unfinished) == 1  # this writer's own temp file
        cached_rows(tmp_path, keys[3:], (1,), np.float16, fill_with_numbers(keys[3:])[0], what="test")
        assert unfinished[0].exists()
        yield from fill_with_numbers(keys)[0](rows, todo)

    rows, _ = cached_rows(tmp_path, keys, (1,), np.float16, fill_while_another_commits, what="test")
    assert rows[:, 0].tolist() == [0, 1, 2, 3, 4]


# 7. A map choice shows exactly its images, all selected, and says which filters cut it


def test_a_map_choice_shows_exactly_its_images_all_selected(qtbot, window, digit_folder):
    session = open_in(qtbot, window, str(digit_folder))
    score(qtbot, window)
    review, labels = window.review, session.labels()
    review.health.confusion_cell(int(labels[0]), int(session.scores.predicted[0]))  # an old heat-map filter
    review.filters.decision.setCurrentIndex(1)  # and unreviewed only
    chosen = np.concatenate([np.flatnonzero(labels == k)[:4] for k in range(3)])
    session.decide([int(chosen[0])], "keep")  # reviewed: the decision filter would hide it
    review.map.chosen.emit(chosen)
    assert review.model.rowCount() == len(chosen)
    assert sorted(review.selected_positions()) == sorted(chosen.tolist())
    said = window.statusBar().currentMessage()
    assert said.startswith(f"{len(chosen)} images chosen on the map: Given: ") and "Decision: unreviewed" in said
    review.filters.given.setCurrentIndex(1)  # the curator narrows the choice: the count line says by what
    hidden = len(chosen) - review.model.rowCount()
    assert hidden > 0 and f"({hidden} of the {len(chosen)} chosen hidden by Given: " in review.filters.counts.text()


def test_a_large_labels_csv_is_written_on_a_thread_and_a_failed_write_loses_nothing(digit_folder, monkeypatch):
    """Over BACKGROUND_ROWS rows, a decision returns before its CSV is written; a write that fails is reported
    from that thread, and the decisions it lacked come back from the audit log when the dataset is opened."""
    from labelreview.core.review import label_store

    monkeypatch.setattr(label_store, "BACKGROUND_ROWS", 0)
    session = ReviewSession.open(str(digit_folder))
    failures = []
    session.store.save_on_a_thread(failures.append)
    session.decide([0, 1], "relabel", 5)
    session.decide([2], "remove")
    session.store.close()
    saved = pd.read_csv(session.store.path, dtype=str, keep_default_na=False)
    assert list(saved["status"][:3]) == ["relabeled", "relabeled", "removed"] and not failures
    session.store.save_on_a_thread(failures.append)
    monkeypatch.setattr(label_store, "write_labels_table", lambda *args: (_ for _ in ()).throw(OSError("disk full")))
    session.decide([3], "relabel", 7)
    session.store.close()
    assert failures == ["disk full"] and session.labels([3])[0] == 7  # kept in memory
    monkeypatch.undo()
    reopened = ReviewSession.open(str(digit_folder))
    assert reopened.labels([0, 1, 3]).tolist() == [5, 5, 7] and reopened.statuses()[2] == "removed"
