"""Write a scoring run as files: ``scores.csv``, ``pred_probs.npy``, ``health.json``, ``issues.csv``."""

import json
from pathlib import Path

import numpy as np
import pandas as pd

from labelreview.core.atomic import atomic_file, write_text_atomic
from labelreview.core.engine.pipeline import ScoreRun
from labelreview.core.findings.agreement import measure_agreement
from labelreview.core.findings.analysis import CLASS_QUALITY_COLUMNS, OVERLAP_COLUMNS, suggest_labels
from labelreview.core.findings.issue_table import issue_counts, issues_frame, write_issues


def scores_frame(run: ScoreRun) -> pd.DataFrame:
    """One row per example in source order, labels as class names."""
    dataset, analysis = run.dataset, run.analysis
    suggested = suggest_labels(dataset.labels, analysis.predicted)
    return pd.DataFrame({
        "index": dataset.index,
        "path": [dataset.path(i) for i in range(len(dataset))],
        "given_label": dataset.label_names(),
        "predicted_label": dataset.label_names(analysis.predicted),
        "confidence": np.round(analysis.confidence, 6),
        "label_quality": np.round(analysis.label_quality, 6),
        "is_label_issue": analysis.is_label_issue,
        "rank": analysis.rank,
        "suggested_label": np.where(suggested >= 0, dataset.label_names(suggested), ""),
        "fold": run.cv.fold_of,
    })


def health_summary(run: ScoreRun, issues: pd.DataFrame, *, source: str | None = None,
                   labels: str | None = None) -> dict:
    """The dataset-level figures of ``health.json``; ``issues`` are the rows of ``issues.csv``; ``source`` and
    ``labels`` (the SOURCE and labels CSV scored, when known) let the results be opened elsewhere."""
    dataset, analysis = run.dataset, run.analysis
    quality = analysis.class_quality
    overlap = analysis.overlapping
    agreement = measure_agreement(dataset.labels, run.cv.pred_probs)
    return {
        "dataset": dataset.name,
        "source": source,
        "labels": labels,
        "examples": len(dataset),
        "health_score": round(analysis.health_score, 6),
        "label_issues": analysis.issue_count,
        "estimated_label_errors": analysis.estimated_errors,
        "expected_precision": _rounded(analysis.expected_precision),
        "error_density": np.round(analysis.error_density, 3).tolist(),
        "class_names": list(dataset.class_names),
        "class_counts": np.bincount(dataset.labels, minlength=len(dataset.class_names)).tolist(),
        "per_class": _records(quality, CLASS_QUALITY_COLUMNS),
        "overlapping_classes": _records(overlap, OVERLAP_COLUMNS),
        "confusion": [[int(g), int(p), int(analysis.confusion[g, p])] for g, p in zip(*analysis.confusion.nonzero())],
        "model": run.spec.name,
        "model_reason": run.reason,
        "agreement": round(agreement.overall, 6),
        "agreement_per_class": {name: _rounded(value) for name, value in zip(dataset.class_names,
                                                                             agreement.per_class)},
        "agreement_chance": round(agreement.chance, 6),
        "agreement_verdict": agreement.verdict,
        "agreement_warning": agreement.warning,
        "folds": run.folds,
        "epochs": run.spec.epochs,
        "seed": run.spec.seed,
        "seconds": round(run.seconds, 2),
        "skipped_files": [{"path": s.path, "reason": s.reason} for s in dataset.skipped],
        "issue_counts": issue_counts(issues),
        "issues_searched": searched(run.findings),
    }


def searched(findings) -> list[str]:
    """What the finders looked for: near duplicates and outliers need the embeddings."""
    if findings is None:
        return ["label"]
    return ["label", "exact duplicates", "image quality"] + (["near duplicates", "outliers"] if findings.embedded
                                                              else [])


def finders_searched(out_dir: Path) -> bool:
    """Whether the model-free finders looked at the images of the ``issues.csv`` in ``out_dir``: its run's
    ``health.json`` says so, or there is none (the finders ran on their own)."""
    try:
        health = _read_health(out_dir)
    except FileNotFoundError:
        return True
    return health is not None and "image quality" in (health.get("issues_searched") or [])


def record_findings(out_dir: Path, issues: pd.DataFrame, findings) -> None:
    """After the finders ran again on their own: ``health.json`` (if a run wrote one) counts the new ``issues``."""
    try:
        health = _read_health(out_dir)
    except FileNotFoundError:
        return
    if health is not None:  # a damaged file is left for the next run to replace
        health |= {"issue_counts": issue_counts(issues), "issues_searched": searched(findings)}
        write_text_atomic(out_dir / "health.json", json.dumps(health, indent=2) + "\n")


def _read_health(out_dir: Path) -> dict | None:
    """``health.json`` of ``out_dir``; None when it cannot be read as an object; FileNotFoundError when absent."""
    try:
        health = json.loads((out_dir / "health.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise
    except (OSError, ValueError):
        return None
    return health if isinstance(health, dict) else None


def _rounded(value: float) -> float | None:
    """``value`` to 6 places for JSON; None for NaN."""
    return None if np.isnan(value) else round(float(value), 6)


def _records(frame: pd.DataFrame, names: dict[str, str]) -> list[dict]:
    """Chosen columns of ``frame``, renamed, as plain JSON-ready dicts."""
    picked = frame[list(names)].rename(columns=names)
    picked = picked.astype({c: str for c in picked.columns if picked[c].dtype == object})
    return json.loads(picked.to_json(orient="records"))


def write_score_files(run: ScoreRun, out_dir: Path, *, source: str | None = None,
                      labels: str | None = None) -> dict:
    """Write ``scores.csv``, ``pred_probs.npy`` (N x K float32), ``issues.csv`` and ``health.json`` into ``out_dir``.

    Each file is replaced whole (a temp file renamed), after the run has finished. ``source`` and ``labels``
    are recorded in ``health.json`` (see :func:`health_summary`). Returns the ``health.json`` contents.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    with atomic_file(out_dir / "scores.csv", "w") as handle:
        scores_frame(run).to_csv(handle, index=False, lineterminator="\n")
    with atomic_file(out_dir / "pred_probs.npy", "wb") as handle:
        np.save(handle, run.cv.pred_probs.astype(np.float32), allow_pickle=False)
    issues = issues_frame(run.dataset, run.findings, run.analysis)
    write_issues(issues, out_dir)
    health = health_summary(run, issues, source=source, labels=labels)
    write_text_atomic(out_dir / "health.json", json.dumps(health, indent=2) + "\n")
    return health
