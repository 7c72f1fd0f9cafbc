"""The curator's labels CSV: current label, label before the first edit, decision status.

Every change is appended to an audit log beside the CSV first, then the CSV is
replaced atomically. A CSV changed by another program since we last read or
wrote it is never overwritten blindly.
"""

import os
import re
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from labelreview.core.appdirs import data_dir
from labelreview.core.data.dataset import Dataset
from labelreview.core.data.labels_table import paths_below, read_labels_table, write_labels_table
from labelreview.core.errors import DataError
from labelreview.core.review.audit_log import SAVED, AuditLog

STATUSES = ("", "kept", "relabeled", "removed")
BACKGROUND_ROWS = 200_000


@dataclass(frozen=True)
class Decision:
    """One example's state: ``status`` in :data:`STATUSES` and its current ``label`` (a class name)."""

    status: str
    label: str


def store_path_for(source: str, dataset: Dataset) -> Path:
    """Where a dataset's labels CSV lives: the CSV itself, beside an image folder, or in the app's data folder."""
    if source.lower().endswith(".csv"):
        return Path(source)
    if dataset.root is not None:
        return dataset.root.parent / f"{dataset.root.name}.labels.csv"
    slug = re.sub(r"[^a-z0-9]+", "-", dataset.name.lower()).strip("-")
    return data_dir() / "labels" / f"{slug}.labels.csv"


class LabelStore:
    """A labels CSV bound to a dataset; ``row_of[i]`` is the CSV row of example ``i``.

    After :meth:`save_on_a_thread`, a CSV of over BACKGROUND_ROWS rows is written on a thread of its own (a
    million rows take 1.5 s): a decision returns once it is in memory and in the audit log, and a burst of
    decisions is written once.
    """

    def __init__(self, path: Path, table: pd.DataFrame, key_column: str, row_of: np.ndarray):
        self.path, self.table, self.key_column, self.row_of = path, table, key_column, row_of
        self.audit = AuditLog(_audit_path(path))
        self._signature = _signature(path)
        self._lock = threading.Lock()  # the table and audit log between a decision and the writing thread
        self._version = self._written = 0  # decisions applied, and the last of them written
        self._writer: ThreadPoolExecutor | None = None
        self._failed: Callable[[str], None] | None = None

    @property
    def audit_path(self) -> Path:
        return self.audit.path

    @classmethod
    def open(cls, path: Path, dataset: Dataset) -> "LabelStore":
        """Read ``path`` (or start it from the dataset's given labels) and add rows it lacks.

        Decisions that the audit log holds but a crash kept out of the CSV are
        replayed; temp files that a killed save left beside it are removed.
        """
        for stale in path.parent.glob(f".{path.name}.*.tmp"):
            stale.unlink(missing_ok=True)
        keys, key_column = _keys(path, dataset)
        table = read_labels_table(path) if path.exists() else pd.DataFrame({key_column: [], "label": []}, dtype=str)
        if key_column not in table.columns:
            raise DataError(path, f"needs a '{key_column}' column for {dataset.name}")
        for column in ("original_label", "status"):
            if column not in table.columns:
                table[column] = table["label"] if column == "original_label" else ""
        examples, rows = _example_keys(dataset), _row_examples(table, path, dataset)
        row_of_example = pd.Series(np.arange(len(rows)), index=pd.Index(rows, dtype=object))
        row_of_example = row_of_example[~row_of_example.index.duplicated(keep="last")]  # two rows, one image: the last
        row_of = row_of_example.reindex(examples).fillna(-1).to_numpy(np.int64)  # -1: no row yet
        missing = np.flatnonzero(row_of < 0)
        if len(missing):
            names = dataset.label_names()
            extra = pd.DataFrame({key_column: np.asarray(keys, dtype=object)[missing], "label": names[missing],
                                  "original_label": names[missing], "status": ""})
            row_of[missing] = len(table) + np.arange(len(missing))
            table = pd.concat([table, extra], ignore_index=True).fillna("")
        replayed = _replay(table, key_column, AuditLog(_audit_path(path)).unsaved_decisions())
        store = cls(path, table, key_column, row_of.astype(np.int64))
        if replayed:
            store.audit.append([{"row": None, "action": "replay", "new": f"{replayed} decisions from this log"}])
        if len(missing) or replayed or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            store.save()
        return store

    def decision(self, i: int) -> Decision:
        row, columns = self.row_of[i], self.table.columns
        return Decision(self.table.iat[row, columns.get_loc("status")], self.table.iat[row, columns.get_loc("label")])

    def statuses(self) -> np.ndarray:
        """Status of every example, shape (N,)."""
        return self.table["status"].to_numpy()[self.row_of]

    def keys(self) -> np.ndarray:
        """CSV key (path or index) of every example, shape (N,)."""
        return self.table[self.key_column].to_numpy()[self.row_of]

    def labels(self) -> np.ndarray:
        """Current label name of every example, shape (N,)."""
        return self.table["label"].to_numpy()[self.row_of]

    def apply(self, changes: list[tuple[int, Decision]], audit: list[dict]) -> None:
        """Set decisions of examples, log them, and save; in memory even when saving fails."""
        with self._lock:
            for i, decision in changes:
                row = self.row_of[i]
                self.table.iat[row, self.table.columns.get_loc("status")] = decision.status
                self.table.iat[row, self.table.columns.get_loc("label")] = decision.label
            self.audit.append(audit)
            self._version += 1
        if self._writer is not None and len(self.table) > BACKGROUND_ROWS:
            self._writer.submit(self._write_newest)
        else:
            self.save()

    def save_on_a_thread(self, failed: Callable[[str], None]) -> None:
        """Write a large CSV on a thread of its own from now on; ``failed(message)`` is called on that thread when
        a write fails (the decisions stay in memory and in the audit log; the next decision tries again)."""
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="labels CSV")
        self._failed = failed

    def close(self) -> None:
        """Finish the writes under way (before the window closes, or another dataset is shown)."""
        if self._writer is not None:
            self._writer.shutdown(wait=True)
            self._writer = None

    def save(self) -> None:
        """Write the CSV atomically unless another program changed it since we last saw it."""
        self._wait_for_writes()
        self._replace(self.table)
        self.audit.append([{"action": SAVED}])
        self._written = self._version

    def _wait_for_writes(self) -> None:
        if self._writer is not None:
            self._writer.submit(lambda: None).result()

    def _write_newest(self) -> None:
        """On the writing thread: write the table as it is now, unless that was written already."""
        with self._lock:
            if self._written == self._version:
                return
            version, table = self._version, self.table.copy()
        try:
            self._replace(table)
        except (DataError, OSError) as error:
            self._failed(str(error))
            return
        with self._lock:
            if self._version == version:  # else decisions logged since are not in the CSV: no marker yet
                self.audit.append([{"action": SAVED}])
            self._written = version

    def _replace(self, table: pd.DataFrame) -> None:
        if _signature(self.path) != self._signature:
            raise DataError(self.path, "changed by another program since it was opened; not overwritten "
                                       "(reopen the dataset, or save elsewhere)")
        write_labels_table(self.path, table)
        self._signature = _signature(self.path)

    def move_to(self, path: Path, dataset: Dataset) -> None:
        """Keep the labels in ``path`` from now on (the curator chose it); the old files stay as they are.

        Path keys are rewritten for the new folder and the audit log so far is
        copied beside the new CSV, so the history stays with the labels.
        """
        self._wait_for_writes()
        if self.key_column == "path":
            known, new = set(dataset.paths), _prefix(path, dataset)
            self.table["path"] = [new + example if example in known else written for example, written
                                  in zip(_row_examples(self.table, self.path, dataset), self.table["path"])]
        new_audit = AuditLog(_audit_path(path))
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.audit_path.exists():
            shutil.copyfile(self.audit_path, new_audit.path)
        moved_from = self.path
        self.path, self.audit, self._signature = path, new_audit, _signature(path)
        self.audit.append([{"row": None, "action": "move", "old": str(moved_from), "new": str(path)}])
        self.save()

    def key(self, i: int) -> str:
        """The CSV key (path or index) of example ``i``."""
        return self.table[self.key_column].iat[self.row_of[i]]


