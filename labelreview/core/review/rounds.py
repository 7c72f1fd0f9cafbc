"""Rounds of review: kept images stay quiet unless the evidence changes, a history per round, a live estimate."""

import json
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from labelreview.core.atomic import atomic_file
from labelreview.core.findings.self_check import density_down
from labelreview.core.review.score_table import ScoreTable

EVIDENCE_DROP = 0.5  # a kept image is flagged again only when its label quality falls below half its value when kept
NEAR_SHARE, NEAR = 0.1, 5  # a decision weighs e times less in the errors left for each tenth of the list (at least
# NEAR suspects) it lies above the first unreviewed suspect
PRIOR = 3  # suspects' worth of weight the run's own expectation keeps beside the curator's decisions
UNKNOWN_PRECISION = 0.5  # expected of each suspect when the run could not say
MIN_PRECISION = 0.02  # so that decisions can still raise an expectation of none


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
    """One scoring round: what was found (``flagged``: the row keys of its suspects) and how (``model``, ``folds``,
    ``epochs``, ``seed``; None in files older than them).

    ``new_suspects`` and ``cleared`` compare with the round before; they are None for a new baseline, a round
    scored another way than the one before (its suspects differ because the model did, not the labels).
    """

    number: int
    time: str
    scored: int
    suspects: int
    health_score: float
    new_suspects: int | None
    cleared: int | None
    flagged: tuple[str, ...]
    test_accuracy: float | None = None
    model: str | None = None
    folds: int | None = None
    epochs: int | None = None
    seed: int | None = None

    @property
    def setup(self) -> tuple:
        """How the round was scored: (model, folds, epochs, seed)."""
        return self.model, self.folds, self.epochs, self.seed

    @property
    def setup_said(self) -> str:
        """"cnn, 5 folds, 4 epochs, seed 0"; "" when the file does not say."""
        if self.model is None:
            return ""
        epochs = f", {self.epochs} epochs" if self.epochs else ""
        return f"{self.model}, {self.folds} folds{epochs}, seed {self.seed}"


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
        """Record a finished round from its scores (``health.json`` says how they were made); ``keys`` (N,) name
        the rows. The first round, and a round scored another way than the one before, is a new baseline."""
        history = self.rounds()
        flagged = tuple(str(key) for key in keys[scores.is_label_issue])
        health = scores.health
        entry = Round(
            number=len(history) + 1, time=datetime.now(timezone.utc).isoformat(timespec="microseconds"),
            scored=int(scores.scored.sum()), suspects=len(flagged),
            health_score=float(health.get("health_score", float("nan"))), new_suspects=None, cleared=None,
            flagged=flagged, model=health.get("model"), folds=health.get("folds"), epochs=health.get("epochs"),
            seed=health.get("seed"))
        if history and history[-1].setup == entry.setup:
            before = set(history[-1].flagged)
            entry = replace(entry, new_suspects=len(set(flagged) - before), cleared=len(before - set(flagged)))
        self._write(history + [entry])
        return entry


def live_estimate(scores: ScoreTable, labels: np.ndarray, statuses: np.ndarray, n_classes: int):
    """From the curator's own decisions on suspects: (share that were real errors, errors left per class (K,)).

    The share is relabeled + removed over reviewed suspects (NaN before any review). Errors left are estimated
    by rank, since precision falls down the list: each unreviewed suspect is an error with the run's expected
    precision times its slice's :attr:`~ScoreTable.error_density` (flat when the run has none), scaled by how
    the decisions compare with that expectation, weighted towards those nearest the first unreviewed suspect
    (the part of the list most like the rest).
    """
    order = scores.ranked_suspects()
    reviewed, real = statuses[order] != "", np.isin(statuses[order], ("relabeled", "removed"))
    share = float(real[reviewed].mean()) if reviewed.any() else float("nan")
    expected = _expected_by_rank(scores, len(order))
    if reviewed.any():
        frontier = np.argmin(reviewed) if not reviewed.all() else len(order)
        weight = np.exp(-np.maximum(frontier - np.arange(len(order)), 0) / max(NEAR, NEAR_SHARE * len(order)))
        weight = weight * reviewed
        typical = (weight * expected).sum() / weight.sum()
        expected = np.minimum(1.0, expected * ((weight * real).sum() + PRIOR * typical)
                              / ((weight * expected).sum() + PRIOR * typical))
    elif scores.expected_precision is None:
        expected = np.zeros(len(order))  # nothing to go by yet
    left = np.bincount(labels[order[~reviewed]], expected[~reviewed], minlength=n_classes)
    return share, left


def _expected_by_rank(scores: ScoreTable, suspects: int) -> np.ndarray:
    """The run's expected chance (n,) that each of its ``suspects``, most suspicious first, is a real error."""
    precision = scores.expected_precision
    density = np.ones(1) if scores.error_density is None else scores.error_density
    precision = UNKNOWN_PRECISION if precision is None else max(precision, MIN_PRECISION)
    return np.minimum(1.0, precision * density_down(density, suspects))
