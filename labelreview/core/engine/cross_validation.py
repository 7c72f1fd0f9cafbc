"""Stratified K-fold cross-validation: an out-of-sample probability vector for every example."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from labelreview.core.data.dataset import Dataset
from labelreview.core.engine.models import Classifier, ModelSpec, make_classifier
from labelreview.core.errors import DataError
from labelreview.core.progress import Callback, ignore_progress, scaled


@dataclass(frozen=True)
class FoldResult:
    """One finished fold: ``indices`` (n,) held out, their ``pred_probs`` (n, K)."""

    fold: int
    folds: int
    indices: np.ndarray
    pred_probs: np.ndarray


@dataclass(frozen=True)
class CrossValidation:
    """``pred_probs`` (N, K) float32, out-of-sample; ``fold_of`` (N,) fold that held each example out."""

    pred_probs: np.ndarray
    fold_of: np.ndarray


def check_foldable(labels: np.ndarray, class_names: tuple[str, ...], folds: int) -> None:
    """Raise :class:`DataError` unless every class with images can appear in every fold.

    A class without images (all relabeled away, say) is no obstacle.

    Parameters
    ----------
    labels : np.ndarray of int, shape (N,)
    class_names : tuple of str, length K
    folds : int
    """
    if folds < 2:
        raise DataError(None, f"folds must be at least 2, not {folds}")
    counts = np.bincount(labels, minlength=len(class_names))
    present = np.flatnonzero(counts)
    if len(present) < 2:
        only = class_names[present[0]] if len(present) else "none"
        raise DataError(None, f"only one class ({only}): label errors need at least two classes")
    small = [k for k in present if counts[k] < folds]
    if small:
        listed = ", ".join(f"'{class_names[k]}' has {counts[k]}" for k in small[:5])
        fewest = int(counts[small].min())
        hint = f"use --folds {fewest} or fewer" if fewest >= 2 else "add images or remove that class"
        raise DataError(None, f"too few images for {folds} folds: {listed} ({hint})")


Split = tuple[np.ndarray, np.ndarray]
"""(training positions, held-out positions) of one fold."""

FoldRunner = Callable[[Dataset, ModelSpec, list[Split], Callback], Iterator[tuple[int, np.ndarray]]]
"""``run_folds(dataset, spec, splits, callback)`` trains one model per split and yields, as each fold
finishes (in any order), (fold number, pred_probs (n_held_out, K) float32)."""


def cross_validate(
    dataset: Dataset,
    spec: ModelSpec,
    *,
    folds: int = 5,
    callback: Callback = ignore_progress,
    on_fold: Callable[[FoldResult], None] | None = None,
    run_folds: FoldRunner | None = None,
) -> CrossValidation:
    """Train one model per fold and predict the held-out examples.

    Parameters
    ----------
    dataset : Dataset with N examples and K classes
    spec : ModelSpec
        Model, epochs and seed; fold ``f`` trains with seed ``spec.seed + f``.
    folds : int
        Number of stratified folds K (shuffled with ``spec.seed``).
    callback : callable(fraction, message)
        Progress over all folds; may raise :class:`Cancelled`.
    on_fold : callable(FoldResult), optional
        Called as each fold finishes, so suspects can be shown early.
    run_folds : FoldRunner, optional
        Where the folds train (default :func:`run_folds_locally`; a cluster plugs in its own). The splits
        and seeds are the same wherever they run.

    Returns
    -------
    CrossValidation
    """
    from sklearn.model_selection import StratifiedKFold

    check_foldable(dataset.labels, dataset.class_names, folds)
    pred_probs = np.zeros((len(dataset), len(dataset.class_names)), dtype=np.float32)
    fold_of = np.full(len(dataset), -1, dtype=np.int64)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=spec.seed)
    splits = list(splitter.split(np.zeros(len(dataset)), dataset.labels))
    for fold, probs in (run_folds or run_folds_locally)(dataset, spec, splits, callback):
        held_out = splits[fold][1]
        pred_probs[held_out], fold_of[held_out] = probs, fold
        if on_fold is not None:
            on_fold(FoldResult(fold, folds, held_out, pred_probs[held_out]))
    return CrossValidation(pred_probs, fold_of)


def run_folds_locally(dataset: Dataset, spec: ModelSpec, splits: list[Split],
                      callback: Callback) -> Iterator[tuple[int, np.ndarray]]:
    """The :data:`FoldRunner` of this process: the folds one after another, one model re-initialised per fold."""
    model = make_classifier(spec, len(dataset.class_names), dataset.image_shape)
    for fold, split in enumerate(splits):
        report = scaled(callback, fold / len(splits), (fold + 1) / len(splits), f"fold {fold + 1}/{len(splits)}: ")
        yield fold, fit_fold(model, dataset, spec, fold, split, report)


def fit_fold(model: Classifier, dataset: Dataset, spec: ModelSpec, fold: int, split: Split,
             callback: Callback = ignore_progress) -> np.ndarray:
    """Train ``model`` on the fold's training examples with seed ``spec.seed + fold``; pred_probs (n, K) float32
    of its ``n`` held-out examples."""
    train, held_out = split
    callback(0.0, "preparing")
    model.fit(dataset.images(train), dataset.labels[train], callback, seed=spec.seed + fold)
    pred_probs = model.predict_proba(dataset.images(held_out))
    callback(1.0, "done")
    return pred_probs
