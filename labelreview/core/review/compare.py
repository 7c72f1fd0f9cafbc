"""Retrain and compare: the same model on the original and on the cleaned labels, judged on held-out data."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from labelreview.core.data.dataset import Dataset
from labelreview.core.data.pixel_cache import decoded
from labelreview.core.engine.models import ModelSpec, make_classifier, members, resolve_model
from labelreview.core.engine.pipeline import model_inputs
from labelreview.core.errors import DataError
from labelreview.core.findings.leakage import find_leaks
from labelreview.core.progress import Callback, ignore_progress, scaled


@dataclass(frozen=True)
class Evaluation:
    """One trained model judged on the test set: ``confusion`` (K, K) true (rows) x predicted."""

    train_examples: int
    confusion: np.ndarray

    @property
    def accuracy(self) -> float:
        return float(np.trace(self.confusion) / max(1, self.confusion.sum()))

    @property
    def per_class_accuracy(self) -> np.ndarray:
        """Recall of each true class, shape (K,); NaN for classes absent from the test set."""
        totals = self.confusion.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.diag(self.confusion) / totals


@dataclass(frozen=True)
class Comparison:
    """Both evaluations, and ``leaks``: test images that are copies or near duplicates of training images
    (see :func:`find_leaks`), which flatter both accuracies."""

    class_names: tuple[str, ...]
    before: Evaluation
    after: Evaluation
    leaks: pd.DataFrame


def compare_cleaning(original: Dataset, cleaned: Dataset, test: Dataset, spec: ModelSpec, *,
                     callback: Callback = ignore_progress) -> Comparison:
    """Train ``spec`` on ``original`` and on ``cleaned`` (same classes and image shape) and test both.

    ``auto`` picks the model for ``original``; a backbone model reads all three sets' embeddings from the store;
    an ensemble trains each member and averages their probabilities.
    """
    if test.class_names != original.class_names or test.image_shape != original.image_shape:
        raise DataError(None, f"the test set ({test.name}: {len(test.class_names)} classes, {test.image_shape}) "
                              f"does not match {original.name} ({len(original.class_names)} classes, "
                              f"{original.image_shape})")
    original, cleaned, test = (decoded(data, callback=scaled(callback, step * 0.05 / 3, (step + 1) * 0.05 / 3,
                                                             "decoding images: "))
                               for step, data in enumerate((original, cleaned, test)))
    leaks = find_leaks(original, test, callback=scaled(callback, 0.05, 0.1, "looking for test images seen in "
                                                                              "training: "))
    parts = members(resolve_model(spec, original)[0])
    steps = 3 * len(parts)
    inputs = [[model_inputs(data, member, callback=scaled(callback, 0.1 + step * 0.4 / steps,
                                                          0.1 + (step + 1) * 0.4 / steps))[1]
               for step, data in enumerate((original, cleaned, test), start=3 * number)]
              for number, member in enumerate(parts)]  # per member: (original, cleaned, test) as it reads them
    evaluations = []
    for step, name in enumerate(("original", "cleaned")):
        probs = 0.0  # an ensemble's members' probabilities, summed
        for number, (member, (*trained_on, tested_on)) in enumerate(zip(parts, inputs)):
            train = trained_on[step]
            fit, fits = step * len(parts) + number, 2 * len(parts)
            model = make_classifier(member, len(train.class_names), train.image_shape)
            model.fit(train.images(), train.labels, scaled(callback, 0.5 + 0.5 * fit / fits,
                                                           0.5 + 0.5 * (fit + 1) / fits, f"{name} labels: "))
            probs = probs + model.predict_proba(tested_on.images())
        predicted = probs.argmax(axis=1)
        k = len(test.class_names)
        confusion = np.bincount(test.labels * k + predicted, minlength=k * k).reshape(k, k)
        evaluations.append(Evaluation(len(train), confusion))
    callback(1.0, "done")
    return Comparison(original.class_names, *evaluations, leaks)


def hold_out(original: Dataset, cleaned: Dataset, current: Dataset, *, share: float = 0.2,
             seed: int = 0) -> tuple[Dataset, Dataset, Dataset]:
    """Keep a stratified ``share`` of the examples aside as the test set (with their current labels).

    Returns (original, cleaned, test) where both training sets leave the test examples out.
    """
    from sklearn.model_selection import train_test_split

    _, test_positions = train_test_split(np.arange(len(current)), test_size=share, random_state=seed,
                                         stratify=current.labels)
    aside = np.isin(current.index, current.index[test_positions])
    keep_original = ~np.isin(original.index, current.index[aside])
    keep_cleaned = ~np.isin(cleaned.index, current.index[aside])
    return original.select(keep_original), cleaned.select(keep_cleaned), current.select(aside)
