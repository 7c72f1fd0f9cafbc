"""Calibration on real MNIST: figures against the injected truth, the curator's labels untouched."""

import json

import numpy as np
import pandas as pd
import pytest

from labelreview.cli import main
from labelreview.core.data.sources import open_source
from labelreview.core.engine.models import ModelSpec
from labelreview.core.review.calibration import calibrate


def test_calibration_figures_match_noise_and_score_against_truth(tmp_path):
    dataset = open_source("mnist:test", limit=1500)
    labels_before = dataset.labels.copy()
    result = calibrate(dataset, ModelSpec("logreg", seed=2), rate=0.1, seed=2, folds=3)
    assert np.array_equal(dataset.labels, labels_before)  # the curator's labels are never touched

    noise, scores = tmp_path / "noise", tmp_path / "scores"  # the same experiment by hand
    assert main(["noise", "mnist:test", "--limit", "1500", "--rate", "0.1", "--seed", "2", "--out", str(noise)]) == 0
    assert main(["score", "mnist:test", "--limit", "1500", "--labels", str(noise / "labels.csv"), "--model", "logreg",
                 "--folds", "3", "--seed", "2", "--out", str(scores)]) == 0
    truth = set(pd.read_csv(noise / "truth.csv")["index"])
    table = pd.read_csv(scores / "scores.csv", keep_default_na=False)
    flagged = set(table.loc[table["is_label_issue"], "index"])
    assert result.precision == pytest.approx(len(flagged & truth) / len(flagged))
    assert result.recall == pytest.approx(len(flagged & truth) / len(truth))
    ranked = table.sort_values("rank")["index"].isin(truth).to_numpy()
    assert np.allclose(result.curve_precision, np.cumsum(ranked) / np.arange(1, 1501))
    assert result.curve_recall[-1] == 1.0 and result.per_class["injected"].sum() == 150
    assert (result.per_class["found"] <= result.per_class["injected"]).all()


def test_calibrate_command_writes_figures(tmp_path, capsys):
    out = tmp_path / "cal"
    assert main(["calibrate", "mnist:test", "--limit", "800", "--rate", "0.2", "--kind", "pairs", "--pairs", "7:1,4:9",
                 "--model", "logreg", "--folds", "3", "--out", str(out)]) == 0
    figures = json.loads((out / "calibration.json").read_text())
    assert set(figures) == {"precision", "recall", "f1", "per_class", "curve"} and len(figures["per_class"]) == 10
    assert (out / "pr_curve.png").stat().st_size > 5000
    printed = capsys.readouterr().out
    assert printed.startswith("flagged set: precision")
    assert printed.rstrip().endswith(f"Wrote {out / 'calibration.json'} and {out / 'pr_curve.png'}")  # item 16
