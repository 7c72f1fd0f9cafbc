"""The Qt-free review session: decisions on disk at once, audit log, undo/redo, reopen, export."""

import json

import numpy as np
import pandas as pd
import pytest

from labelreview.core.engine.models import ModelSpec
from labelreview.core.engine.pipeline import score_dataset
from labelreview.core.errors import DataError
from labelreview.core.review.session import ReviewSession


@pytest.fixture
def session(digit_folder):
    return ReviewSession.open(str(digit_folder))


def read_store(session):
    return pd.read_csv(session.store.path, dtype=str, keep_default_na=False)


def audit(session):
    """The audit log without the 'saved' markers."""
    return [e for e in map(json.loads, session.store.audit_path.read_text().splitlines()) if e["action"] != "saved"]


def test_store_is_created_beside_the_folder(session, digit_folder):
    assert session.store.path == digit_folder.parent / "digits.labels.csv"
    table = read_store(session)
    assert list(table.columns) == ["path", "label", "original_label", "status"]
    assert table["path"][0] == "digits/0/0.png" and len(table) == 300 and (table["status"] == "").all()
    assert sorted(p.name for p in digit_folder.iterdir()) == [str(d) for d in range(10)]  # images untouched


def test_decisions_are_written_at_once_and_undoable(session):
    session.decide([0, 1], "relabel", 7)
    session.decide([2], "remove")
    session.decide([3], "keep")
    table = read_store(session)
    assert table["label"][:4].tolist() == ["7", "7", "0", "0"]
    assert table["original_label"][:2].tolist() == ["0", "0"]
    assert table["status"][:5].tolist() == ["relabeled", "relabeled", "removed", "kept", ""]
    entries = audit(session)
    assert [(e["row"], e["action"], e["old"], e["new"], e["old_status"], e["new_status"]) for e in entries[:2]] == [
        ("digits/0/0.png", "relabel", "0", "7", "", "relabeled"),
        ("digits/0/1.png", "relabel", "0", "7", "", "relabeled")]
    assert session.undo() == (3,) and session.undo() == (2,)
    assert read_store(session)["status"][:4].tolist() == ["relabeled", "relabeled", "", ""]
    assert session.undo() == (0, 1)  # a bulk action undoes as one
    assert (read_store(session)["status"] == "").all() and session.undo() == ()
    assert session.redo() == (0, 1) and read_store(session)["label"][0] == "7"
    assert [e["action"] for e in audit(session)[-3:]] == ["undo relabel", "relabel", "relabel"]
    assert len(session.training_dataset()) == 300


def test_relabel_back_to_the_original_counts_as_kept(session):
    session.decide([5], "relabel", 3)
    session.decide([5], "relabel", 0)
    assert session.store.decision(5).status == "kept"


def test_reopen_restores_decisions_and_scores(session, digit_folder):
    run = score_dataset(session.training_dataset(), ModelSpec("logreg"), folds=3)
    session.scores = session.save_run(run)
    worst = int(np.argmin(session.scores.rank))
    session.accept_suggested([worst])
    session.decide([10], "remove")
    again = ReviewSession.open(str(digit_folder))
    assert again.statuses()[10] == "removed" and again.statuses()[worst] in ("relabeled", "kept")
    assert np.array_equal(again.scores.rank, session.scores.rank)
    assert np.allclose(again.scores.pred_probs, session.scores.pred_probs)
    assert again.review_counts().suspects == session.scores.suspects
    training = again.training_dataset()
    assert len(training) == 299 and 10 not in training.index
    assert audit(session)[0]["suggested"] is not None and audit(session)[0]["score"] is not None


def test_export_cleaned_drops_removed_and_applies_relabels(session, tmp_path):
    session.decide([0], "relabel", 9)
    session.decide([1], "remove")
    rows = session.export_cleaned(tmp_path / "clean.csv")
    cleaned = pd.read_csv(tmp_path / "clean.csv", dtype=str)
    assert rows == 299 and list(cleaned.columns) == ["path", "label"]
    assert cleaned["label"][0] == "9" and "digits/0/1.png" not in set(cleaned["path"])


def test_a_csv_changed_by_another_program_is_not_overwritten(session):
    path = session.store.path
    path.write_text(path.read_text() + "\n")
    with pytest.raises(DataError, match="changed by another program"):
        session.decide([0], "keep")
    assert session.store.decision(0).status == "kept"  # kept in memory
    assert audit(session)[-1]["action"] == "keep"  # and in the audit log, to replay


def test_mnist_labels_live_in_the_data_folder(tmp_path):
    session = ReviewSession.open("mnist:test")
    assert session.store.path.name == "mnist-test.labels.csv"
    assert read_store(session).columns[0] == "index" and len(read_store(session)) == 10_000


