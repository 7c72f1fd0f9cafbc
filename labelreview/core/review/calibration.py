"""Calibrate the ranking on the curator's own data: inject known label errors into a copy and see how many are found.

The curator's labels are never touched. Their own real errors count as false
positives here, so precision is a lower bound.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from labelreview.core.data.dataset import Dataset
from labelreview.core.data.noise import inject_noise
from labelreview.core.engine.models import ModelSpec
from labelreview.core.engine.pipeline import score_dataset
from labelreview.core.progress import Callback, ignore_progress


@dataclass(frozen=True)
class Calibration:
    """How well scoring finds injected errors.

    Attributes
    ----------
    precision, recall, f1 : float
        Of the flagged set against the injected flips.
    curve_precision, curve_recall : np.ndarray of float, shape (N,)
        Precision and recall of the top k of the ranking, k = 1..N.
    per_class : pd.DataFrame
        Per class of the original label: injected, flagged, found, precision, recall.
    """

    precision: float
    recall: float
    f1: float
    curve_precision: np.ndarray
    curve_recall: np.ndarray
    per_class: pd.DataFrame


def calibrate(dataset: Dataset, spec: ModelSpec = ModelSpec(), *, rate: float, kind: str = "uniform",
              pairs=None, seed: int = 0, folds: int = 5, callback: Callback = ignore_progress) -> Calibration:
    """Flip ``rate`` of a copy of the labels, score the copy, and measure the flagged set and the ranking."""
    noisy = inject_noise(dataset.labels, len(dataset.class_names), rate=rate, kind=kind, seed=seed, pairs=pairs)
    run = score_dataset(dataset.with_labels(noisy), spec, folds=folds, callback=callback)
    flipped, flagged = noisy != dataset.labels, run.analysis.is_label_issue
    found = np.cumsum(flipped[np.argsort(run.analysis.rank)])
    k = np.arange(1, len(found) + 1)
    hits = int((flipped & flagged).sum())
    precision, recall = _ratio(hits, int(flagged.sum())), _ratio(hits, int(flipped.sum()))
    rows = []
    for c, name in enumerate(dataset.class_names):
        mine = dataset.labels == c
        found_here = int((flipped & flagged & mine).sum())
        rows.append({"class": name, "injected": int((flipped & mine).sum()), "flagged": int((flagged & mine).sum()),
                     "found": found_here, "precision": _ratio(found_here, int((flagged & mine).sum())),
                     "recall": _ratio(found_here, int((flipped & mine).sum()))})
    return Calibration(precision, recall, _ratio(2 * precision * recall, precision + recall),
                       found / k, found / max(1, int(flipped.sum())), pd.DataFrame(rows))


def _ratio(part: float, whole: float) -> float:
    return float(part / whole) if whole else float("nan")
