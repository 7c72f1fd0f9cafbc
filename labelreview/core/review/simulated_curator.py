"""A curator who knows the true labels, for measuring what the window estimates (tests and benchmarks)."""

from collections.abc import Iterator

import numpy as np

from labelreview.core.review.rounds import live_estimate
from labelreview.core.review.score_table import ScoreTable


def review_from_the_top(scores: ScoreTable, labels: np.ndarray, truth: np.ndarray,
                        steps: int = 20) -> Iterator[tuple[int, float]]:
    """Review the suspects most suspicious first, relabeling the real errors (``labels`` (N,) != ``truth`` (N,))
    and keeping the rest; after each of ``steps`` equal parts of the list (the first before any review), yield
    (errors really left among the unreviewed suspects, errors :func:`live_estimate` says are left)."""
    order = scores.ranked_suspects()
    statuses = np.full(len(labels), "", dtype=object)
    for step in range(steps):
        done = order[: len(order) * step // steps]
        statuses[done] = np.where(labels[done] != truth[done], "relabeled", "kept")
        _, left = live_estimate(scores, labels, statuses.astype(str), scores.pred_probs.shape[1])
        rest = order[len(done):]
        yield int((labels[rest] != truth[rest]).sum()), float(left.sum())


def worst_errors_left(scores: ScoreTable, labels: np.ndarray, truth: np.ndarray) -> float:
    """The largest relative error of the errors-left estimate over :func:`review_from_the_top`'s points with at
    least 10 errors left (NaN when there are none)."""
    misses = [abs(said - real) / real for real, said in review_from_the_top(scores, labels, truth) if real >= 10]
    return max(misses, default=float("nan"))