def test_labels_can_live_elsewhere_and_follow_the_curator(session, digit_folder, tmp_path):
    session.decide([0], "remove")
    old_path = session.store.path
    old_csv = old_path.read_text()
    chosen = tmp_path / "elsewhere" / "my labels.csv"
    session.move_labels(chosen)
    session.decide([1], "relabel", 4)
    assert old_path.read_text() == old_csv  # the old file is left as it was
    table = pd.read_csv(chosen, dtype=str, keep_default_na=False)
    assert table["path"][0] == "0/0.png"  # relative to the image root: the images are not below the CSV
    assert table["status"][:2].tolist() == ["removed", "relabeled"]
    assert [e["action"] for e in audit(session)] == ["remove", "move", "relabel"]
    again = ReviewSession.open(str(digit_folder), labels_path=chosen)
    assert again.statuses()[:2].tolist() == ["removed", "relabeled"] and again.labels()[1] == 4
    above = digit_folder.parent / "labels-above.csv"
    again.move_labels(above)
    assert pd.read_csv(above, dtype=str)["path"][0] == "digits/0/0.png"  # below the CSV: relative to it


def test_a_crash_between_log_and_csv_is_replayed_on_open(session, digit_folder, monkeypatch):
    from labelreview.core.review import label_store

    def crash(path, table):
        raise OSError(28, "No space left on device")  # the log got the decision, the CSV did not

    monkeypatch.setattr(label_store, "write_labels_table", crash)
    with pytest.raises(OSError):
        session.decide([4], "relabel", 6)
    assert session.store.decision(4).label == "6"  # kept in memory
    monkeypatch.undo()
    assert read_store(session)["status"][4] == ""  # not on disk yet
    again = ReviewSession.open(str(digit_folder))
    assert again.store.decision(4) == session.store.decision(4)
    assert read_store(again)["label"][4] == "6" and audit(again)[-1]["action"] == "replay"


def test_saving_resumes_after_a_failed_save(session, monkeypatch):
    from labelreview.core.review import label_store

    real = label_store.write_labels_table
    monkeypatch.setattr(label_store, "write_labels_table", lambda path, table: (_ for _ in ()).throw(
        PermissionError(13, "Permission denied", str(path))))
    with pytest.raises(PermissionError):
        session.decide([7], "remove")
    monkeypatch.setattr(label_store, "write_labels_table", real)
    session.decide([8], "keep")  # the next save writes both decisions
    assert read_store(session)["status"][7:9].tolist() == ["removed", "kept"]


def test_a_labels_csv_keeps_a_class_the_curator_relabeled_away(session):
    """The CSV is both the dataset and its labels: its original labels keep the class (and the scores) alive."""
    csv_session = ReviewSession.open(str(session.store.path))
    csv_session.scores = csv_session.save_run(score_dataset(csv_session.training_dataset(), ModelSpec("logreg"),
                                                            folds=3))
    nines = np.flatnonzero(csv_session.labels() == csv_session.dataset.class_names.index("9"))
    csv_session.decide(nines, "relabel", csv_session.dataset.class_names.index("4"))
    again = ReviewSession.open(str(session.store.path))
    assert again.dataset.class_names == csv_session.dataset.class_names
    assert again.scores.scored.all() and np.array_equal(again.scores.rank, csv_session.scores.rank)
    assert (again.dataset.label_names(again.labels())[nines] == "4").all()
    rescored = score_dataset(again.training_dataset(), ModelSpec("logreg"), folds=3)  # a class with no images
    assert rescored.cv.pred_probs.shape == (300, 10)


def test_settings_of_version_1_and_damaged_run_settings_read(tmp_path, monkeypatch):
    """Version 1 kept one set of run options for every dataset: they become the latest dataset's own; a value of
    the wrong type falls back to its default rather than failing when a dataset opens."""
    import json

    from labelreview.core.settings import RunSettings, load_settings

    monkeypatch.setenv("LABELREVIEW_CONFIG_DIR", str(tmp_path))
    (tmp_path / "settings.json").write_text(json.dumps({"model": "cnn", "folds": 4, "epochs": 6, "seed": 1,
                                                        "recent": ["mnist", "other"], "version": 1}))
    settings = load_settings()
    assert settings.run_settings("mnist") == RunSettings("cnn", 4, 6, 1)
    assert settings.run_settings("other") == RunSettings()
    settings.runs["other"] = {"model": "lite0", "folds": "five"}
    assert settings.run_settings("other") == RunSettings(model="lite0")
    settings.runs = ["not", "a", "dict"]
    assert settings.run_settings("mnist") == RunSettings()
