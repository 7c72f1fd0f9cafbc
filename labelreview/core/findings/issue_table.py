"""Every issue found in a dataset, one row per image and issue: ``issues.csv`` and what the window asks of it.

Columns (a contract, design.md): ``index, path, issue, score, group, detail``. ``score`` is 0..1, lower is
worse (cleanlab's and CleanVision's convention); ``group`` ties the images of a duplicate set together.
"""

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from labelreview.core.atomic import atomic_file, write_text_atomic
from labelreview.core.data.dataset import Dataset
from labelreview.core.findings.analysis import Analysis
from labelreview.core.findings.image_quality import QUALITY_KINDS
from labelreview.core.findings.issue_finders import Findings
from labelreview.core.findings.outliers import outlier_detail

COLUMNS = ["index", "path", "issue", "score", "group", "detail"]
DUPLICATE_KINDS = ("label_conflict", "duplicate")
ISSUE_KINDS = ("label", *DUPLICATE_KINDS, "outlier", *QUALITY_KINDS, "unreadable")
ISSUES_FILE = "issues.csv"
SEARCHED_FILE = "issues.searched.json"  # which images the finders looked at
LABELLED = ", labelled "  # ends a duplicate's detail, before the label of the copy it names


def issues_frame(dataset: Dataset, findings: Findings | None, analysis: Analysis | None = None) -> pd.DataFrame:
    """The rows of ``issues.csv`` for ``dataset``: label issues (from ``analysis``), then the model-free findings."""
    parts = [pd.DataFrame(columns=["position", "issue", "score", "group", "detail"])]
    if analysis is not None:
        parts.append(_label_rows(dataset, analysis))
    if findings is not None:
        parts += [_duplicate_rows(dataset, findings), _outlier_rows(findings), findings.quality.assign(group=-1)]
    rows = pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)
    positions = rows["position"].to_numpy(np.int64)
    table = pd.DataFrame({"index": dataset.index[positions], "path": [dataset.path(i) for i in positions],
                          "issue": rows["issue"].to_numpy(object), "score": np.round(rows["score"].astype(float), 6),
                          "group": rows["group"].to_numpy(np.int64), "detail": rows["detail"].to_numpy(object)})
    unreadable = pd.DataFrame({"index": pd.array([None] * len(dataset.skipped), dtype="Int64"),
                               "path": [s.path for s in dataset.skipped], "issue": "unreadable", "score": 0.0,
                               "group": -1, "detail": [s.reason for s in dataset.skipped]})
    table = table.astype({"index": "Int64"})
    return pd.concat([table, unreadable], ignore_index=True) if len(unreadable) else table


def issue_counts(frame: pd.DataFrame) -> dict[str, int]:
    """Images per kind of issue (every kind, zeros included)."""
    counts = frame["issue"].value_counts()
    return {kind: int(counts.get(kind, 0)) for kind in ISSUE_KINDS}


def write_issues(frame: pd.DataFrame, out_dir: Path) -> None:
    """Write ``issues.csv`` into ``out_dir`` atomically."""
    with atomic_file(out_dir / ISSUES_FILE, "w") as handle:
        frame[COLUMNS].to_csv(handle, index=False, lineterminator="\n")


def record_searched(out_dir: Path, dataset: Dataset) -> None:
    """Note beside ``issues.csv`` which images it was found in (the window's own scores folder), so that images
    added to the dataset later are searched too."""
    write_text_atomic(out_dir / SEARCHED_FILE, json.dumps({"images": len(dataset), "digest": _digest(dataset)}))


def read_issues(folder: Path, dataset: Dataset | None = None) -> pd.DataFrame | None:
    """``issues.csv`` from ``folder``; None when absent or damaged (then it is found again, not trusted), or when
    it was found in other images than ``dataset``'s (files added since; see :func:`record_searched`; a folder
    without that note, such as ``score --out``'s, is trusted)."""
    if dataset is not None and not _searched(folder, dataset):
        return None
    try:
        frame = pd.read_csv(folder / ISSUES_FILE, keep_default_na=False, na_values={"index": [""]},
                            dtype={"path": str, "issue": str, "detail": str})
        frame = frame.astype({"index": "Int64", "score": float, "group": np.int64})
    except (OSError, ValueError, KeyError, pd.errors.ParserError):
        return None
    if list(frame.columns) != COLUMNS or not frame["issue"].isin(ISSUE_KINDS).all():
        return None
    return frame


