"""Which examples the suspects grid shows, in which order: filters and sort keys over a session."""

from dataclasses import dataclass

import numpy as np

from labelreview.core.review.session import ReviewSession

SORT_KEYS = ("label quality", "confidence", "class", "file name")
DECISIONS = ("any", "unreviewed", "kept", "relabeled", "removed")


@dataclass(frozen=True)
class GridQuery:
    """The curator's choice of what to see; ``None`` class filters mean any class."""

    flagged_only: bool = True
    given: int | None = None
    predicted: int | None = None
    pair: tuple[int, int] | None = None  # both directions: given a & predicted b, or given b & predicted a
    decision: str = "any"
    search: str = ""
    sort: str = "label quality"


def visible_positions(session: ReviewSession, query: GridQuery) -> np.ndarray:
    """Dataset positions to show for ``query``, in display order, shape (n,).

    Unscored examples sort after scored ones; flagged-only shows suspects of
    the current run (or of the folds finished so far).
    """
    scores = session.scores
    labels = session.labels()
    keep = np.ones(len(session.dataset), dtype=bool)
    if query.flagged_only and scores.scored.any():  # before any run, show every image
        keep &= scores.is_label_issue
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
    positions = np.flatnonzero(keep)
    return positions[np.argsort(_sort_key(session, query.sort, labels)[positions], kind="stable")]


def _matches(session: ReviewSession, search: str, labels: np.ndarray) -> np.ndarray:
    """Examples (N,) whose current label is ``search``, or whose path contains it, or, for array data, whose
    row number it names ("3767", "row 3767", "#3767"); case is ignored."""
    needle = search.strip().lower()
    names = np.array([name.lower() for name in session.dataset.class_names], dtype=object)
    found = names[labels] == needle
    dataset = session.dataset
    if dataset.paths is not None:
        return found | np.array([needle in path.lower() for path in dataset.paths], dtype=bool)
    row = needle.removeprefix("row").strip().lstrip("#")
    return found | (dataset.index == int(row)) if row.isdigit() else found


def _sort_key(session: ReviewSession, sort: str, labels: np.ndarray) -> np.ndarray:
    scores = session.scores
    if sort == "label quality":
        return np.where(scores.scored, scores.rank, np.iinfo(np.int64).max)
    if sort == "confidence":
        return np.where(scores.scored, -np.nan_to_num(scores.confidence), np.inf)
    if sort == "class":
        return labels
    if sort == "file name":
        if session.dataset.paths is None:
            return session.dataset.index
        return np.argsort(np.argsort(np.array(session.dataset.paths, dtype=object), kind="stable"), kind="stable")
    raise ValueError(f"unknown sort {sort!r}")
