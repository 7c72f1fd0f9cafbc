"""Outliers: images unlike the rest of the set, from their embeddings.

Two views, each scored as cleanlab Datalab scores outliers (exp(-distance / median distance); flagged beyond
Q3 + (1 / threshold - 1) IQR): Datalab's own ``outlier`` check on the k nearest neighbours finds lone odd images,
and the distance from the centre of the set along its leading principal axes (whitened) finds a group of foreign
images, which the neighbour view sees as a dense cluster of its own once the group outnumbers k.
"""

from dataclasses import dataclass

import numpy as np

from labelreview.core.findings.neighbours import Neighbours, unit_rows

CHUNK = 8192
LEADING_AXES = 10  # measured: a planted group of 50 foreign images stands out along 8-16 axes, not 64


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


def find_outliers(vectors: np.ndarray, neighbours: Neighbours, labels: np.ndarray) -> Outliers:
    """Outliers among embeddings ``vectors`` (N, D) with their cosine ``neighbours``; labels (N,) as Datalab needs."""
    from cleanlab import Datalab
    from cleanlab.datalab.internal.issue_manager.outlier import OutlierIssueManager

    lab = Datalab(data={"label": np.asarray(labels)}, label_name="label", verbosity=0)
    lab.find_issues(knn_graph=neighbours.knn_graph(), issue_types={"outlier": {"k": neighbours.indices.shape[1]}})
    found = lab.get_issues("outlier")
    local_score, lonely = found["outlier_score"].to_numpy(), found["is_outlier_issue"].to_numpy(bool)
    distance = _distance_from_centre(vectors)
    q1, q3 = np.percentile(distance, [25, 75])
    far = distance > q3 + (1 / OutlierIssueManager.DEFAULT_THRESHOLDS["features"] - 1) * (q3 - q1)
    centre_score = np.exp(-distance / max(float(np.median(distance)), 1e-12))
    return Outliers(np.minimum(local_score, centre_score), lonely | far, lonely)


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
