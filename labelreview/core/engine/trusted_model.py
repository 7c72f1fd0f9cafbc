"""Train a model on data the curator trusts, save it, and score other datasets with it (no cross-validation).

A ``MODEL.keras`` file comes with ``MODEL.keras.json`` (class names, input
shape). Loading uses Keras' safe mode, so a model file never runs code.
"""

import json
import time
from pathlib import Path

import numpy as np

from labelreview import __version__
from labelreview.core.atomic import write_text_atomic
from labelreview.core.data.dataset import Dataset
from labelreview.core.data.pixel_cache import decoded
from labelreview.core.engine.cross_validation import CrossValidation
from labelreview.core.engine.models import PREDICT_BATCH, CnnClassifier, ModelSpec
from labelreview.core.engine.pipeline import ScoreRun
from labelreview.core.engine.tensorflow_runtime import import_keras
from labelreview.core.errors import DataError
from labelreview.core.findings.analysis import analyze
from labelreview.core.progress import Callback, ignore_progress, scaled


def _meta_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def train_trusted_model(dataset: Dataset, spec: ModelSpec, path: Path, *, callback: Callback = ignore_progress) -> None:
    """Train the CNN on all of ``dataset`` and save it to ``path`` (``.keras``) with its class names."""
    if path.suffix != ".keras":
        raise DataError(path, "the model file must end in .keras")
    dataset = decoded(dataset, callback=scaled(callback, 0.0, 0.0))  # before the training's own progress
    model = CnnClassifier(spec, len(dataset.class_names), dataset.image_shape)
    model.fit(dataset.images(), dataset.labels, callback)
    path.parent.mkdir(parents=True, exist_ok=True)
    model.model.save(path)
    write_text_atomic(_meta_path(path), json.dumps({
        "class_names": list(dataset.class_names), "input_shape": list(dataset.image_shape),
        "trained_on": dataset.name, "examples": len(dataset), "epochs": spec.epochs, "labelreview": __version__}))


def load_trusted_model(path: Path, dataset: Dataset):
    """The Keras model in ``path``, after checking that its classes and input shape fit ``dataset``."""
    try:
        meta = json.loads(_meta_path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(path, f"{_meta_path(path).name} (class names) not found beside the model") from None
    except ValueError:
        raise DataError(_meta_path(path), "not a labelreview model description") from None
    if tuple(meta["input_shape"]) != dataset.image_shape:
        raise DataError(path, f"the model takes {_shape(meta['input_shape'])} images, "
                              f"{dataset.name} has {_shape(dataset.image_shape)}")
    if tuple(meta["class_names"]) != dataset.class_names:
        raise DataError(path, f"the model knows classes {', '.join(meta['class_names'][:10])}; "
                              f"{dataset.name} has {', '.join(dataset.class_names[:10])}")
    keras = import_keras()
    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except (ValueError, TypeError, OSError) as error:
        raise DataError(path, f"not a loadable safe Keras model ({str(error).splitlines()[0][:200]})") from None


def _shape(shape) -> str:
    return " x ".join(str(d) for d in shape)


def score_with_model(dataset: Dataset, path: Path, *, callback: Callback = ignore_progress) -> ScoreRun:
    """Score ``dataset`` with a trusted model: suspects are where it confidently disagrees with the labels."""
    started = time.perf_counter()
    callback(0.0, "loading the model")
    model = load_trusted_model(path, dataset)
    dataset = decoded(dataset, callback=scaled(callback, 0.0, 0.05))
    batches = range(0, len(dataset), PREDICT_BATCH)
    report = scaled(callback, 0.05, 0.95)
    pred_probs = np.zeros((len(dataset), len(dataset.class_names)), dtype=np.float32)
    for done, start in enumerate(batches, 1):
        chunk = slice(start, start + PREDICT_BATCH)
        pred_probs[chunk] = model.predict_on_batch(dataset.images(chunk))  # no tf.data: see CnnClassifier
        report(done / len(batches), f"predicting {min(start + PREDICT_BATCH, len(dataset)):,}/{len(dataset):,}")
    callback(0.95, "finding label issues")
    analysis = analyze(dataset.labels, pred_probs, dataset.class_names)
    callback(1.0, "done")
    spec = ModelSpec(name=f"trusted model {path.name}")  # no training: epochs 0
    return ScoreRun(dataset, spec, 0, CrossValidation(pred_probs, np.full(len(dataset), -1)), analysis,
                    time.perf_counter() - started)
