"""What colours the embedding map: each image's group under the curator's choice (given label, predicted label,
label quality or issue), with the groups' names."""

from dataclasses import dataclass

import numpy as np

from labelreview.core.findings.issue_table import DUPLICATE_KINDS
from labelreview.core.review.session import ReviewSession

COLOUR_BY = ("given label", "predicted label", "label quality", "issue")
QUALITY_EDGES = (0.1, 0.25, 0.5, 0.75)  # label-quality bins: below 0.1 is the worst
QUALITY_NAMES = ("quality < 0.1", "0.1 \u2013 0.25", "0.25 \u2013 0.5", "0.5 \u2013 0.75", "\u2265 0.75")
ISSUE_ORDER = ("label", *DUPLICATE_KINDS, "outlier", "quality")  # an image with several issues shows the first
NOT_SCORED = "not scored"


@dataclass(frozen=True)
class MapGroups:
    """Each image's group and the groups' names.

    Attributes
    ----------
    group_of : np.ndarray of int64, shape (N,)
        Index into ``names``.
    names : tuple of str, length G
    ordinal : bool
        True when the groups are ordered (label quality): colour them on a scale, not as categories.
    """

    group_of: np.ndarray
    names: tuple[str, ...]
    ordinal: bool = False

    def counts(self) -> np.ndarray:
        """Images per group, shape (G,)."""
        return np.bincount(self.group_of, minlength=len(self.names))


def map_groups(session: ReviewSession, colour_by: str) -> MapGroups:
    """The map's colour groups for ``session`` under ``colour_by`` (one of :data:`COLOUR_BY`)."""
    scores, labels = session.scores, session.labels()
    classes = tuple(session.dataset.class_names)
    if colour_by == "given label":
        return MapGroups(labels.astype(np.int64), classes)
    if colour_by == "predicted label":
        return MapGroups(np.where(scores.scored, scores.predicted, len(classes)), (*classes, NOT_SCORED))
    if colour_by == "label quality":
        bins = np.digitize(np.nan_to_num(scores.label_quality, nan=1.0), QUALITY_EDGES)
        return MapGroups(np.where(scores.scored, bins, len(QUALITY_NAMES)), (*QUALITY_NAMES, NOT_SCORED), True)
    if colour_by == "issue":
        return _issue_groups(session, labels)
    raise ValueError(f"unknown colouring {colour_by!r} (choose from {', '.join(COLOUR_BY)})")


def _issue_groups(session: ReviewSession, labels: np.ndarray) -> MapGroups:
    group_of = np.full(len(labels), len(ISSUE_ORDER), np.int64)
    for group, kind in reversed(list(enumerate(ISSUE_ORDER))):  # the first kind in the order is written last
        if kind == "label":
            flagged = session.scores.is_label_issue
        elif session.issues is not None:
            flagged = session.issues.positions(kind, labels)
        else:
            continue
        group_of[flagged] = group
    names = ("label error", *(kind.replace("_", " ") for kind in DUPLICATE_KINDS), "outlier",
             "image quality", "no issue")
    return MapGroups(group_of, names)
