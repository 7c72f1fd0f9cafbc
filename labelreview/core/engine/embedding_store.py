"""The embedding store: every image's backbone embedding, computed once per dataset and backbone, cached on disk.

Every finding that needs image features reads them here. Images stream
through in batches (decode -> pad to a square keeping the aspect ratio ->
resize -> backbone) while threads decode the next batch, so memory stays
flat: never more than a few batches of pixels at the backbone's size.
Embeddings are kept as float16 in a memory-mapped file keyed per image (a
file's path, size and mtime, or an array row's content hash) under the
backbone's ident, so reopening or rescoring embeds only new or changed images.
"""

import hashlib
import os
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np

from labelreview.core.appdirs import cache_dir
from labelreview.core.data.dataset import Dataset
from labelreview.core.data.images import Geometry, decode_image, describe_failure, fit_square, to_image
from labelreview.core.data.row_cache import Fill, cached_rows, changed_file_error, dataset_keys, stored_rows
from labelreview.core.engine.backbone import LITE0, Backbone, Embedder, load_embedder
from labelreview.core.progress import Callback, ignore_progress

BATCH = 32
AHEAD = 2  # batches being decoded while one is embedded

FillMaker = Callable[[Dataset, Backbone], Fill]
"""Makes the :data:`Fill` that computes a dataset's missing embeddings with a backbone."""


def dataset_embeddings(dataset: Dataset, backbone: Backbone = LITE0, *,
                       callback: Callback = ignore_progress, fill_with: FillMaker | None = None) -> np.ndarray:
    """The embedding of every example, computing only those the store lacks.

    Parameters
    ----------
    dataset : Dataset with N examples
    backbone : Backbone
    callback : callable(fraction, message)
        Progress after every batch; may raise :class:`Cancelled` (batches done so far stay stored).
    fill_with : callable(dataset, backbone) -> Fill, optional
        What computes the missing rows (default :func:`local_fill`: this process; a cluster plugs in its own).

    Returns
    -------
    np.ndarray of float16, shape (N, backbone.dim)
        Read-only memory map; row i belongs to dataset position i.
    """
    fill = (fill_with or local_fill)(dataset, backbone)
    vectors, failures = cached_rows(store_folder(dataset, backbone), dataset_keys(dataset), (backbone.dim,), np.float16,
                                    fill, what=f"embedding images with {backbone.name}", callback=callback)
    if failures:
        raise changed_file_error(dataset, failures)
    return vectors


def local_fill(dataset: Dataset, backbone: Backbone) -> Fill:
    """A :data:`Fill` that decodes and embeds the missing rows of ``dataset`` in this process."""
    read = image_reader(dataset, backbone.side)

    def fill(rows: np.ndarray, todo: list[int]) -> Iterator[tuple[list[int], dict[int, str]]]:
        if not todo:
            return
        embed = load_embedder(backbone)
        for batch, vectors, failed in embedded_batches(todo, read, embed):
            rows[[i for i in batch if i not in failed]] = vectors
            yield batch, failed

    return fill


def embedded_batches(todo: list[int], read: Callable[[int], np.ndarray], embed: Embedder, *,
                     decoders: int | None = None) -> Iterator[tuple[list[int], np.ndarray, dict[int, str]]]:
    """Decode and embed the items ``todo``, a batch at a time.

    Yields
    ------
    batch : list of int
        The items of this batch.
    vectors : np.ndarray of float16, shape (n, dim)
        Embeddings of the n items of ``batch`` that did not fail, in order.
    failed : dict of int to str
        Item -> why it could not be read.
    """
    for batch, images, failed in decoded_batches(todo, read, decoders=decoders):
        vectors = embed(np.stack(images)).astype(np.float16) if images else np.empty((0, 0), np.float16)
        yield batch, vectors, failed


def stored_embeddings(dataset: Dataset, backbone: Backbone = LITE0) -> np.ndarray | None:
    """The embedding of every example (N, backbone.dim) if the store holds them all, else None; never computes."""
    return stored_rows(store_folder(dataset, backbone), dataset_keys(dataset), (backbone.dim,), np.float16)


def store_folder(dataset: Dataset, backbone: Backbone) -> Path:
    """The store's folder for this dataset and backbone; later findings (e.g. a map layout) may cache beside it."""
    source = str(dataset.root.resolve()) if dataset.root is not None else dataset.name
    return cache_dir() / "embeddings" / hashlib.sha256(f"{source}|{backbone.ident}".encode()).hexdigest()[:20]


def image_reader(dataset: Dataset, side: int) -> Callable[[int], np.ndarray]:
    """Position -> the backbone's input (side, side, 3) uint8: the file decoded, or the array row fitted."""
    if dataset.paths is not None:
        return file_reader(dataset.root, dataset.paths, side)
    return array_reader(lambda i: dataset.images(np.array([i]))[0], side)


def file_reader(root: Path, paths, side: int) -> Callable[[int], np.ndarray]:
    """Item i -> ``root / paths[i]`` decoded to (side, side, 3) uint8, aspect ratio kept."""
    geometry = Geometry(side, 3)
    return lambda i: decode_image(root / paths[i], geometry)


def array_reader(row: Callable[[int], np.ndarray], side: int) -> Callable[[int], np.ndarray]:
    """Item i -> the image ``row(i)`` (H, W, C) uint8 as RGB fitted into (side, side, 3)."""
    def read(i: int) -> np.ndarray:
        return np.asarray(fit_square(to_image(row(i)).convert("RGB"), side), dtype=np.uint8)
    return read


def decoded_batches(todo: list[int], read: Callable[[int], Any], *,
                    decoders: int | None = None) -> Iterator[tuple[list[int], list, dict[int, str]]]:
    """(rows, what ``read`` gave for each of them but the failed ones, row -> why it failed) for each batch of
    BATCH rows of ``todo``.

    ``decoders`` threads (default: one per CPU) read up to AHEAD batches beyond the one handed out; closing the
    generator cancels them.
    """
    pending: deque[tuple[list[int], list[Future]]] = deque()
    with ThreadPoolExecutor(decoders or os.cpu_count() or 2) as pool:
        try:
            for start in range(0, len(todo), BATCH):
                rows = todo[start:start + BATCH]
                pending.append((rows, [pool.submit(read, i) for i in rows]))
                if len(pending) > AHEAD:
                    yield _gathered(*pending.popleft())
            while pending:
                yield _gathered(*pending.popleft())
        finally:
            for _, futures in pending:
                for future in futures:
                    future.cancel()


def _gathered(rows: list[int], futures: list[Future]) -> tuple[list[int], list, dict[int, str]]:
    values, failed = [], {}
    for i, future in zip(rows, futures):
        try:
            values.append(future.result())
        except Exception as error:  # noqa: BLE001 - reported per image
            failed[i] = describe_failure(error)
    return rows, values, failed
