"""Arrays cached on disk one row per item and keyed per item, so only new or changed items are computed.

The decoded-pixel cache and the embedding store are both made of this: a
memory-mapped ``.npy`` and a ``meta.json`` naming each row's key (a file's
path, size and modification time, or an array row's content hash). A cache
that is truncated, of another shape or dtype, or of another version is
rebuilt, never used. A cancelled computation keeps the rows it finished, and
rows not asked for this time are kept too (all but the older versions of a
file asked for), so computing a subset (a fold, a cleaned set, a test set)
never evicts or shrinks the rest, and a subset already cached is not rewritten.
"""

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from labelreview.core.atomic import write_text_atomic
from labelreview.core.data.dataset import Dataset
from labelreview.core.errors import DataError
from labelreview.core.progress import Callback, ignore_progress

CACHE_VERSION = 2
HASH_CHUNK = 4096  # array rows hashed at a time
UNDONE = ""  # key of a row a cancelled run did not reach: it never matches, so it is computed next time

Fill = Callable[[np.ndarray, list[int]], Iterator[tuple[list[int], dict[int, str]]]]
"""``fill(rows, todo)`` computes the rows ``todo`` of the writable array ``rows`` and yields, as each batch is
done, (the rows just finished, row -> reason for those that failed)."""


def file_key(root: Path, relpath: str) -> str:
    """``relpath|size|mtime_ns``: changes whenever the file does."""
    try:
        stat = (root / relpath).stat()
    except OSError:
        return f"{relpath}|missing"
    return f"{relpath}|{stat.st_size}|{stat.st_mtime_ns}"


def array_keys(images: np.ndarray) -> list[str]:
    """A content hash of each row of ``images`` (n, ...): equal rows, equal keys."""
    return [hashlib.blake2b(np.ascontiguousarray(row).tobytes(), digest_size=12).hexdigest() for row in images]


def dataset_keys(dataset: Dataset) -> list[str]:
    """The key of each example of ``dataset`` (N,): its file's :func:`file_key`, or its array row's content hash."""
    if dataset.paths is not None:
        return [file_key(dataset.root, path) for path in dataset.paths]
    return [key for start in range(0, len(dataset), HASH_CHUNK)
            for key in array_keys(dataset.images(slice(start, start + HASH_CHUNK)))]


def changed_file_error(dataset: Dataset, failures: dict[int, str]) -> DataError:
    """The error for rows that could not be computed for ``dataset`` (position -> why), which opened them all."""
    position, reason = next(iter(failures.items()))
    return DataError(dataset.root / dataset.path(position) if dataset.root else None,
                     f"{reason} (changed since the dataset was opened? open it again)")


def cached_rows(folder: Path, keys: list[str], row_shape: tuple[int, ...], dtype, fill: Fill, *,
                what: str, callback: Callback = ignore_progress) -> tuple[np.ndarray, dict[int, str]]:
    """One row of shape ``row_shape`` per key, from the cache in ``folder`` or computed by ``fill``.

    Parameters
    ----------
    folder : Path
        The cache's own folder (one per kind of row and source).
    keys : list of str, length n
    row_shape : tuple of int
    dtype : numpy dtype of the rows
    fill : Fill
        Computes missing rows; rows the old cache holds under the same key are copied instead.
    what : str
        What computing a row is called in progress messages, e.g. ``"decoding images"``.
    callback : callable(fraction, message)
        Progress; may raise :class:`Cancelled`, which keeps the rows finished so far in the cache.

    Returns
    -------
    rows : np.ndarray, shape (n, *row_shape)
        Read-only, row i for ``keys[i]`` (a memory map, or a copy when they are not the cache's first rows);
        rows that failed are zeros.
    failures : dict of int to str
        Row -> why it could not be computed.
    """
    with RowFill(folder, keys, row_shape, dtype) as cache:
        if not cache.todo:
            callback(1.0, f"{what}: all {len(keys):,} from the cache")
        else:
            with contextlib.closing(fill(cache.rows, cache.todo)) as batches:
                for finished, failed in batches:
                    cache.finished(finished, failed)
                    callback(cache.count / len(cache.todo), f"{what} {cache.count:,}/{len(cache.todo):,}")
    return cache.result()


