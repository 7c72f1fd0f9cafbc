"""The real pipeline: real MNIST, injected noise, real TensorFlow training, real cleanlab."""

import json

import pandas as pd
import pytest

from labelreview.cli import main

EXAMPLES = 4000


@pytest.mark.slow
def test_flagged_set_recovers_injected_noise(tmp_path):
    """4,000 MNIST images, 10% uniform noise, 5-fold CNN at default settings.

    Floors: each fold trains on 3,200 images, where this CNN reaches about 95%
    accuracy on clean digits. Recall is bounded by that accuracy (a flipped
    image is found when the model predicts its true digit) and precision by
    the clean images the model misreads with confidence. Measured here:
    precision 0.91, recall 0.94 (seed 1). The floors, 0.80 and 0.85, leave room
    for numeric differences between CPUs and library versions while still
    failing on any real regression (a broken pipeline gives about 0.1 / 0.1).
    """
    noise, scored = tmp_path / "noise", tmp_path / "scores"
    assert main(["noise", "mnist", "--limit", str(EXAMPLES), "--rate", "0.1", "--seed", "1", "--out", str(noise)]) == 0
    assert main(["score", "mnist", "--limit", str(EXAMPLES), "--labels", str(noise / "labels.csv"),
                 "--out", str(scored)]) == 0

    truth = set(pd.read_csv(noise / "truth.csv")["index"])
    scores = pd.read_csv(scored / "scores.csv", keep_default_na=False)
    flagged = set(scores.loc[scores["is_label_issue"], "index"])
    found = len(flagged & truth)
    precision, recall = found / len(flagged), found / len(truth)
    assert len(truth) == EXAMPLES // 10
    assert precision >= 0.80, precision
    assert recall >= 0.85, recall

    worst = scores.sort_values("rank").head(100)
    assert worst["index"].isin(truth).mean() >= 0.95  # the top of the ranking is almost all real errors
    health = json.loads((scored / "health.json").read_text())
    assert health["model"] == "cnn+lite0" and health["folds"] == 5
    assert 0.85 <= health["health_score"] <= 0.95  # about 10% of labels are wrong
