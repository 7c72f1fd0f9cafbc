"""Confident learning on out-of-sample probabilities: which labels are wrong, and how healthy the set is."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from labelreview.core.findings.self_check import DENSITY_PARTS, SelfCheck, density_down, self_check

CLASS_QUALITY_COLUMNS = {"Class Name": "class", "Label Issues": "label_issues",
                         "Inverse Label Issues": "inverse_label_issues", "Label Noise": "label_noise",
                         "Inverse Label Noise": "inverse_label_noise", "Label Quality Score": "label_quality"}
OVERLAP_COLUMNS = {"Class Name A": "class_a", "Class Name B": "class_b", "Images": "images",
                   "Joint Probability": "joint_probability"}
"""cleanlab's column names -> ours, for ``class_quality`` and ``overlapping`` (health.json, the report)."""
SURE_WRONG = 0.01  # an out-of-sample probability of the given label this low flags the image in any case


@dataclass(frozen=True)
class Analysis:
    """cleanlab's verdict on one set of labels.

    Attributes
    ----------
    predicted : np.ndarray of int, shape (N,)
        Most likely class.
    confidence : np.ndarray of float, shape (N,)
        Probability of ``predicted``.
    label_quality : np.ndarray of float, shape (N,)
        cleanlab's label quality score of the given label (self-confidence).
    is_label_issue : np.ndarray of bool, shape (N,)
        The most suspicious images: as many as the self-check estimates there are errors
        (:mod:`self_check`), or as cleanlab's ``find_label_issues`` flags when that is fewer or the set is too
        small to check; and every image whose label the model is all but sure is wrong (its probability under
        SURE_WRONG), however few errors the self-check counted (on a clean set whose few real errors the
        model doubts less than the labels it flipped).
    rank : np.ndarray of int, shape (N,)
        1 = most suspicious: by the mean of two ranks, by ``label_quality`` (lowest first) and by the chance that
        the label is wrong (:func:`wrong_label_chance`; highest first). The first ranks errors spread over all
        classes best, the second confusions between two classes (benchmarks/detection.py).
    estimated_errors : int
        How many labels the self-check estimates are wrong (cleanlab's ``(1 - health_score) x N`` when the set
        is too small to check); fewer than are flagged when images the model is all but sure of are added.
    expected_precision : float
        The share of the flagged images expected to be real label errors: the self-check's expectation for the
        count it flagged, the model's own probability for those flagged beyond it; NaN when none is flagged or
        the set is too small to check (and so none is counted).
    error_density : np.ndarray of float, shape (20,) (fewer parts for fewer than 20 flagged)
        How those real errors spread down the flagged list, in twentieths, most suspicious first, mean 1: the
        self-check's :meth:`SelfCheck.error_density` over the count it flagged, then the model's own chance for
        those flagged beyond it (ones when the set is too small to check).
    health_score : float
        ``overall_label_health_score``: 1 - estimated share of label errors.
    class_quality : pd.DataFrame
        ``rank_classes_by_label_quality``, worst class first.
    overlapping : pd.DataFrame
        ``find_overlapping_classes`` with ``Images``: how many are given one
        class of the pair and predicted the other (the two cells of
        ``confusion``, what the grid shows for the pair; cleanlab's own "Num
        Overlapping Examples" is an estimate that differs), most images first
        (ties in cleanlab's order, by joint probability). Pairs with no such
        image are left out.
    confusion : np.ndarray of int, shape (K, K)
        Counts of given (row) x predicted (column) labels.
    """

    predicted: np.ndarray
    confidence: np.ndarray
    label_quality: np.ndarray
    is_label_issue: np.ndarray
    rank: np.ndarray
    estimated_errors: int
    expected_precision: float
    error_density: np.ndarray
    health_score: float
    class_quality: pd.DataFrame
    overlapping: pd.DataFrame
    confusion: np.ndarray

    @property
    def issue_count(self) -> int:
        return int(self.is_label_issue.sum())