class RowFill:
    """A cache's rows while the missing ones are computed: ``rows[i]`` for each ``i`` in ``todo`` is to be
    written, and each batch said with :meth:`finished`.

    Leaving the ``with`` block commits the rows finished (also when cancelled or failed); :meth:`result` then
    maps them. Rows the old cache holds are copied; nothing is written when it holds them all (``todo`` empty).
    """

    def __init__(self, folder: Path, keys: list[str], row_shape: tuple[int, ...], dtype):
        old_keys, old_failures, old_rows = _read(folder, row_shape, np.dtype(dtype))
        self.folder, self.n = folder, len(keys)
        old_row = {key: row for row, key in enumerate(old_keys) if key != UNDONE}
        self.todo: list[int] = []
        self.failures: dict[int, str] = {}
        self._tmp, self._done = None, np.ones(0, dtype=bool)
        self._cached = _complete(old_rows, old_keys, old_row, old_failures, keys)
        if self._cached is not None:
            return
        self.keys = keys + _kept_for_later(old_keys, keys)
        folder.mkdir(parents=True, exist_ok=True)
        fd, self._tmp = tempfile.mkstemp(prefix=".rows-", suffix=".tmp", dir=folder)  # never a name _commit cleans
        os.close(fd)
        try:
            self.rows = np.lib.format.open_memmap(self._tmp, mode="w+", dtype=dtype, shape=(len(self.keys), *row_shape))
            self.failures = {i: old_failures[key] for i, key in enumerate(self.keys) if key in old_failures}
            self.todo = [i for i, key in enumerate(self.keys[:self.n]) if key not in old_row and i not in self.failures]
            for i, key in enumerate(self.keys):
                if key in old_row:
                    self.rows[i] = old_rows[old_row[key]]
        except BaseException:
            with contextlib.suppress(OSError):  # still mapped (Windows): the error that got here matters more
                os.unlink(self._tmp)
            raise
        self._done = np.ones(len(self.keys), dtype=bool)
        self._done[self.todo] = False

    @property
    def count(self) -> int:
        """How many of ``todo`` are finished."""
        return len(self.todo) - int((~self._done).sum()) if self.todo else 0

    def finished(self, rows: list[int], failed: dict[int, str]) -> None:
        """``rows`` are computed, but for ``failed`` (row -> why it could not be)."""
        self._done[rows] = True
        self.failures.update(failed)

    def __enter__(self) -> "RowFill":
        return self

    def __exit__(self, *exc) -> None:
        if self._tmp is None:
            return
        try:
            self.rows.flush()
            del self.rows
            if self._done.any():
                _commit(self.folder, self._tmp, [k if d else UNDONE for k, d in zip(self.keys, self._done)],
                        self.failures)
        finally:
            with contextlib.suppress(OSError):  # committed: it has its final name
                os.unlink(self._tmp)
            self._tmp = None

    def result(self) -> tuple[np.ndarray, dict[int, str]]:
        """The rows (n, *row_shape) of the keys asked for, read-only, and row -> why it failed."""
        if self._cached is not None:
            return self._cached
        rows, _ = _load(self.folder)
        return rows[:self.n], {i: reason for i, reason in self.failures.items() if i < self.n}


def _kept_for_later(old_keys: list[str], keys: list[str]) -> list[str]:
    """The cached keys not asked for now, but for older versions of a file asked for (same path, other size or
    time), which would never match again."""
    wanted = set(keys)
    asked_files = {key.partition("|")[0] for key in keys if "|" in key}
    return [key for key in old_keys if key not in wanted and key != UNDONE
            and key.partition("|")[0] not in asked_files]


