"""File > Open scores...: results of ``labelreview score --out`` made elsewhere, reviewed in the window as usual."""

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog

from labelreview.cli import main
from labelreview.core.errors import DataError
from labelreview.core.review.results_folder import open_results

RUN_TIMEOUT = 120_000  # ms


@pytest.fixture
def scored_elsewhere(digit_folder, tmp_path):
    """Results of ``score`` on another machine: the folder's images then moved to where this one sees them."""
    out = tmp_path / "results"
    assert main(["score", str(digit_folder), "--model", "logreg", "--folds", "3", "--out", str(out)]) == 0
    here = shutil.move(digit_folder, tmp_path / "on-the-laptop" / "digits")
    return out, here


def test_open_scores_asks_where_the_images_are_and_reviews_them(qtbot, window, scored_elsewhere, monkeypatch):
    out, here = scored_elsewhere
    asked = []
    answers = iter([str(out), str(here)])  # the results folder, then where its images are on this machine
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: asked.append(args[1]) or next(answers))
    with qtbot.waitSignal(window.session_opened, timeout=RUN_TIMEOUT):
        next(a for a in window.findChildren(QAction) if a.text() == "O&pen scores\u2026").trigger()
    assert asked[0].startswith("Open scores") and "Where is digits on this computer?" in asked[1]
    session = window.session
    scores = pd.read_csv(out / "scores.csv", keep_default_na=False)
    assert session.source == str(here) and session.dataset.root == here
    assert session.scores.suspects == scores["is_label_issue"].sum() > 0
    assert window.review.model.rowCount() == session.scores.suspects
    assert np.array_equal(session.scores.pred_probs, np.load(out / "pred_probs.npy"))
    assert (session.scores_dir / "scores.csv").read_bytes() == (out / "scores.csv").read_bytes()
    assert len(session.rounds.rounds()) == 1
    window.review.grid.setFocus()
    first = session.suspect_positions()[0]
    session.accept_suggested([first])  # review as usual: the decision goes to the labels CSV beside the images
    labels = pd.read_csv(session.store.path, dtype=str, keep_default_na=False)
    assert session.store.path.parent == here.parent and (labels["status"] == "relabeled").sum() == 1


def test_results_of_other_images_are_refused_in_one_line(scored_elsewhere, shapes_folder, tmp_path):
    out, _ = scored_elsewhere
    with pytest.raises(DataError, match="these scores are not of"):
        open_results(out, images=str(shapes_folder))
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="not a results folder"):
        open_results(tmp_path / "empty")
    health = json.loads((out / "health.json").read_text())
    assert health["source"].endswith("digits") and health["labels"] is None


def test_gui_scores_opens_a_results_folder_from_the_command_line(digit_folder, tmp_path):
    """``labelreview gui --scores DIR``, as File > Open scores does: the real program, its log says when the
    scores are shown."""
    import os
    import subprocess
    import sys
    import time

    out = tmp_path / "results"
    assert main(["score", str(digit_folder), "--model", "logreg", "--folds", "3", "--out", str(out)]) == 0
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LABELREVIEW_LOG_DIR": str(tmp_path / "log")}
    window = subprocess.Popen([sys.executable, "-m", "labelreview", "gui", "--scores", str(out)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    log, opened = tmp_path / "log" / "labelreview.log", []
    try:
        deadline = time.monotonic() + RUN_TIMEOUT / 1000
        while not opened and time.monotonic() < deadline and window.poll() is None:
            time.sleep(0.2)
            opened = [line for line in (log.read_text().splitlines() if log.exists() else []) if " opened " in line]
    finally:
        window.terminate()
        window.wait(timeout=30)
    suspects = pd.read_csv(out / "scores.csv")["is_label_issue"].sum()
    assert opened and "scores restored" in opened[0] and str(digit_folder) in opened[0], window.stderr.read()
    assert suspects > 0
    assert main(["gui", str(digit_folder), "--scores", str(out)]) == 2  # one or the other, said before a window