@dataclass(frozen=True)
class IssueTable:
    """The model-free issues of the N images under review, for the window (label issues live in the scores).

    ``frame`` holds the ``issues.csv`` rows of images in the dataset, with their dataset ``position``; label
    conflicts follow the current labels, so both duplicate kinds are kept as sets and split on demand.
    """

    frame: pd.DataFrame

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, dataset: Dataset) -> "IssueTable | None":
        """The rows of ``frame`` about images of ``dataset`` (by source index), positions added; None when a row
        names another file than the image at its index (the folder changed since: found again, not trusted)."""
        rows = frame[frame["issue"].isin(ISSUE_KINDS[1:-1]) & frame["index"].notna()]
        known = rows["index"].astype(np.int64).isin(dataset.index)
        rows = rows[known.to_numpy()].copy()
        order = np.argsort(dataset.index)
        rows["position"] = order[np.searchsorted(dataset.index, rows["index"].astype(np.int64), sorter=order)]
        if any(path != dataset.path(i) for path, i in zip(rows["path"], rows["position"])):
            return None
        duplicates = rows["issue"].isin(DUPLICATE_KINDS)
        alone = duplicates & (rows.groupby("group")["group"].transform("size") < 2)
        rows = rows[~alone.to_numpy()].copy()  # its copies are gone from the dataset
        rows["partner"] = _partners(rows, dataset)
        return cls(rows.reset_index(drop=True))

    def positions(self, kind: str, labels: np.ndarray) -> np.ndarray:
        """Images with issue ``kind`` (or any image-quality kind for ``quality``) under the current ``labels``
        (N,), each once, worst first; duplicate sets kept together."""
        if kind in DUPLICATE_KINDS:
            rows = self._duplicates()
            conflict = self.conflict(labels)[rows["position"].to_numpy(np.int64)]
            rows = rows[conflict == (kind == "label_conflict")].sort_values(["group", "score"], kind="stable")
        else:
            kinds = QUALITY_KINDS if kind == "quality" else (kind,)
            rows = self.frame[self.frame["issue"].isin(kinds)].sort_values("score", kind="stable")
        return rows["position"].drop_duplicates().to_numpy(np.int64)

    def counts(self, labels: np.ndarray) -> dict[str, int]:
        """Images per kind (``quality``: with any quality issue) under the current ``labels``, as many as
        :meth:`positions` gives; label errors and unreadable files are not here."""
        members = self._duplicates()["position"].to_numpy(np.int64)
        conflicting = np.unique(members[self.conflict(labels)[members]])
        return {"label_conflict": len(conflicting), "duplicate": len(np.unique(members)) - len(conflicting),
                **self._counts_without_labels}

    @cached_property
    def _counts_without_labels(self) -> dict[str, int]:
        """Images per kind that no label changes: outliers and image quality."""
        positions = {kind: self.frame["position"][self.frame["issue"] == kind] for kind in ("outlier", *QUALITY_KINDS)}
        quality = pd.concat([positions[kind] for kind in QUALITY_KINDS])
        return {"outlier": positions["outlier"].nunique(), "quality": quality.nunique(),
                **{kind: positions[kind].nunique() for kind in QUALITY_KINDS}}

    def conflict(self, labels: np.ndarray) -> np.ndarray:
        """True (N,) for images in a duplicate set whose current labels disagree."""
        rows = self._duplicates()
        group_labels = pd.Series(labels[rows["position"].to_numpy(np.int64)]).groupby(rows["group"].to_numpy())
        conflicting = set(group_labels.nunique().pipe(lambda n: n[n > 1]).index)
        flags = np.zeros(len(labels), bool)
        flags[rows["position"][rows["group"].isin(conflicting)].to_numpy(np.int64)] = True
        return flags

    def set_of(self, position: int) -> np.ndarray:
        """The positions of the duplicate set holding ``position`` (itself first), empty when it has none."""
        rows = self._duplicates()
        group = rows["group"][rows["position"] == position]
        if group.empty:
            return np.empty(0, np.int64)
        members = rows["position"][rows["group"] == group.iat[0]].to_numpy(np.int64)
        return np.concatenate([[position], members[members != position]])

    def reasons(self, position: int, labels: np.ndarray, class_names: list[str]) -> list[str]:
        """Why image ``position`` is flagged, one line per issue; for a duplicate, whether its set's current
        ``labels`` (N,) disagree and the current label of the copy it is compared with."""
        rows = self.frame[self.frame["position"] == position]
        lines = []
        for issue, detail, partner in zip(rows["issue"], rows["detail"], rows["partner"]):
            if issue in DUPLICATE_KINDS:
                issue = "label_conflict" if self.conflict(labels)[position] else "duplicate"
                if partner >= 0:
                    detail = f"{detail.rsplit(LABELLED, 1)[0]}{LABELLED}{class_names[labels[partner]]}"
            lines.append(f"{issue.replace('_', ' ')}: {detail}")
        return lines

    def _duplicates(self) -> pd.DataFrame:
        return self.frame[self.frame["issue"].isin(DUPLICATE_KINDS)]


