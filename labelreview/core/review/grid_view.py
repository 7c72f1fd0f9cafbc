"""Which examples the suspects grid shows, in which order: filters and sort keys over a session."""

from dataclasses import dataclass

import numpy as np

from labelreview.core.findings.image_quality import QUALITY_KINDS
from labelreview.core.findings.issue_table import DUPLICATE_KINDS
from labelreview.core.review.session import ReviewSession

SORT_KEYS = ("label quality", "confidence", "class", "file name")
DECISIONS = ("any", "unreviewed", "kept", "relabeled", "removed")
ISSUE_FILTERS = ("label", *DUPLICATE_KINDS, "outlier", "quality", *QUALITY_KINDS, "all")
"""What the grid shows: suspected label errors, one kind of issue (``quality``: any image-quality kind), or all."""


@dataclass(frozen=True)
class GridQuery:
    """The curator's choice of what to see; ``None`` class filters mean any class.

    ``issue`` is one of ISSUE_FILTERS; an issue other than ``label`` is shown worst first (duplicate sets
    together), and ``chosen`` images in their order, unless another sort than the first is chosen.
    """

    issue: str = "label"
    given: int | None = None
    predicted: int | None = None
    pair: tuple[int, int] | None = None  # both directions: given a & predicted b, or given b & predicted a
    decision: str = "any"
    search: str = ""
    sort: str = "label quality"
    chosen: tuple[int, ...] | None = None  # these positions in this order, whatever the issue (more like this, the map)


def visible_positions(session: ReviewSession, query: GridQuery) -> np.ndarray:
    """Dataset positions to show for ``query``, in display order, shape (n,).

    Unscored examples sort after scored ones; ``label`` shows suspects of the
    current run (or of the folds finished so far), every image before any run.
    """
    scores = session.scores
    labels = session.labels()
    keep = np.ones(len(session.dataset), dtype=bool)
    order = None
    if query.chosen is not None:
        order = np.asarray(query.chosen, np.int64)
    elif query.issue == "label" and scores.scored.any():
        keep &= scores.is_label_issue
    elif query.issue not in ("label", "all"):
        order = issue_positions(session, query.issue, labels)
    if order is not None:
        keep &= np.isin(np.arange(len(keep)), order)
    if query.given is not None:
        keep &= labels == query.given
    if query.predicted is not None:
        keep &= scores.predicted == query.predicted
    if query.pair is not None:
        a, b = query.pair
        keep &= ((labels == a) & (scores.predicted == b)) | ((labels == b) & (scores.predicted == a))
    if query.decision != "any":
        keep &= session.statuses() == ("" if query.decision == "unreviewed" else query.decision)
    if query.search:
        keep &= _matches(session, query.search, labels)
    if order is not None and query.sort == SORT_KEYS[0]:
        return order[keep[order]]
    positions = np.flatnonzero(keep)
    return positions[np.argsort(sort_key(session, query.sort, labels)[positions], kind="stable")]


def issue_positions(session: ReviewSession, issue: str, labels: np.ndarray) -> np.ndarray:
    """Images with ``issue`` (an entry of ISSUE_FILTERS but ``label`` and ``all``), worst first."""
    return np.empty(0, np.int64) if session.issues is None else session.issues.positions(issue, labels)


def _matches(session: ReviewSession, search: str, labels: np.ndarray) -> np.ndarray:
    """Examples (N,) whose current label is ``search``, or whose path contains it, or, for array data, whose
    row number it names ("3767", "row 3767", "#3767"); case is ignored."""
    needle = search.strip().lower()
    names = np.array([name.lower() for name in session.dataset.class_names], dtype=object)
    found = names[labels] == needle
    dataset = session.dataset
    if dataset.paths is not None:
        return found | (np.char.find(dataset.searchable_paths, needle.encode()) >= 0)
    row = needle.removeprefix("row").strip().lstrip("#")
    return found | (dataset.index == int(row)) if row.isdigit() else found


def sort_key(session: ReviewSession, sort: str, labels: np.ndarray) -> np.ndarray:
    """Each example's key (N,) under ``sort`` (one of SORT_KEYS), ascending; unscored examples last by score."""
    scores = session.scores
    if sort == "label quality":
        return np.where(scores.scored, scores.rank, np.iinfo(np.int64).max)
    if sort == "confidence":
        return np.where(scores.scored, -np.nan_to_num(scores.confidence), np.inf)
    if sort == "class":
        return labels
    if sort == "file name":
        return session.dataset.index if session.dataset.paths is None else session.dataset.path_order
    raise ValueError(f"unknown sort {sort!r}")
