"""Datasets of image files: a folder with one sub-folder per class, or a labels CSV."""

import os
from pathlib import Path

import numpy as np
import pandas as pd

from labelreview.core.data.dataset import Dataset, natural_key
from labelreview.core.data.images import SAMPLE_SIZE, choose_geometry, is_image_name
from labelreview.core.data.labels_table import read_labels_table, without_removed
from labelreview.core.data.pixel_cache import cached_pixels
from labelreview.core.errors import DataError
from labelreview.core.progress import Callback, ignore_progress


def open_folder(root: Path, *, limit: int | None = None, callback: Callback = ignore_progress) -> Dataset:
    """Images below ``root``: the first-level sub-folder names the class.

    Nested folders belong to their first-level folder; hidden files and
    folders are ignored; symlinked folders are not followed (no loops).
    """
    relpaths, labels = [], []
    for class_dir in sorted((d for d in root.iterdir() if d.is_dir() and not d.name.startswith(".")),
                            key=lambda d: natural_key(d.name)):
        found = _image_files(class_dir, root)
        relpaths += found
        labels += [class_dir.name] * len(found)
    if not relpaths:
        raise DataError(root, "no images found (expected one sub-folder of images per class)")
    relpaths, labels = relpaths[:limit], labels[:limit]
    return _image_dataset(root.name, root, relpaths, labels, np.arange(len(relpaths)), callback)


def _image_files(folder: Path, root: Path) -> list[str]:
    """The image files below ``folder`` in natural order, as paths relative to ``root`` with ``/`` separators
    (strings throughout: a Path per file made listing a million files three times slower)."""
    found, skip = [], len(str(root)) + 1
    for parent, dirs, files in os.walk(folder):
        dirs[:] = sorted((d for d in dirs if not d.startswith(".")), key=natural_key)
        prefix = parent[skip:].replace(os.sep, "/") + "/"
        found += [prefix + name for name in sorted(files, key=natural_key) if is_image_name(name)]
    return found


def open_labels_csv(
    csv_path: Path, *, limit: int | None = None, keep_removed: bool = False, callback: Callback = ignore_progress
) -> Dataset:
    """Images named by a ``path,label`` CSV, relative to the CSV's folder (``../`` leads out of it).

    Rows whose ``status`` is ``removed`` are left out unless ``keep_removed``;
    ``index`` is the CSV row. The classes are the names in ``label`` and
    ``original_label``, so a class stays one when a curator relabels all of its images.
    """
    table = read_labels_table(csv_path)
    if "path" not in table.columns:
        raise DataError(csv_path, "an image dataset CSV needs a 'path' column ('index' rows need array data: use --labels)")
    if not keep_removed:
        table = without_removed(table)
    table = table.iloc[:limit]
    originals = table["original_label"] if "original_label" in table.columns else []
    return _image_dataset(csv_path.stem, csv_path.parent, list(table["path"]), list(table["label"]),
                          table.index.to_numpy(), callback, more_classes={name for name in originals if name})


def _image_dataset(name, root: Path, relpaths, label_names, index, callback, more_classes=frozenset()) -> Dataset:
    """The images, not decoded (their pixels mapped when the cache holds them all, its unreadable files left out)."""
    callback(0.0, f"reading the headers of {min(len(relpaths), SAMPLE_SIZE)} images")
    class_names = tuple(sorted(set(label_names) | more_classes, key=natural_key))
    try:
        geometry = choose_geometry(root, relpaths)
    except ValueError as error:
        raise DataError(root, str(error)) from None
    pixels, failures = cached_pixels(root, relpaths, geometry)
    dataset = Dataset(
        name=name,
        class_names=class_names,
        labels=pd.Categorical(label_names, categories=class_names).codes.astype(np.int64),
        index=np.asarray(index, dtype=np.int64),
        pixels=pixels,
        rows=np.arange(len(relpaths), dtype=np.int64),
        paths=tuple(relpaths),
        root=root,
        geometry=geometry,
    )
    return dataset.without_unreadable(failures)
