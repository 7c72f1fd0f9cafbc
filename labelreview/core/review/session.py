"""A review session: a dataset, its labels CSV, its scores, and undoable decisions."""

import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from labelreview.core.data.dataset import Dataset
from labelreview.core.data.labels_table import write_labels_table
from labelreview.core.data.sources import open_source
from labelreview.core.engine.pipeline import ScoreRun
from labelreview.core.errors import DataError
from labelreview.core.findings.analysis import suggest_labels
from labelreview.core.findings.health import Health, compute_health
from labelreview.core.findings.issue_finders import Findings
from labelreview.core.findings.issue_table import IssueTable, issues_frame, read_issues, record_searched, write_issues
from labelreview.core.findings.score_files import finders_searched, record_findings, write_score_files
from labelreview.core.progress import Callback, ignore_progress
from labelreview.core.review.label_store import Decision, LabelStore, store_path_for
from labelreview.core.review.rounds import (
    ReviewCounts,
    Round,
    RoundsHistory,
    count_reviews,
    kept_quality,
    live_estimate,
    quiet_kept,
)
from labelreview.core.review.score_table import ScoreTable

ACTIONS = ("keep", "relabel", "remove")


@dataclass(frozen=True)
class DecisionCommand:
    """One curator action on one or more examples, with what it replaced (glue's do/undo)."""

    action: str
    positions: tuple[int, ...]
    before: tuple[Decision, ...]
    after: tuple[Decision, ...]

    def do(self, session: "ReviewSession") -> None:
        session._write(self.action, self.positions, self.before, self.after)

    def undo(self, session: "ReviewSession") -> None:
        session._write(f"undo {self.action}", self.positions, self.after, self.before)