def _searched(folder: Path, dataset: Dataset) -> bool:
    try:
        searched = json.loads((folder / SEARCHED_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return True
    except (OSError, ValueError):
        return False
    return searched == {"images": len(dataset), "digest": _digest(dataset)}


def _digest(dataset: Dataset) -> str:
    """SHA-256 of the images' source indices and paths."""
    digest = hashlib.sha256(np.ascontiguousarray(dataset.index, np.int64).tobytes())
    for path in dataset.paths or ():
        digest.update(path.encode() + b"\0")
    return digest.hexdigest()


def _partners(rows: pd.DataFrame, dataset: Dataset) -> np.ndarray:
    """The position of the copy each duplicate row's detail names (its nearest in the set), -1 for other rows."""
    duplicates = rows["issue"].isin(DUPLICATE_KINDS).to_numpy()
    position_of = {dataset.path_or_row(i): i for i in rows["position"][duplicates]}
    named = [detail.rsplit(LABELLED, 1)[0].partition(" of ")[2] for detail in rows["detail"]]
    return np.array([position_of.get(name, -1) if duplicate else -1 for name, duplicate in zip(named, duplicates)],
                    np.int64)


def _label_rows(dataset: Dataset, analysis: Analysis) -> pd.DataFrame:
    flagged = np.flatnonzero(analysis.is_label_issue)
    flagged = flagged[np.argsort(analysis.rank[flagged])]
    names = dataset.class_names
    return pd.DataFrame({
        "position": flagged, "issue": "label", "score": analysis.label_quality[flagged], "group": -1,
        "detail": [f"labelled {names[dataset.labels[i]]}, the model predicts {names[analysis.predicted[i]]} "
                   f"({analysis.confidence[i]:.0%})" for i in flagged]})


def _duplicate_rows(dataset: Dataset, findings: Findings) -> pd.DataFrame:
    sets = findings.duplicates
    conflict = sets.conflicting(dataset.labels)
    members = np.flatnonzero(sets.group >= 0)
    members = members[np.lexsort((members, sets.group[members], ~conflict[members]))]  # label conflicts first
    names = dataset.class_names

    def detail(i: int) -> str:
        other = sets.nearest[i]
        what = "exact copy" if sets.exact[i] else f"near duplicate (cosine {sets.similarity[i]:.3f})"
        return f"{what} of {dataset.path_or_row(other)}{LABELLED}{names[dataset.labels[other]]}"

    return pd.DataFrame({
        "position": members, "issue": np.where(conflict[members], "label_conflict", "duplicate"),
        "score": np.round(1 - sets.similarity[members].astype(float), 6), "group": sets.group[members],
        "detail": [detail(i) for i in members]})


def _outlier_rows(findings: Findings) -> pd.DataFrame:
    outliers = findings.outliers
    if outliers is None:
        return pd.DataFrame()
    flagged = np.flatnonzero(outliers.is_outlier)
    flagged = flagged[np.argsort(outliers.score[flagged], kind="stable")]
    return pd.DataFrame({"position": flagged, "issue": "outlier", "score": outliers.score[flagged], "group": -1,
                         "detail": [outlier_detail(i, outliers) for i in flagged]})
