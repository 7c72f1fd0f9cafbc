"""Dataset health from the current labels: the numbers behind every chart of the Health view."""

from dataclasses import dataclass

import numpy as np

from labelreview.core.findings.agreement import Agreement, measure_agreement
from labelreview.core.findings.analysis import Analysis, analyze


@dataclass(frozen=True)
class Health:
    """Health of the scored, not removed examples under their current labels.

    Attributes
    ----------
    class_names : tuple of str, length K
    positions : np.ndarray of int, shape (n,)
        Dataset positions the figures are about.
    analysis : Analysis
        cleanlab's analysis of those n examples (health score, per-class
        quality, overlapping classes, confusion matrix, flagged examples).
    given_counts, predicted_counts : np.ndarray of int, shape (K,)
    agreement : Agreement
        How often the model's prediction is the current label: can it judge them?
    """

    class_names: tuple[str, ...]
    positions: np.ndarray
    analysis: Analysis
    given_counts: np.ndarray
    predicted_counts: np.ndarray
    agreement: Agreement

    @property
    def estimated_errors(self) -> int:
        """How many labels are estimated to be wrong (:attr:`Analysis.estimated_errors`)."""
        return self.analysis.estimated_errors


def compute_health(labels: np.ndarray, pred_probs: np.ndarray, class_names: tuple[str, ...],
                   include: np.ndarray) -> Health:
    """Health of the examples where ``include`` (N,) is true, from labels (N,) and pred_probs (N, K).

    Relabels move the counts (``labels`` are the current ones); removed and
    unscored examples are left out through ``include``.
    """
    positions = np.flatnonzero(include)
    labels, pred_probs = np.asarray(labels)[positions], np.asarray(pred_probs)[positions]
    analysis = analyze(labels, pred_probs, class_names)
    k = len(class_names)
    return Health(tuple(class_names), positions, analysis, np.bincount(labels, minlength=k),
                  np.bincount(analysis.predicted, minlength=k), measure_agreement(labels, pred_probs))
