"""Decode many image files in parallel into a memory-mapped array cached on disk.

Each file is keyed by its path, size and modification time, so a second open
maps the cached array at once and only new or changed files are decoded.
"""

import hashlib
import json
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from labelreview.core.atomic import write_text_atomic
from labelreview.core.data.images import Geometry, decode_image
from labelreview.core.progress import Callback, ignore_progress

CHUNK = 256
CACHE_VERSION = 1


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
    keys = [_file_key(root, relpath) for relpath in relpaths]
    folder = cache_root / _cache_name(root, geometry)
    old_keys, old_failures, old_pixels = _read_cache(folder)
    if old_keys == keys:
        callback(1.0, "decoded images loaded from cache")
        return old_pixels, {i: old_failures[k] for i, k in enumerate(keys) if k in old_failures}
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="pixels-", suffix=".npy", dir=folder)
    os.close(fd)
    try:
        pixels = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.uint8, shape=(len(keys), *geometry.shape))
        failures = _fill(pixels, root, relpaths, keys, geometry, (old_keys, old_failures, old_pixels), callback)
        pixels.flush()
        del pixels
        name = f"pixels-{hashlib.sha256(json.dumps(keys).encode()).hexdigest()[:16]}.npy"
        os.replace(tmp, folder / name)
    except BaseException:
        os.unlink(tmp)
        raise
    meta = {"version": CACHE_VERSION, "pixels": name, "keys": keys,
            "failures": {keys[i]: reason for i, reason in failures.items()}}
    write_text_atomic(folder / "meta.json", json.dumps(meta))
    _remove_stale(folder, keep=name)
    return np.load(folder / name, mmap_mode="r"), failures


def _fill(pixels, root, relpaths, keys, geometry, old, callback) -> dict[int, str]:
    """Copy rows the old cache already has, decode the rest in parallel."""
    old_keys, old_failures, old_pixels = old
    old_row = {key: row for row, key in enumerate(old_keys)}
    failures: dict[int, str] = {}
    todo = []
    for i, key in enumerate(keys):
        if key in old_failures:
            failures[i] = old_failures[key]
        elif key in old_row:
            pixels[i] = old_pixels[old_row[key]]
        else:
            todo.append(i)

    def decode_chunk(chunk: list[int]) -> dict[int, str]:
        bad = {}
        for i in chunk:
            try:
                pixels[i] = decode_image(root / relpaths[i], geometry)
            except Exception as error:  # noqa: BLE001 - any unreadable file is skipped and listed
                bad[i] = _describe(error)
        return bad

    chunks = [todo[start:start + CHUNK] for start in range(0, len(todo), CHUNK)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        futures = [pool.submit(decode_chunk, chunk) for chunk in chunks]
        try:
            for done, future in enumerate(futures, 1):
                failures.update(future.result())
                callback(done / len(futures), f"decoding images {min(done * CHUNK, len(todo)):,}/{len(todo):,}")
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    return failures


def _describe(error: Exception) -> str:
    if isinstance(error, FileNotFoundError):
        return "file not found"
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    if "cannot identify image file" in text:
        return "not an image or corrupt"
    return text


def _file_key(root: Path, relpath: str) -> str:
    try:
        stat = (root / relpath).stat()
    except OSError:
        return f"{relpath}|missing"
    return f"{relpath}|{stat.st_size}|{stat.st_mtime_ns}"


def _cache_name(root: Path, geometry: Geometry) -> str:
    ident = f"{root.resolve()}|{geometry.side}|{geometry.channels}"
    return hashlib.sha256(ident.encode()).hexdigest()[:20]


def _read_cache(folder: Path) -> tuple[list[str], dict[str, str], np.ndarray | None]:
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        if meta.get("version") != CACHE_VERSION:
            return [], {}, None
        pixels = np.load(folder / meta["pixels"], mmap_mode="r", allow_pickle=False)
        if len(pixels) != len(meta["keys"]):
            return [], {}, None
        return meta["keys"], meta["failures"], pixels
    except (OSError, ValueError, KeyError, TypeError):
        return [], {}, None


def _remove_stale(folder: Path, keep: str) -> None:
    for path in folder.glob("pixels-*.npy"):
        if path.name != keep:
            try:
                path.unlink()
            except OSError:
                pass  # in use elsewhere (Windows); removed on a later open
