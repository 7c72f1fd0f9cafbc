"""Decode many image files in parallel into a memory-mapped array cached on disk.

Each file is keyed by its path, size and modification time, so a second open
maps the cached array at once and only new or changed files are decoded.
"""

import hashlib
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from labelreview.core.data.images import Geometry, decode_image, describe_failure
from labelreview.core.data.row_cache import cached_rows, file_key
from labelreview.core.progress import Callback, ignore_progress

CHUNK = 256


def load_pixels(
    root: Path,
    relpaths: list[str],
    geometry: Geometry,
    *,
    cache_root: Path,
    callback: Callback = ignore_progress,
) -> tuple[np.ndarray, dict[int, str]]:
    """Model inputs for ``root / relpath`` for every relpath.

    Returns
    -------
    pixels : np.ndarray of uint8, shape (n, side, side, channels)
        Read-only memory map; rows of unreadable files are zeros.
    failures : dict of int to str
        Row -> why that file could not be read.
    """
    ident = f"{root.resolve()}|{geometry.side}|{geometry.channels}"
    folder = cache_root / hashlib.sha256(ident.encode()).hexdigest()[:20]

    def fill(pixels: np.ndarray, todo: list[int]):
        return decode_files(pixels, todo, [root / p for p in relpaths], lambda path: decode_image(path, geometry))

    return cached_rows(folder, [file_key(root, p) for p in relpaths], geometry.shape, np.uint8, fill,
                       what="decoding images", callback=callback)


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

