"""Rounds of review: kept images stay quiet unless the evidence changes, a history per round, a live estimate."""

import json
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from labelreview.core.atomic import atomic_file
from labelreview.core.review.score_table import ScoreTable

EVIDENCE_DROP = 0.5  # a kept image is flagged again only when its label quality falls below half its value when kept


def kept_quality(decisions: list[dict], *, until: str | None = None) -> dict[str, float | None]:
    """Row key -> label quality when the curator last kept it (None: kept before any score), for the rows kept
    at the end of ``decisions`` (audit entries, oldest first).

    ``until`` (an ISO time, as audit entries and rounds write it, to the microsecond) leaves out later
    decisions: a round's flags depend only on the keeps made before it.
    """
    kept = {}
    for entry in decisions:
        if until is not None and entry.get("time", "") > until:
            break
        if entry.get("new_status") == "kept":
            kept[entry["row"]] = None if entry.get("score") is None else float(entry["score"])
        elif "new_status" in entry:
            kept.pop(entry["row"], None)
    return kept


def quiet_kept(scores: ScoreTable, keys: np.ndarray, kept: dict[str, float | None]) -> ScoreTable:
    """Scores whose flags leave out the ``kept`` rows (keys (N,) name them), unless their label quality dropped
    below EVIDENCE_DROP x its value when kept."""
    flagged = scores.is_label_issue.copy()
    for i in np.flatnonzero(flagged):
        if keys[i] in kept:
            then = kept[keys[i]]
            flagged[i] = then is not None and scores.label_quality[i] < EVIDENCE_DROP * then
    return replace(scores, is_label_issue=flagged)


@dataclass(frozen=True)
class ReviewCounts:
    """The curator's decisions on a set of suspects: every count of them the window shows comes from here."""

    suspects: int
    reviewed: int
    relabeled: int
    removed: int


def count_reviews(flagged: np.ndarray, statuses: np.ndarray) -> ReviewCounts:
    """Decisions on the ``flagged`` (N,) bool examples, from their ``statuses`` (N,)."""
    decided = statuses[flagged]
    return ReviewCounts(suspects=int(flagged.sum()), reviewed=int((decided != "").sum()),
                        relabeled=int((decided == "relabeled").sum()), removed=int((decided == "removed").sum()))


@dataclass(frozen=True)
class Round:
    """One scoring round: what was found (``flagged``: the row keys of its suspects)."""

    number: int
    time: str
    scored: int
    suspects: int
    health_score: float
    new_suspects: int
    cleared: int
    flagged: tuple[str, ...]
    test_accuracy: float | None = None


class RoundsHistory:
    """``<labels csv>.rounds.json``: every round of one dataset, oldest first."""

    def __init__(self, path: Path):
        self.path = path

    def rounds(self) -> list[Round]:
        """Every round, oldest first; fields this version does not know (older files' counts) are ignored."""
        known = {f.name for f in fields(Round)}
        try:
            return [Round(**{**{k: v for k, v in r.items() if k in known}, "flagged": tuple(r["flagged"])})
                    for r in json.loads(self.path.read_text(encoding="utf-8"))]
        except (OSError, ValueError, TypeError, KeyError):
            return []

    def set_test_accuracy(self, accuracy: float) -> None:
        """Note the held-out accuracy of a model trained on the latest round's labels."""
        history = self.rounds()
        if history:
            self._write(history[:-1] + [replace(history[-1], test_accuracy=float(accuracy))])

    def _write(self, rounds: list[Round]) -> None:
        with atomic_file(self.path, "w") as handle:
            json.dump([asdict(r) for r in rounds], handle)

    def add(self, scores: ScoreTable, keys: np.ndarray) -> Round:
        """Record a finished round from its scores; ``keys`` (N,) name the rows."""
        history = self.rounds()
        flagged = tuple(str(key) for key in keys[scores.is_label_issue])
        before = set(history[-1].flagged) if history else set()
        entry = Round(
            number=len(history) + 1, time=datetime.now(timezone.utc).isoformat(timespec="microseconds"),
            scored=int(scores.scored.sum()), suspects=len(flagged),
            health_score=float(scores.health.get("health_score", float("nan"))),
            new_suspects=len(set(flagged) - before),
            cleared=len(before - set(flagged)), flagged=flagged)
        self._write(history + [entry])
        return entry


def live_estimate(scores: ScoreTable, labels: np.ndarray, statuses: np.ndarray, n_classes: int):
    """From the curator's own decisions on suspects: (share that were real errors, errors left per class (K,)).

    The share is relabeled + removed over reviewed suspects (NaN before any
    review); errors left = unreviewed suspects of each class x that share.
    """
    suspects = scores.is_label_issue
    reviewed = suspects & (statuses != "")
    share = float(np.isin(statuses[reviewed], ("relabeled", "removed")).mean()) if reviewed.any() else float("nan")
    unreviewed = np.bincount(labels[suspects & (statuses == "")], minlength=n_classes)
    return share, unreviewed * (0.0 if np.isnan(share) else share)