class ReviewSession:
    """Everything the review window shows and changes, without Qt."""

    def __init__(self, source: str, dataset: Dataset, store: LabelStore, scores: ScoreTable):
        self.source, self.dataset, self.store, self.scores = source, dataset, store, scores
        self._labels = pd.Categorical(store.labels(), categories=dataset.class_names).codes.astype(np.int64)
        self._statuses = store.statuses()  # both (N,), kept as decisions change them: read often, by every view
        self._flagged_in: dict[str, np.ndarray] = {}  # round time -> its suspects (N,), found once
        self._key_index: pd.Index | None = None  # of the CSV keys, to find them
        self.issues: IssueTable | None = None  # the model-free findings, once found
        self.done: list[DecisionCommand] = []
        self.undone: list[DecisionCommand] = []

    @classmethod
    def open(cls, source: str, *, labels_path: Path | None = None,
             callback: Callback = ignore_progress) -> "ReviewSession":
        """Open ``source`` with its labels CSV (default place, or ``labels_path``) and its last scores."""
        dataset = open_source(source, keep_removed=True, callback=callback)
        path = Path(labels_path) if labels_path else store_path_for(source, dataset)
        dataset = dataset.without_unreadable(_found_unreadable(scores_dir_of(path), dataset))
        store = LabelStore.open(path, dataset)
        unknown = sorted(set(store.labels()) - set(dataset.class_names))
        if unknown:
            raise DataError(store.path, f"label {unknown[0]!r} is not a class of {dataset.name}")
        session = cls(source, dataset, store, ScoreTable.empty(len(dataset), len(dataset.class_names)))
        session.restore_saved_scores()
        session.find_round_suspects()
        return session

    def find_round_suspects(self) -> None:
        """Find each round's suspects now (on the thread that opens the dataset), not when a view first asks."""
        for past in self.rounds.rounds():
            self.suspects_of(past)

    @property
    def rounds(self) -> RoundsHistory:
        return RoundsHistory(self.store.path.with_name(self.store.path.name + ".rounds.json"))

    def show_scores(self, scores: ScoreTable, *, new_round: bool = False, kept_until: str | None = None) -> None:
        """Use ``scores`` (images kept before ``kept_until``, default now, stay unflagged unless their evidence
        fell); record a finished round."""
        keys = self.store.keys()
        kept = kept_quality(self.store.audit.entries(), until=kept_until)
        self.scores = quiet_kept(scores, keys, kept)
        if new_round:
            self.rounds.add(self.scores, keys)

    def restore_saved_scores(self) -> None:
        """Show the scores and issues of the last finished run with the suspects its round had (keeps made since
        stay suspects, reviewed), or no scores when there is none for this dataset."""
        saved = ScoreTable.read(self.scores_dir, self.dataset)
        history = self.rounds.rounds()
        self.show_scores(saved or ScoreTable.empty(len(self.dataset), len(self.dataset.class_names)),
                         kept_until=history[-1].time if history else None)
        self.issues = self.saved_issues()

    def saved_issues(self) -> IssueTable | None:
        """The issues saved beside the scores, or None when the finders have not looked (a run without them saves
        label issues alone) or the file is damaged."""
        issues = read_issues(self.scores_dir, self.dataset)
        if issues is None or not finders_searched(self.scores_dir):
            return None
        return IssueTable.from_frame(issues, self.dataset)

    def save_findings(self, findings: Findings) -> IssueTable | None:
        """Keep the model-free ``findings`` beside the scores (the last run's label issues stay); the table to show."""
        self._note_unreadable(findings.dataset)
        saved = read_issues(self.scores_dir)
        frame = issues_frame(findings.dataset, findings)
        if saved is not None:
            frame = pd.concat([saved[saved["issue"] == "label"], frame], ignore_index=True)
        self.scores_dir.mkdir(parents=True, exist_ok=True)
        write_issues(frame, self.scores_dir)
        record_searched(self.scores_dir, self._readable())
        record_findings(self.scores_dir, frame, findings)
        return IssueTable.from_frame(frame, self.dataset)

    def live_estimate(self) -> tuple[float, np.ndarray]:
        """(share of reviewed suspects that were real errors, estimated errors left per class (K,))."""
        return live_estimate(self.scores, self.labels(), self.statuses(), len(self.dataset.class_names))

    @property
    def scores_dir(self) -> Path:
        """Where the last run's ``scores.csv``, ``pred_probs.npy`` and ``health.json`` are kept."""
        return scores_dir_of(self.store.path)

    def move_labels(self, path: Path) -> None:
        """Keep this dataset's labels CSV (with its audit log and saved scores) at ``path`` from now on.

        For a labels CSV dataset the original CSV stays the dataset's definition, untouched.
        """
        old_scores = self.scores_dir
        self.store.move_to(Path(path), self.dataset)
        self._flagged_in.clear()  # the rounds name the suspects by their keys in the labels CSV
        self._key_index = None
        if old_scores.is_dir():
            shutil.copytree(old_scores, self.scores_dir, dirs_exist_ok=True)

    def labels(self, positions=None) -> np.ndarray:
        """Current label (after relabels) of every example, shape (N,) int, or of those at ``positions`` (n,)."""
        return self._labels.copy() if positions is None else self._labels[np.asarray(positions, np.int64)]

    def statuses(self) -> np.ndarray:
        """Decision of every example: ``""``, ``kept``, ``relabeled`` or ``removed``; shape (N,)."""
        return self._statuses.copy()

    def original_dataset(self) -> Dataset:
        """Every example with its label before the first edit."""
        lookup = {name: k for k, name in enumerate(self.dataset.class_names)}
        originals = self.store.table["original_label"].to_numpy()[self.store.row_of]
        return self.dataset.with_labels(np.array([lookup[name] for name in originals], dtype=np.int64))

    def training_dataset(self) -> Dataset:
        """The dataset to score: current labels, removed examples left out."""
        return self.dataset.with_labels(self.labels()).select(self.statuses() != "removed")

    def health(self) -> Health:
        """Health of the scored, not removed images under their current labels."""
        include = self.scores.scored & (self.statuses() != "removed")
        return compute_health(self.labels(), self.scores.pred_probs, self.dataset.class_names, include)

    def save_run(self, run: ScoreRun) -> ScoreTable:
        """Write a finished run's files where a reopen finds them; the scores to show (not yet set)."""
        self._note_unreadable(run.dataset)
        health = write_score_files(run, self.scores_dir, source=self.source, labels=str(self.store.path))
        record_searched(self.scores_dir, self._readable())  # all but the removed images, which need no search
        return ScoreTable.from_run(self.dataset, run, health)

    def _note_unreadable(self, searched: Dataset) -> None:
        """Files that a run or a search over ``searched`` (some of this dataset's examples) found unreadable join
        the dataset's ``skipped``; they stay examples here, never scored, until the dataset is opened again."""
        known = {skipped.path for skipped in self.dataset.skipped}
        found = tuple(skipped for skipped in searched.skipped if skipped.path not in known)
        if found:
            self.dataset = replace(self.dataset, skipped=self.dataset.skipped + found)

    def _readable(self) -> Dataset:
        """The examples but those found unreadable (as the dataset is when opened again)."""
        if not self.dataset.skipped or self.dataset.paths is None:
            return self.dataset
        unreadable = {skipped.path for skipped in self.dataset.skipped}
        return self.dataset.select(np.array([path not in unreadable for path in self.dataset.paths], dtype=bool))

    def review_counts(self) -> ReviewCounts:
        """The curator's decisions on the suspects shown now."""
        return count_reviews(self.scores.is_label_issue, self.statuses())

    def round_reviews(self, past: Round) -> ReviewCounts:
        """The curator's decisions, as they stand now, on the suspects of round ``past``."""
        return count_reviews(self.suspects_of(past), self._statuses)

    def suspects_of(self, past: Round) -> np.ndarray:
        """Which examples (N,) were suspects of round ``past`` (found once: the rounds name them by CSV key)."""
        if past.time not in self._flagged_in:
            if self._key_index is None:
                self._key_index = pd.Index(self.store.keys())
            flagged = np.zeros(len(self.dataset), dtype=bool)
            positions = self._key_index.get_indexer(past.flagged)
            flagged[positions[positions >= 0]] = True
            self._flagged_in[past.time] = flagged
        return self._flagged_in[past.time]

    def suspect_positions(self) -> np.ndarray:
        """Positions of the suspects shown now, most suspicious first, shape (n,)."""
        return self.scores.ranked_suspects()

    def decide(self, positions, action: str, label=None) -> None:
        """Keep, relabel or remove the examples at ``positions`` as one undoable command.

        ``label`` (relabel only) is one class index, or one per position.
        """
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        positions = tuple(int(i) for i in positions)
        labels = np.broadcast_to(np.asarray(label if label is not None else -1), (len(positions),))
        before = tuple(self.store.decision(i) for i in positions)
        originals = self.store.table["original_label"].to_numpy()[self.store.row_of[list(positions)]]
        after = tuple(self._decided(old, original, action, int(k))
                      for old, original, k in zip(before, originals, labels))
        self._push(DecisionCommand(action, positions, before, after))

    def suggestions(self, positions) -> np.ndarray:
        """The class to offer each example at ``positions`` (n,) (A): the one the model prefers to its current
        label; -1 where the model agrees with that label or has not scored it, shape (n,)."""
        positions = np.asarray(positions, dtype=np.int64)
        suggested = suggest_labels(self.labels(positions), self.scores.predicted[positions])
        return np.where(self.scores.scored[positions], suggested, -1)

    def accept_suggested(self, positions) -> tuple[int, ...]:
        """Relabel each example at ``positions`` that has a suggestion to it, as one command; the others are left
        as they are. Returns the positions relabeled."""
        positions = np.asarray(positions, dtype=np.int64)
        suggested = self.suggestions(positions)
        offered = tuple(int(i) for i in positions[suggested >= 0])
        if offered:
            self.decide(offered, "relabel", suggested[suggested >= 0])
        return offered

    def _decided(self, old: Decision, original: str, action: str, label: int) -> Decision:
        """The decision after ``action`` on an example whose label before the first edit is ``original``: the
        status always follows from the original and the new label."""
        if action == "remove":
            return replace(old, status="removed")
        name = self.dataset.class_names[label] if action == "relabel" else old.label
        return Decision("kept" if name == original else "relabeled", name)

    def _push(self, command: DecisionCommand) -> None:
        self.done.append(command)
        self.undone.clear()
        command.do(self)

    def undo(self) -> tuple[int, ...]:
        """Undo the last decision; returns the positions it touched (empty when nothing to undo)."""
        return self._replay(self.done, self.undone, DecisionCommand.undo)

    def redo(self) -> tuple[int, ...]:
        """Redo the last undone decision; returns the positions it touched."""
        return self._replay(self.undone, self.done, DecisionCommand.do)

    def _replay(self, source: list, target: list, step) -> tuple[int, ...]:
        if not source:
            return ()
        command = source.pop()
        target.append(command)
        step(command, self)
        return command.positions

    def _write(self, action: str, positions, old: tuple[Decision, ...], new: tuple[Decision, ...]) -> None:
        suggested = self.suggestions(positions)  # as offered before this change
        audit = [self._audit_entry(i, action, o, n, k) for i, o, n, k in zip(positions, old, new, suggested)]
        lookup = {name: k for k, name in enumerate(self.dataset.class_names)}
        self._labels[list(positions)] = [lookup[decision.label] for decision in new]
        self._statuses[list(positions)] = [decision.status for decision in new]
        self.store.apply(list(zip(positions, new)), audit)

    def _audit_entry(self, i: int, action: str, old: Decision, new: Decision, suggested: int) -> dict:
        scored = bool(self.scores.scored[i])
        if old.label == new.label:
            action = action.replace("relabel", "keep")
        return {"row": self.store.key(i), "action": action, "old": old.label, "new": new.label,
                "old_status": old.status, "new_status": new.status,
                "score": round(float(self.scores.label_quality[i]), 6) if scored else None,
                "suggested": self.dataset.class_names[suggested] if suggested >= 0 else None}

    def export_cleaned(self, path: Path) -> int:
        """Write a labels CSV with relabels applied and removed rows dropped; returns its row count."""
        table = self.store.table
        cleaned = table[table["status"] != "removed"][[self.store.key_column, "label"]]
        write_labels_table(path, cleaned)
        return len(cleaned)


def scores_dir_of(labels_csv: Path) -> Path:
    """Where the scores and issues of the dataset reviewed with ``labels_csv`` are kept."""
    return labels_csv.with_name(labels_csv.name + ".scores")


def _found_unreadable(scores_dir: Path, dataset: Dataset) -> dict[int, str]:
    """Position -> why, for the files of ``dataset`` that a run or search found unreadable (``issues.csv``)."""
    issues = read_issues(scores_dir)
    if issues is None or dataset.paths is None:
        return {}
    unreadable = issues[issues["issue"] == "unreadable"]
    reason = dict(zip(unreadable["path"], unreadable["detail"]))
    return {i: reason[path] for i, path in enumerate(dataset.paths) if path in reason}
