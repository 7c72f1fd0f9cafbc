"""Open any SOURCE the command line accepts, optionally with replacement labels."""

from pathlib import Path

import numpy as np

from labelreview.core.data.array_sources import open_idx, open_mnist, open_npz
from labelreview.core.data.dataset import Dataset
from labelreview.core.data.image_sources import open_folder, open_labels_csv
from labelreview.core.data.labels_table import paths_below, read_labels_table, without_removed
from labelreview.core.errors import DataError
from labelreview.core.progress import Callback, ignore_progress


def open_source(
    source: str,
    *,
    labels: str | Path | None = None,
    limit: int | None = None,
    keep_removed: bool = False,
    callback: Callback = ignore_progress,
) -> Dataset:
    """Open ``source``: an image folder, a labels CSV, a ``.npz``, an IDX file, ``mnist`` or ``mnist:test``.

    ``limit`` keeps the first N examples in source order; ``labels`` names a
    labels CSV whose labels replace the given ones (see :func:`relabel`);
    ``keep_removed`` keeps a labels CSV's rows whose status is ``removed``.
    """
    if limit is not None and limit < 1:
        raise DataError(None, f"--limit must be at least 1, not {limit}")
    dataset = _open(source, limit, keep_removed, callback)
    return dataset if labels is None else relabel(dataset, Path(labels), complete=limit is None)


def _open(source: str, limit: int | None, keep_removed: bool, callback: Callback) -> Dataset:
    if source == "mnist" or source.startswith("mnist:"):
        return open_mnist(source.partition(":")[2] or "train", limit=limit)
    path = Path(source).expanduser()
    if not path.exists():
        raise DataError(path, "no such file or folder")
    if path.is_dir():
        return open_folder(path, limit=limit, callback=callback)
    name = path.name.lower()
    if name.endswith(".csv"):
        return open_labels_csv(path, limit=limit, keep_removed=keep_removed, callback=callback)
    if name.endswith(".npz"):
        return open_npz(path, limit=limit)
    if "idx3-ubyte" in name:
        return open_idx(path, limit=limit)
    raise DataError(path, "not a dataset (use an image folder, a labels .csv, a .npz, an IDX file or mnist)")


def relabel(dataset: Dataset, csv_path: Path, *, complete: bool = True) -> Dataset:
    """Replace given labels with those of a ``path,label`` or ``index,label`` CSV (paths relative to the CSV's
    folder or to the image folder).

    Examples the CSV does not name keep their label. Every row must name a
    known class, and, when ``complete`` (the dataset was not cut by a limit),
    an example of the dataset; otherwise :class:`DataError`.
    """
    labels, _ = _csv_labels(dataset, read_labels_table(csv_path), csv_path, complete)
    return dataset.with_labels(labels)


def cleaned_subset(dataset: Dataset, csv_path: Path, *, complete: bool = True) -> Dataset:
    """Only the examples a cleaned labels CSV names, with its labels (``removed`` rows left out)."""
    labels, named = _csv_labels(dataset, without_removed(read_labels_table(csv_path)), csv_path, complete)
    return dataset.with_labels(labels).select(named)


def _csv_labels(dataset: Dataset, table, csv_path: Path, complete: bool) -> tuple[np.ndarray, np.ndarray]:
    """Labels (N,) after applying ``table``, and which examples (N,) it named."""
    if "path" in table.columns and dataset.paths is not None:
        keys = list(dataset.paths)
        wanted = paths_below(table["path"], csv_path, dataset.root, set(keys) | {s.path for s in dataset.skipped})
    elif "index" in table.columns:
        keys, wanted = [str(i) for i in dataset.index], list(table["index"])
    else:
        raise DataError(csv_path, "array data needs an 'index,label' CSV")
    position = {key: i for i, key in enumerate(keys)}
    lookup = {name: k for k, name in enumerate(dataset.class_names)}
    unreadable = {skipped.path for skipped in dataset.skipped}
    labels, named = dataset.labels.copy(), np.zeros(len(dataset), dtype=bool)
    for row, (key, label) in enumerate(zip(wanted, table["label"]), start=2):
        if label not in lookup:
            raise DataError(csv_path, f"row {row}: label {label!r} is not a class of {dataset.name} "
                                      f"({', '.join(dataset.class_names[:12])})")
        if key in position:
            labels[position[key]], named[position[key]] = lookup[label], True
        elif complete and key not in unreadable:
            raise DataError(csv_path, f"row {row}: {key!r} is not an example of {dataset.name}")
    return labels, named
