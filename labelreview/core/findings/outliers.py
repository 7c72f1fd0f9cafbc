"""Outliers: images unlike the rest of the set, from their embeddings.

Two views, each scored as cleanlab Datalab scores outliers (exp(-distance / median distance); flagged beyond
Q3 + (1 / threshold - 1) IQR): Datalab's ``outlier`` check on the k nearest neighbours finds lone odd images, and
the distance from the centre of the set along its leading principal axes (whitened) finds a group of foreign
images, which the neighbour view sees as a dense cluster of its own once the group outnumbers k.

Datalab's check is computed here with cleanlab's own scoring function, as Datalab computes it from a given
k-nearest-neighbour graph (equal scores, tests/), without Datalab itself: it would bring Hugging Face's
``datasets`` and pyarrow into the app.
"""

from dataclasses import dataclass

import numpy as np

from labelreview.core.findings.neighbours import Neighbours, unit_rows

CHUNK = 8192
LEADING_AXES = 10  # measured: a planted group of 50 foreign images stands out along 8-16 axes, not 64
THRESHOLD = 0.37037  # Datalab's default for outliers by features: beyond Q3 + (1 / THRESHOLD - 1) IQR


@dataclass(frozen=True)
class Outliers:
    """The verdict per image.

    Attributes
    ----------
    score : np.ndarray of float, shape (N,)
        0..1, lower is more unusual: the lower of the neighbour score and the centre score.
    is_outlier : np.ndarray of bool, shape (N,)
    lonely : np.ndarray of bool, shape (N,)
        Flagged by its neighbours (else, when flagged, by its distance from the centre of the set).
    """

    score: np.ndarray
    is_outlier: np.ndarray
    lonely: np.ndarray


def find_outliers(vectors: np.ndarray, neighbours: Neighbours) -> Outliers:
    """Outliers among embeddings ``vectors`` (N, D) with their cosine ``neighbours`` (N, k)."""
    local_score, lonely = _scored(neighbours.distances.mean(axis=1))
    centre_score, far = _scored(_distance_from_centre(vectors))
    return Outliers(np.minimum(local_score, centre_score), lonely | far, lonely)


def _scored(distance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Datalab's outlier score (N,) of each ``distance`` (N,) and whether it is an outlier (N,)."""
    from cleanlab.outlier import transform_distances_to_scores

    q1, q3 = np.percentile(distance, [25, 75])
    scale = max(float(np.median(distance)), 100 * np.finfo(np.float64).eps)
    flagged = distance > q3 + (1 / THRESHOLD - 1) * (q3 - q1)
    return transform_distances_to_scores(distance, t=1, scaling_factor=scale), flagged


def _distance_from_centre(vectors: np.ndarray) -> np.ndarray:
    """Whitened distance (N,) of each unit embedding from their mean along the leading axes."""
    unit = unit_rows(vectors)
    centre = unit.mean(axis=0)
    count = min(LEADING_AXES, unit.shape[1])
    covariance = np.zeros((unit.shape[1],) * 2, np.float64)
    for start in range(0, len(unit), CHUNK):  # memory stays D x D
        chunk = unit[start:start + CHUNK].astype(np.float64) - centre
        covariance += chunk.T @ chunk
    variance, axes = np.linalg.eigh(covariance / len(unit))
    variance, axes = variance[::-1][:count], axes[:, ::-1][:, :count].astype(np.float32)
    z = ((unit - centre) @ axes) / np.sqrt(np.maximum(variance, 1e-12)).astype(np.float32)
    return np.sqrt((z ** 2).sum(axis=1))


def outlier_detail(i: int, outliers: Outliers) -> str:
    """Why image ``i`` is an outlier, in words."""
    share = float((outliers.score > outliers.score[i]).mean())
    how = "far from its nearest neighbours" if outliers.lonely[i] else "far from the rest of the set"
    return f"{how}: more unusual than {share:.1%} of the set (score {outliers.score[i]:.3f})"
