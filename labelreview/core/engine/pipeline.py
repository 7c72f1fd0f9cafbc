"""Score a dataset end to end: cross-validate, then analyse with cleanlab."""

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from labelreview.core.data.dataset import Dataset
from labelreview.core.engine.cross_validation import CrossValidation, FoldResult, cross_validate
from labelreview.core.engine.models import ModelSpec
from labelreview.core.findings.analysis import Analysis, analyze
from labelreview.core.progress import Callback, ignore_progress, scaled

CV_SHARE = 0.97  # of the progress bar; cleanlab's analysis takes the rest


@dataclass(frozen=True)
class ScoreRun:
    """Everything one scoring run produced for ``dataset``."""

    dataset: Dataset
    spec: ModelSpec
    folds: int
    cv: CrossValidation
    analysis: Analysis
    seconds: float


@dataclass(frozen=True)
class PartialScore:
    """Analysis of the examples held out by the first ``folds_done`` folds.

    ``indices`` (n,) are dataset positions; ``pred_probs`` (n, K), ``fold_of``
    (n,) and the ``analysis`` arrays are aligned with them.
    """

    folds_done: int
    folds: int
    indices: np.ndarray
    pred_probs: np.ndarray
    fold_of: np.ndarray
    analysis: Analysis


def score_dataset(
    dataset: Dataset,
    spec: ModelSpec = ModelSpec(),
    *,
    folds: int = 5,
    callback: Callback = ignore_progress,
    on_partial: Callable[[PartialScore], None] | None = None,
) -> ScoreRun:
    """Cross-validate ``spec`` on ``dataset`` and rank suspected label errors.

    ``on_partial`` receives a :class:`PartialScore` after every fold but the
    last, so a window can show suspects before the run ends.
    """
    started = time.perf_counter()
    done: list[FoldResult] = []

    def fold_finished(result: FoldResult) -> None:
        done.append(result)
        if on_partial is not None and len(done) < folds:
            indices = np.sort(np.concatenate([r.indices for r in done]))
            pred_probs = np.zeros((len(dataset), len(dataset.class_names)), dtype=np.float32)
            fold_of = np.full(len(dataset), -1, dtype=np.int64)
            for r in done:
                pred_probs[r.indices], fold_of[r.indices] = r.pred_probs, r.fold
            analysis = analyze(dataset.labels[indices], pred_probs[indices], dataset.class_names)
            on_partial(PartialScore(len(done), folds, indices, pred_probs[indices], fold_of[indices], analysis))

    cv = cross_validate(dataset, spec, folds=folds, callback=scaled(callback, 0.0, CV_SHARE), on_fold=fold_finished)
    callback(CV_SHARE, "finding label issues")
    analysis = analyze(dataset.labels, cv.pred_probs, dataset.class_names)
    callback(1.0, "done")
    return ScoreRun(dataset, spec, folds, cv, analysis, time.perf_counter() - started)