def _keys(path: Path, dataset: Dataset) -> tuple[list[str], str]:
    if dataset.paths is None:
        return [str(i) for i in dataset.index], "index"
    prefix = _prefix(path, dataset)
    return [prefix + p for p in dataset.paths], "path"


def _example_keys(dataset: Dataset) -> list[str]:
    """What names each example whatever the CSV's place: its path below the image folder, or its index."""
    return list(dataset.paths) if dataset.paths is not None else [str(i) for i in dataset.index]


def _row_examples(table: pd.DataFrame, path: Path, dataset: Dataset) -> list[str]:
    """The example (as :func:`_example_keys` names it) of each row of the labels CSV ``path``; its paths may be
    relative to the CSV's folder or to the image folder."""
    if dataset.paths is None:
        return list(table["index"])
    return paths_below(table["path"], path, dataset.root, set(dataset.paths))


def _prefix(path: Path, dataset: Dataset) -> str:
    """New rows' image paths are relative to the CSV's folder when the images are below it, else to the image
    root."""
    try:
        relative = Path(os.path.relpath(dataset.root, path.parent)).as_posix()
    except ValueError:  # another drive (Windows)
        return ""
    return "" if relative == "." or relative.startswith("..") else relative + "/"


def _audit_path(csv_path: Path) -> Path:
    return csv_path.with_name(csv_path.name + ".audit.jsonl")


def _replay(table: pd.DataFrame, key_column: str, decisions: list[dict]) -> int:
    """Apply logged decisions (naming rows by their key) to ``table`` in order; returns how many changed a row."""
    if not decisions:
        return 0
    position = {key: row for row, key in enumerate(table[key_column])}
    changed = 0
    for entry in decisions:
        row = position.get(entry.get("row"))
        if row is None:
            continue
        new = (entry["new"], entry["new_status"])
        if (table.at[row, "label"], table.at[row, "status"]) != new:
            table.at[row, "label"], table.at[row, "status"] = new
            changed += 1
    return changed


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_size, stat.st_mtime_ns
