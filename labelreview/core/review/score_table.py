"""Scores aligned with the examples of a dataset under review, from a run, a partial run or files."""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from labelreview.core.data.dataset import Dataset
from labelreview.core.engine.pipeline import PartialScore, ScoreRun
from labelreview.core.findings.analysis import Analysis


@dataclass(frozen=True)
class ScoreTable:
    """Per-example scores for the N examples under review; unscored rows hold -1 / NaN / False.

    Attributes
    ----------
    scored : bool (N,)
    predicted, fold, rank : int64 (N,)
    confidence, label_quality : float64 (N,)
    is_label_issue : bool (N,)
    pred_probs : float32 (N, K)
    health : dict
        ``health.json`` of the run, or a summary of the folds done so far.
    """

    scored: np.ndarray
    predicted: np.ndarray
    fold: np.ndarray
    rank: np.ndarray
    confidence: np.ndarray
    label_quality: np.ndarray
    is_label_issue: np.ndarray
    pred_probs: np.ndarray
    health: dict

    @property
    def suspects(self) -> int:
        return int(self.is_label_issue.sum())

    def ranked_suspects(self) -> np.ndarray:
        """Positions of the suspects, most suspicious first, shape (n,)."""
        flagged = np.flatnonzero(self.is_label_issue)
        return flagged[np.argsort(self.rank[flagged], kind="stable")]

    @property
    def expected_precision(self) -> float | None:
        """The run's estimate of the share of its suspects that are real errors (``health.json``), or None (also
        when the run could not estimate it: a partial run's NaN)."""
        value = self.health.get("expected_precision")
        return None if value is None or not np.isfinite(value) else float(value)

    @property
    def error_density(self) -> np.ndarray | None:
        """How the run expects real errors to spread down its suspects, in equal slices most suspicious first,
        mean 1 (``health.json``), or None."""
        value = self.health.get("error_density")
        return None if not value else np.asarray(value, dtype=np.float64)

    @classmethod
    def empty(cls, n: int, k: int, health: dict | None = None) -> "ScoreTable":
        minus = np.full(n, -1, dtype=np.int64)
        nan = np.full(n, np.nan)
        return cls(np.zeros(n, bool), minus, minus.copy(), minus.copy(), nan, nan.copy(),
                   np.zeros(n, bool), np.zeros((n, k), np.float32), health or {})

    @classmethod
    def from_analysis(cls, dataset: Dataset, positions: np.ndarray, analysis: Analysis, pred_probs: np.ndarray,
                      fold: np.ndarray, health: dict) -> "ScoreTable":
        """Scores of ``dataset[positions]`` (n,), all others unscored."""
        return cls._scored_at(dataset, positions, health, predicted=analysis.predicted, fold=fold,
                              rank=analysis.rank, confidence=analysis.confidence,
                              label_quality=analysis.label_quality, is_label_issue=analysis.is_label_issue,
                              pred_probs=pred_probs)

    @classmethod
    def _scored_at(cls, dataset: Dataset, positions: np.ndarray, health: dict, **columns) -> "ScoreTable":
        """An unscored table for ``dataset`` with every column's (n,) values set at ``positions`` (n,)."""
        table = cls.empty(len(dataset), len(dataset.class_names), health)
        for name, values in columns.items():
            getattr(table, name)[positions] = values
        table.scored[positions] = True
        return table

    @classmethod
    def from_run(cls, dataset: Dataset, run: ScoreRun, health: dict) -> "ScoreTable":
        """A finished run over ``run.dataset``, a subset of ``dataset`` matched by source index."""
        positions = _positions(dataset, run.dataset.index)
        return cls.from_analysis(dataset, positions, run.analysis, run.cv.pred_probs, run.cv.fold_of, health)

    @classmethod
    def from_partial(cls, dataset: Dataset, partial: PartialScore) -> "ScoreTable":
        """The folds finished so far of a run over a subset of ``dataset``, matched by source index."""
        positions = _positions(dataset, partial.dataset.index[partial.indices])
        health = {"folds_done": partial.folds_done, "folds": partial.folds,
                  "health_score": partial.analysis.health_score, "label_issues": partial.analysis.issue_count,
                  "expected_precision": partial.analysis.expected_precision,
                  "error_density": partial.analysis.error_density.tolist()}
        return cls.from_analysis(dataset, positions, partial.analysis, partial.pred_probs, partial.fold_of, health)

    @classmethod
    def read(cls, folder: Path, dataset: Dataset) -> "ScoreTable | None":
        """Scores saved by :func:`write_score_files`, or None when absent or not of this dataset."""
        try:
            scores = pd.read_csv(folder / "scores.csv", keep_default_na=False)
            pred_probs = np.load(folder / "pred_probs.npy", allow_pickle=False)
            health = json.loads((folder / "health.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if health.get("class_names") != list(dataset.class_names) or len(pred_probs) != len(scores):
            return None
        known = np.isin(scores["index"].to_numpy(), dataset.index)
        scores, pred_probs = scores[known], pred_probs[known]
        positions = _positions(dataset, scores["index"].to_numpy())
        return cls._scored_at(
            dataset, positions, health,
            predicted=pd.Categorical(scores["predicted_label"].astype(str), categories=dataset.class_names).codes,
            fold=scores["fold"], rank=scores["rank"], confidence=scores["confidence"],
            label_quality=scores["label_quality"], is_label_issue=scores["is_label_issue"].astype(str) == "True",
            pred_probs=pred_probs)


def _positions(dataset: Dataset, source_index: np.ndarray) -> np.ndarray:
    """Positions in ``dataset`` of examples with the given source indices."""
    order = np.argsort(dataset.index)
    return order[np.searchsorted(dataset.index, source_index, sorter=order)]
