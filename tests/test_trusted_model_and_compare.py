"""The curator's loop on real MNIST: a trusted model trained, saved and used; retrain and compare."""

import json

import numpy as np
import pandas as pd
import pytest

from labelreview.cli import main
from labelreview.core.data.sources import open_source
from labelreview.core.engine.trusted_model import load_trusted_model
from labelreview.core.errors import DataError


@pytest.fixture(scope="module")
def trusted(tmp_path_factory):
    """A CNN trained on 3,000 MNIST test images (the data the curator trusts)."""
    path = tmp_path_factory.mktemp("model") / "trusted.keras"
    assert main(["train", "mnist:test", "--limit", "3000", "--epochs", "4", "--out", str(path)]) == 0
    return path


@pytest.mark.slow
def test_a_saved_trusted_model_finds_injected_noise(trusted, tmp_path):
    """Floors: the trusted model reads about 96% of digits right, so it recovers most flips (measured
    precision 0.89, recall 0.96 on 5,000 images); 0.75 / 0.85 leave room across CPUs."""
    noise, scores = tmp_path / "noise", tmp_path / "scores"
    assert main(["noise", "mnist", "--limit", "2000", "--rate", "0.1", "--out", str(noise)]) == 0
    assert main(["score", "mnist", "--limit", "2000", "--labels", str(noise / "labels.csv"),
                 "--model-file", str(trusted), "--out", str(scores)]) == 0
    truth = set(pd.read_csv(noise / "truth.csv")["index"])
    table = pd.read_csv(scores / "scores.csv", keep_default_na=False)
    flagged = set(table.loc[table["is_label_issue"], "index"])
    assert len(flagged & truth) / len(flagged) >= 0.75 and len(flagged & truth) / len(truth) >= 0.85
    health = json.loads((scores / "health.json").read_text())
    assert health["model"] == "trusted model trusted.keras" and health["folds"] == 0


def test_a_model_that_does_not_fit_the_dataset_is_refused(trusted, tmp_path):
    np.savez(tmp_path / "rgb.npz", images=np.zeros((4, 8, 8, 3), np.uint8), labels=np.arange(4))
    with pytest.raises(DataError, match="the model takes 28 x 28 x 1 images, rgb has 8 x 8 x 3"):
        load_trusted_model(trusted, open_source(str(tmp_path / "rgb.npz")))
    np.savez(tmp_path / "letters.npz", images=np.zeros((2, 28, 28), np.uint8), labels=np.array(["a", "b"]))
    with pytest.raises(DataError, match="the model knows classes 0, 1, 2"):
        load_trusted_model(trusted, open_source(str(tmp_path / "letters.npz")))


def test_a_model_with_code_in_it_is_never_run(trusted, tmp_path):
    """Keras safe mode refuses Lambda layers, whose Python code would run on load."""
    from labelreview.core.engine.tensorflow_runtime import import_keras

    keras = import_keras()
    evil = keras.Sequential([keras.layers.Input((28, 28, 1)), keras.layers.Lambda(lambda x: x * 2),
                             keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
    path = tmp_path / "evil.keras"
    evil.save(path)
    (tmp_path / "evil.keras.json").write_text(trusted.with_name("trusted.keras.json").read_text())
    with pytest.raises(DataError, match="not a loadable safe Keras model"):
        load_trusted_model(path, open_source("mnist:test", limit=10))


@pytest.mark.slow
def test_compare_original_and_cleaned_labels_on_mnist_test(tmp_path, capsys):
    noise = tmp_path / "noise"
    assert main(["noise", "mnist", "--limit", "3000", "--rate", "0.3", "--out", str(noise)]) == 0
    labels, truth = pd.read_csv(noise / "labels.csv"), pd.read_csv(noise / "truth.csv")
    labels[~labels["index"].isin(truth["index"])].to_csv(tmp_path / "cleaned.csv", index=False)  # a perfect curator
    out = tmp_path / "compare.json"
    assert main(["compare", "mnist", "--limit", "3000", "--original", str(noise / "labels.csv"),
                 "--labels", str(tmp_path / "cleaned.csv"), "--test", "mnist:test", "--model", "logreg",
                 "--out", str(out)]) == 0
    figures = json.loads(out.read_text())
    assert figures["original"]["train_examples"] == 3000 and figures["cleaned"]["train_examples"] == 2100
    assert np.array(figures["original"]["confusion"]).sum() == 10_000
    assert figures["cleaned"]["accuracy"] > figures["original"]["accuracy"]  # 30% noise hurts a linear model
    table = capsys.readouterr().out
    assert "test accuracy" in table and "class 9" in table


def test_hold_out_keeps_a_stratified_fifth_aside_from_both_training_sets():
    from labelreview.core.review.compare import hold_out

    current = open_source("mnist:test", limit=1000)
    cleaned = current.select(np.arange(1000) % 7 != 0)  # some images removed
    original, cleaned_train, test = hold_out(current, cleaned, current)
    assert len(test) == 200 and np.bincount(test.labels).min() >= 15
    assert not set(test.index) & set(original.index) and not set(test.index) & set(cleaned_train.index)
    assert len(original) == 800