def stored_rows(folder: Path, keys: list[str], row_shape: tuple[int, ...], dtype) -> np.ndarray | None:
    """The cached row of every key, shape (n, *row_shape), or None unless the cache in ``folder`` holds them all
    (none of them a failure)."""
    rows, failures = complete_rows(folder, keys, row_shape, dtype)
    return None if failures else rows


def complete_rows(folder: Path, keys: list[str], row_shape: tuple[int, ...],
                  dtype) -> tuple[np.ndarray | None, dict[int, str]]:
    """:func:`cached_rows`' answer when the cache in ``folder`` holds every key (a row, or a failure), computing
    nothing; else (None, {})."""
    old_keys, old_failures, old_rows = _read(folder, row_shape, np.dtype(dtype))
    row_of = {key: row for row, key in enumerate(old_keys) if key != UNDONE}
    return _complete(old_rows, old_keys, row_of, old_failures, keys) or (None, {})


def _complete(rows: np.ndarray | None, row_keys: list[str], row_of: dict[str, int], failures: dict[str, str],
              keys: list[str]) -> tuple[np.ndarray, dict[int, str]] | None:
    """The cached rows (n, ...) of ``keys`` (n,) and position -> failure, or None unless the cache has them all."""
    if rows is None or any(key not in row_of for key in keys):
        return None
    return _rows_of(rows, row_keys, row_of, keys), {i: failures[k] for i, k in enumerate(keys) if k in failures}


def missing_rows(folder: Path, keys: list[str], row_shape: tuple[int, ...], dtype) -> set[int]:
    """Positions of the ``keys`` (n,) the cache in ``folder`` would compute (no row under the key, nor a failure
    recorded for it); reads only the cache's keys."""
    old_keys, old_failures, _ = _read(folder, row_shape, np.dtype(dtype))
    known = {key for key in old_keys if key != UNDONE} | set(old_failures)
    return {i for i, key in enumerate(keys) if key not in known}


def _rows_of(rows: np.ndarray, row_keys: list[str], row_of: dict[str, int], keys: list[str]) -> np.ndarray:
    """The rows (n, ...) of ``keys`` (n,), all in ``row_of``: the cache's first n rows when they are these, else a
    read-only copy."""
    if row_keys[:len(keys)] == keys:
        return rows[:len(keys)]
    chosen = rows[[row_of[key] for key in keys]]
    chosen.flags.writeable = False
    return chosen


def _commit(folder: Path, tmp: str, keys: list[str], failures: dict[int, str]) -> None:
    """Give the filled temp file its final name, then point ``meta.json`` at it and drop older arrays."""
    name = f"rows-{hashlib.sha256(json.dumps(keys).encode()).hexdigest()[:16]}.npy"
    os.replace(tmp, folder / name)
    meta = {"version": CACHE_VERSION, "rows": name, "keys": keys,
            "failures": {keys[i]: reason for i, reason in failures.items() if keys[i] != UNDONE}}
    write_text_atomic(folder / "meta.json", json.dumps(meta))
    for path in folder.glob("rows-*.npy"):
        if path.name != name:
            with contextlib.suppress(OSError):  # in use elsewhere (Windows): removed on a later run
                path.unlink()


def _load(folder: Path) -> tuple[np.ndarray, dict]:
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    return np.load(folder / meta["rows"], mmap_mode="r", allow_pickle=False), meta


def _read(folder: Path, row_shape: tuple[int, ...], dtype: np.dtype) -> tuple[list, dict, np.ndarray | None]:
    """Keys, failures and rows of the cache in ``folder``; nothing when it is absent, damaged or of another kind."""
    try:
        rows, meta = _load(folder)
    except (OSError, ValueError, KeyError, TypeError):
        return [], {}, None
    keys = meta.get("keys")
    if (meta.get("version") != CACHE_VERSION or not isinstance(keys, list) or len(rows) != len(keys)
            or rows.shape[1:] != tuple(row_shape) or rows.dtype != dtype):
        return [], {}, None
    return keys, meta.get("failures", {}), rows
