"""The command line contract: outputs, summaries, and bad input as exit 2 with one line."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from labelreview.cli import main

SCORE_COLUMNS = ["index", "path", "given_label", "predicted_label", "confidence", "label_quality",
                 "is_label_issue", "rank"]


def test_score_writes_the_result_files(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["score", "mnist:test", "--limit", "500", "--model", "logreg", "--folds", "3", "--out", str(out)]) == 0
    scores = pd.read_csv(out / "scores.csv", keep_default_na=False)
    assert list(scores.columns[:8]) == SCORE_COLUMNS
    assert len(scores) == 500 and scores["index"].tolist() == list(range(500))
    assert (scores["path"] == "").all() and sorted(scores["rank"]) == list(range(1, 501))
    assert set(scores["given_label"].astype(str)) <= set("0123456789")
    pred_probs = np.load(out / "pred_probs.npy", allow_pickle=False)
    assert pred_probs.shape == (500, 10) and pred_probs.dtype == np.float32
    assert np.allclose(scores["confidence"], pred_probs.max(1), atol=1e-5)
    health = json.loads((out / "health.json").read_text())
    assert health["examples"] == 500 and health["folds"] == 3 and health["class_names"] == list("0123456789")
    assert 0 < health["health_score"] <= 1 and health["seconds"] > 0 and len(health["per_class"]) == 10
    issues = pd.read_csv(out / "issues.csv", keep_default_na=False)
    assert list(issues.columns) == ["index", "path", "issue", "score", "group", "detail"]
    assert (issues["issue"] == "label").sum() == health["label_issues"] == health["issue_counts"]["label"]
    assert health["expected_precision"] is None and health["estimated_label_errors"] >= 0  # 500: too few to check
    assert health["issues_searched"][:3] == ["label", "exact duplicates", "image quality"]
    summary = capsys.readouterr().out.strip()
    assert summary.startswith("500 examples, ") and "suspects found, health score" in summary


def test_issues_finds_a_copy_under_another_label_without_a_model(digit_folder, tmp_path, capsys):
    (digit_folder / "1" / "copy.png").write_bytes((digit_folder / "0" / "0.png").read_bytes())
    out = tmp_path / "issues"
    assert main(["issues", str(digit_folder), "--out", str(out)]) == 0
    issues = pd.read_csv(out / "issues.csv", keep_default_na=False)
    conflict = issues[issues["issue"] == "label_conflict"]
    assert set(conflict["path"]) >= {"0/0.png", "1/copy.png"} and conflict["group"].nunique() >= 1
    assert "label" not in set(issues["issue"])  # no model was trained
    said = capsys.readouterr().out
    assert said.startswith("301 images: ") and "label conflict: " in said and str(out / "issues.csv") in said


def test_noise_writes_labels_and_truth_for_a_folder(digit_folder, tmp_path, capsys):
    out = tmp_path / "noise"
    assert main(["noise", str(digit_folder), "--rate", "0.2", "--seed", "1", "--out", str(out)]) == 0
    labels = pd.read_csv(out / "labels.csv", dtype=str)
    truth = pd.read_csv(out / "truth.csv", dtype=str)
    assert list(labels.columns) == ["path", "label"] and len(labels) == 300
    assert list(truth.columns) == ["index", "path", "true_label", "noisy_label"] and len(truth) == 60
    assert (truth["true_label"] != truth["noisy_label"]).all()
    merged = truth.merge(labels, on="path")
    assert (merged["label"] == merged["noisy_label"]).all()
    assert "60 of 300 labels flipped" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["score", "/no/such/dir", "--out", "x"], "/no/such/dir: no such file or folder"),
    (["score", "mnist:test", "--limit", "50", "--labels", "/no/labels.csv", "--out", "x"],
     "/no/labels.csv: file not found"),
    (["score", "mnist:test", "--limit", "30", "--folds", "5", "--out", "x"], "too few images for 5 folds"),
    (["noise", "mnist:test", "--rate", "2", "--out", "x"], "--rate must be between 0 and 1"),
    (["score", "mnist:test", "--limit", "50", "--out", "x", "--ray", "127.0.0.1:1"],
     "cannot reach a Ray cluster at 127.0.0.1:1: Connection refused"),
    (["score", "mnist:test", "--limit", "50", "--out", "x", "--ray", "nowhere"], "--ray nowhere: give the head's"),
])
def test_bad_input_exits_2_with_one_line(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and err.startswith("labelreview: error: ")


def test_corrupt_csv_through_python_m_has_no_traceback(tmp_path):
    bad = tmp_path / "labels.csv"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    result = subprocess.run([sys.executable, "-m", "labelreview", "score", str(bad), "--out", str(tmp_path / "o")],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr == f"labelreview: error: {bad}: not a UTF-8 text file\n"


def test_selftest_passes(capsys):
    assert main(["selftest"]) == 0
    assert "FAIL" not in capsys.readouterr().out


def test_similar_lists_the_nearest_images_with_labels_and_distances(digit_folder, tmp_path, capsys):
    (digit_folder / "7" / "copy.png").write_bytes((digit_folder / "3" / "2.png").read_bytes())
    assert main(["similar", str(digit_folder), "--image", "3/2.png", "--k", "5"]) == 0
    lines = [line.split("\t") for line in capsys.readouterr().out.strip().splitlines()]
    assert len(lines) == 5 and lines[0][:2] == ["7/copy.png", "7"] and float(lines[0][2]) < 1e-3
    distances = [float(line[2]) for line in lines]
    assert distances == sorted(distances) and "3/2.png" not in [line[0] for line in lines]
    outside = tmp_path / "query.png"
    outside.write_bytes((digit_folder / "3" / "2.png").read_bytes())
    assert main(["similar", str(digit_folder), "--image", str(outside), "--k", "2"]) == 0
    found = [line.split("\t")[0] for line in capsys.readouterr().out.strip().splitlines()]
    assert sorted(found) == ["3/2.png", "7/copy.png"]
    assert main(["similar", str(digit_folder), "--image", str(tmp_path / "nothing.png")]) == 2
    assert "no such image" in capsys.readouterr().err
