"""Backbone embeddings: used when weights are on the machine or given as a file, said plainly when not."""

import json

import numpy as np
import pytest

from labelreview.cli import main
from labelreview.core.engine.embeddings import SIDE, find_weights


def test_without_weights_it_says_so_and_never_downloads(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert main(["score", "mnist:test", "--limit", "50", "--backbone", "mobilenet_v2", "--out", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert "no mobilenet_v2 weights on this machine; labelreview never downloads them" in error
    assert not (tmp_path / ".keras").exists()


@pytest.mark.slow
def test_embeddings_from_a_weights_file_are_cross_validated(tmp_path):
    from labelreview.core.engine.models import import_keras

    keras = import_keras()
    network = keras.applications.MobileNetV2(input_shape=(SIDE, SIDE, 3), include_top=False, weights=None,
                                             pooling="avg")
    weights = tmp_path / "backbone.weights.h5"
    network.save_weights(weights)  # stands in for the user's own file: the real loading path runs
    assert find_weights("mobilenet_v2", weights) == weights
    out = tmp_path / "scores"
    assert main(["score", "mnist:test", "--limit", "300", "--backbone", "mobilenet_v2", "--backbone-weights",
                 str(weights), "--folds", "3", "--out", str(out)]) == 0
    pred_probs = np.load(out / "pred_probs.npy")
    assert pred_probs.shape == (300, 10) and np.allclose(pred_probs.sum(1), 1, atol=1e-4)
    assert json.loads((out / "health.json").read_text())["model"] == "logreg on mobilenet_v2 embeddings"
