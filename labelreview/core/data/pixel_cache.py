"""Decode many image files in parallel into a memory-mapped array cached on disk.

Each file is keyed by its path, size and modification time, so a dataset whose
files are all cached maps the array at once when opened, and a run decodes only
new or changed files.
"""

import hashlib
import os
from dataclasses import replace
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from labelreview.core.appdirs import cache_dir
from labelreview.core.data.dataset import Dataset
from labelreview.core.data.images import Geometry, decode_image, describe_failure
from labelreview.core.data.row_cache import cached_rows, complete_rows, file_key
from labelreview.core.progress import Callback, ignore_progress

CHUNK = 256


def decoded(dataset: Dataset, *, callback: Callback = ignore_progress) -> Dataset:
    """``dataset`` with its model inputs decoded (new or changed files) or mapped from the cache, and the files
    that cannot be read left out (listed in ``skipped``); ``dataset`` itself when its pixels are there."""
    if dataset.pixels is not None:
        return dataset
    pixels, failures = load_pixels(dataset.root, list(dataset.paths), dataset.geometry, callback=callback)
    rows = np.arange(len(dataset), dtype=np.int64)
    return replace(dataset, pixels=pixels, rows=rows).without_unreadable(failures)


def load_pixels(root: Path, relpaths: list[str], geometry: Geometry, *,
                callback: Callback = ignore_progress) -> tuple[np.ndarray, dict[int, str]]:
    """Model inputs for ``root / relpath`` for every relpath.

    Returns
    -------
    pixels : np.ndarray of uint8, shape (n, side, side, channels)
        Read-only memory map; rows of unreadable files are zeros.
    failures : dict of int to str
        Row -> why that file could not be read.
    """
    def fill(pixels: np.ndarray, todo: list[int]):
        return decode_files(pixels, todo, [root / p for p in relpaths], lambda path: decode_image(path, geometry))

    return cached_rows(_folder(root, geometry), [file_key(root, p) for p in relpaths], geometry.shape, np.uint8,
                       fill, what="decoding images", callback=callback)


def cached_pixels(root: Path, relpaths: list[str], geometry: Geometry) -> tuple[np.ndarray | None, dict[int, str]]:
    """:func:`load_pixels`' answer when the cache holds every file, else (None, {}); decodes nothing, and when no
    file of ``root`` was ever decoded at ``geometry`` reads nothing either (not even the files' sizes)."""
    folder = _folder(root, geometry)
    if not (folder / "meta.json").is_file():
        return None, {}
    return complete_rows(folder, [file_key(root, p) for p in relpaths], geometry.shape, np.uint8)


def _folder(root: Path, geometry: Geometry) -> Path:
    """The cache of ``root``'s files at ``geometry``."""
    ident = f"{root.resolve()}|{geometry.side}|{geometry.channels}"
    return cache_dir() / "decoded" / hashlib.sha256(ident.encode()).hexdigest()[:20]


def decode_files(out: np.ndarray, todo: list[int], files: list[Path], decode, *,
                 chunk: int = CHUNK) -> Iterator[tuple[list[int], dict[int, str]]]:
    """Decode ``files[i]`` into ``out[i]`` for each ``i`` in ``todo`` on a thread pool, ``chunk`` files a task.

    Yields each chunk in order as (its rows, row -> reason for the files that could not be read). Closing the
    generator cancels the chunks not started and waits for those running.
    """

    def decode_chunk(rows: list[int]) -> dict[int, str]:
        bad = {}
        for i in rows:
            try:
                out[i] = decode(files[i])
            except Exception as error:  # noqa: BLE001 - any unreadable file is skipped and listed
                bad[i] = describe_failure(error)
        return bad

    chunks = [todo[start:start + chunk] for start in range(0, len(todo), chunk)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        futures = [pool.submit(decode_chunk, rows) for rows in chunks]
        try:
            for rows, future in zip(chunks, futures):
                yield rows, future.result()
        finally:
            for future in futures:
                future.cancel()