def analyze(labels: np.ndarray, pred_probs: np.ndarray, class_names: tuple[str, ...]) -> Analysis:
    """Run cleanlab on given labels (N,) int and out-of-sample pred_probs (N, K).

    The confident joint is computed once and shared by every cleanlab call.
    """
    from cleanlab.count import compute_confident_joint
    from cleanlab.dataset import find_overlapping_classes, overall_label_health_score, rank_classes_by_label_quality
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

    labels = np.asarray(labels, dtype=np.int64)
    pred_probs = np.asarray(pred_probs, dtype=np.float32)
    n, k = pred_probs.shape
    joint = compute_confident_joint(labels, pred_probs)
    flagged = int(find_label_issues(labels, pred_probs, confident_joint=joint, n_jobs=1).sum())
    health_score = float(overall_label_health_score(labels, pred_probs, verbose=False))
    check = self_check(labels, pred_probs, suspicion_order, confident_joint=joint)
    if np.isnan(check.errors):  # too small to check
        errors = round((1 - health_score) * n)
    else:
        errors = round(check.errors)
        flagged = min(flagged, errors)
    quality = get_label_quality_scores(labels, pred_probs)
    order = suspicion_order(labels, pred_probs, joint, quality)
    is_issue = np.zeros(n, dtype=bool)
    is_issue[order[:flagged]] = True
    is_issue |= quality < SURE_WRONG
    beyond = quality[order[flagged:]][is_issue[order[flagged:]]]  # label quality of those flagged past the count
    chances = _error_chances(check, flagged, beyond)
    counted_real = check.precision(flagged) * flagged if flagged else 0.0
    expected_precision = float((counted_real + (1 - beyond).sum()) / len(chances)) if len(chances) else float("nan")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(1, n + 1)
    predicted = pred_probs.argmax(axis=1)
    confusion = np.bincount(labels * k + predicted, minlength=k * k).reshape(k, k)
    names = list(class_names)
    return Analysis(
        predicted=predicted,
        confidence=pred_probs[np.arange(n), predicted],
        label_quality=quality,
        is_label_issue=is_issue,
        rank=rank,
        estimated_errors=errors,
        expected_precision=expected_precision,
        error_density=_density(chances),
        health_score=health_score,
        class_quality=rank_classes_by_label_quality(labels, pred_probs, class_names=names, confident_joint=joint),
        overlapping=_overlapping(find_overlapping_classes(labels, pred_probs, class_names=names, confident_joint=joint),
                                 confusion),
        confusion=confusion,
    )


def _error_chances(check: SelfCheck, counted: int, beyond: np.ndarray) -> np.ndarray:
    """The chance (n,) that each flagged image, most suspicious first, is a real error: the self-check's
    precision times its error density for the ``counted`` first, one minus the label quality (m,) of those
    flagged beyond them, whose labels the model is all but sure are wrong; NaN for the counted ones when the set
    is too small to check."""
    density = density_down(check.error_density(counted), counted)
    counted_chances = np.minimum(1.0, check.precision(counted) * density) if counted else np.zeros(0)
    return np.concatenate([counted_chances, 1 - beyond])


def _density(chances: np.ndarray) -> np.ndarray:
    """``chances`` (n,) as DENSITY_PARTS slices' means over their own mean (ones when unknown or none)."""
    parts = min(DENSITY_PARTS, len(chances))
    mean = chances.mean() if parts else float("nan")
    if not parts or not np.isfinite(mean) or mean <= 0:
        return np.ones(DENSITY_PARTS)
    return np.array([part.mean() for part in np.array_split(chances, parts)]) / mean


def suspicion_order(labels: np.ndarray, pred_probs: np.ndarray, confident_joint: np.ndarray | None = None,
                    quality: np.ndarray | None = None) -> np.ndarray:
    """Positions (N,) most suspicious first: by the mean of two ranks, by label quality (lowest first) and by
    :func:`wrong_label_chance` (highest first), of labels (N,) under pred_probs (N, K); the confident joint
    (K, K) and label quality (N,) are computed when not given."""
    from cleanlab.count import compute_confident_joint
    from cleanlab.rank import get_label_quality_scores
    from scipy.stats import rankdata

    if confident_joint is None:
        confident_joint = compute_confident_joint(labels, pred_probs)
    if quality is None:
        quality = get_label_quality_scores(labels, pred_probs)
    suspicion = rankdata(-quality) + rankdata(wrong_label_chance(labels, pred_probs, confident_joint))
    return np.argsort(-suspicion, kind="stable")


def _overlapping(pairs: pd.DataFrame, confusion: np.ndarray) -> pd.DataFrame:
    """cleanlab's pairs with ``Images`` counted from ``confusion`` (K, K), most images first (ties in cleanlab's
    order); pairs with none left out."""
    a, b = pairs["Class Index A"].to_numpy(), pairs["Class Index B"].to_numpy()
    pairs = pairs.assign(Images=confusion[a, b] + confusion[b, a])
    return pairs[pairs["Images"] > 0].sort_values("Images", ascending=False, kind="stable").reset_index(drop=True)


def wrong_label_chance(labels: np.ndarray, pred_probs: np.ndarray, confident_joint: np.ndarray) -> np.ndarray:
    """The chance (N,) that each given label (N,) is wrong: each class's probability (N, K) times how often
    cleanlab estimates that class is given the label the image has (the noise matrix of ``confident_joint``,
    (K, K)), normalised, is the probability of each true class given the image and its label; one minus that
    of the given label."""
    from cleanlab.count import estimate_latent

    _, noise, _ = estimate_latent(confident_joint, labels)  # noise[s, y] = P(label s | true class y)
    posterior = pred_probs * noise[labels, :]
    posterior /= np.maximum(posterior.sum(axis=1, keepdims=True), 1e-12)
    return 1 - posterior[np.arange(len(labels)), labels]


def suggest_labels(labels: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """The label to offer each example: the class the model prefers, where it is not the label (N,) it has;
    -1 where the model agrees with that label, shape (N,)."""
    return np.where(predicted != labels, predicted, -1)
