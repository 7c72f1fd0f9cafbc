"""What CleanVision measures in every image (brightness, entropy, size, colour), plus its sharpness and a digest
of its decoded pixels, computed once per image and cached on disk.

CleanVision's entropy calculator measures our decoded images, and its brightness percentiles are computed as
it computes them (:func:`brightness_percentiles`), on a thread pool (progress, cancel, a cache keyed per file like
the embedding store) instead of its Imagelab loop, which re-decodes every file at full size and cannot report
progress or stop.
"""

import hashlib
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

from labelreview.core.appdirs import cache_dir
from labelreview.core.data.dataset import Dataset, readable_rows
from labelreview.core.data.images import Decoded, decode_once, describe_failure, inspection_view, to_image
from labelreview.core.data.row_cache import Fill, cached_rows, dataset_keys
from labelreview.core.errors import DataError
from labelreview.core.progress import Callback, ignore_progress

INSPECTION_SIDE = 256  # images are judged at about this size
VERSION = 6  # of the measurements: another version's cache is not used
THUMBNAIL_SIDE = 12  # of the colour thumbnail compared for near duplicates (measured against 8 and 16)
PERCENTILES = np.array([1, 5, 99])  # of the pixels' brightness, as CleanVision names them
BRIGHTNESS_WEIGHTS = (241, 691, 68)  # CleanVision's perceived brightness: sqrt(.241 R^2 + .691 G^2 + .068 B^2)
STEEPEST = 0.999  # quantile of the steps between neighbouring pixels that measures sharpness
CHUNK = 512
PROCESSES_FROM = 5000  # images: below, starting worker processes (about 2 s) costs more than it saves
PROPERTIES = np.dtype([
    *((f"brightness_perc_{p}", "f4") for p in PERCENTILES), ("entropy", "f4"),
    ("sharpness", "f4"), ("brightness_range", "f4"), ("width", "i4"), ("height", "i4"),
    ("grayscale", "?"), ("digest", "V16"), ("thumbnail", "u1", (3 * THUMBNAIL_SIDE ** 2,)),
])
"""One image's measurements: CleanVision's brightness percentiles and entropy, its sharpness, the range of its
gray levels (0..1), full size, colour, a digest of its pixels, and a tiny RGB thumbnail (squeezed square)."""
MEASURES = PROPERTIES.names[:PROPERTIES.names.index("height") + 1]  # the numbers among them


def image_properties(dataset: Dataset, *, callback: Callback = ignore_progress,
                     fill_with: Callable[[Dataset], Fill] | None = None) -> np.ndarray:
    """CleanVision's measurements of every image, from the cache where it has them.

    Files are decoded from disk (not the model inputs, which are shrunk); array rows as they are.
    ``fill_with(dataset)`` is what measures the missing rows (default :func:`local_measure`: this machine's
    CPUs; a cluster plugs in its own).

    Returns
    -------
    np.ndarray of PROPERTIES, shape (N,)

    Raises
    ------
    DataError
        When a file cannot be read (see :func:`readable_properties`).
    """
    readable, properties = readable_properties(dataset, callback=callback, fill_with=fill_with)
    if len(readable) < len(dataset):
        unreadable = readable.skipped[len(dataset.skipped)]
        raise DataError(dataset.root / unreadable.path, unreadable.reason)
    return properties


def readable_properties(dataset: Dataset, *, callback: Callback = ignore_progress,
                        fill_with: Callable[[Dataset], Fill] | None = None) -> tuple[Dataset, np.ndarray]:
    """The examples whose files can be read (the others join ``skipped``) and :func:`image_properties` of each,
    shape (n,)."""
    rows, failures = cached_rows(properties_folder(dataset), dataset_keys(dataset), (), PROPERTIES,
                                 (fill_with or local_measure)(dataset),
                                 what="measuring image quality", callback=callback)
    return readable_rows(dataset, rows, failures)


def properties_folder(dataset: Dataset) -> Path:
    """The cache folder of ``dataset``'s measurements."""
    source = dataset.name if dataset.paths is None else str(dataset.root.resolve())
    return cache_dir() / "image-properties" / hashlib.sha256(f"{source}|{VERSION}".encode()).hexdigest()[:20]


def local_measure(dataset: Dataset) -> Fill:
    """A :data:`Fill` that measures the missing rows of ``dataset`` on this machine's CPUs, in chunks."""

    def fill(rows: np.ndarray, todo: list[int]) -> Iterator[tuple[list[int], dict[int, str]]]:
        chunks = [todo[start:start + CHUNK] for start in range(0, len(todo), CHUNK)]
        tasks = ((dataset.images(np.array(chunk)) if dataset.paths is None
                  else [dataset.root / dataset.paths[i] for i in chunk]) for chunk in chunks)
        pool = _pool(len(todo))
        futures = [pool.submit(measure_items, task) for task in tasks]
        try:
            for chunk, future in zip(chunks, futures):
                measured, failed = future.result()
                rows[chunk] = measured
                yield chunk, {chunk[j]: reason for j, reason in failed.items()}
        finally:  # cancelled: chunks not started are dropped
            pool.shutdown(wait=True, cancel_futures=True)

    return fill


def measure(image: Image.Image, size: tuple[int, int] | None, gray: bool | None = None) -> np.ndarray:
    """One row of PROPERTIES for ``image`` (``L`` or ``RGB``) whose full size is ``size`` (default: its own)."""
    from cleanvision.issue_managers.image_property import EntropyProperty

    width, height = size or image.size
    row = np.zeros((), PROPERTIES)
    for name, value in zip(PROPERTIES.names[:3], brightness_percentiles(np.asarray(image))):
        row[name] = value
    row["entropy"] = EntropyProperty().calculate(image)["entropy"]
    levels = np.asarray(image.convert("L"), dtype=np.int16)
    row["brightness_range"] = (levels.max() - levels.min()) / 255
    row["sharpness"] = sharpness(levels)
    side = (THUMBNAIL_SIDE, THUMBNAIL_SIDE)
    row["thumbnail"] = np.asarray(image.convert("RGB").resize(side, Image.Resampling.BILINEAR)).ravel()
    row["width"], row["height"] = width, height
    row["grayscale"] = image.mode == "L" if gray is None else gray
    row["digest"] = hashlib.blake2b(image.tobytes() + f"{width}x{height}".encode(), digest_size=16).digest()
    return row


def brightness_percentiles(pixels: np.ndarray) -> np.ndarray:
    """CleanVision's brightness percentiles (PERCENTILES) of ``pixels`` (H, W) gray or (H, W, 3) RGB uint8, equal
    to its ``calc_percentile_brightness`` within 1e-12 in half the time.

    The order of the pixels' brightness is that of an exact integer (1000 x the weighted sum of squares), so
    partitioning the integers finds the pixels the percentiles lie between.

    Returns
    -------
    np.ndarray of float64, shape (len(PERCENTILES),)
    """
    rgb = pixels.ndim == 3
    flat = pixels.reshape(-1, 3) if rgb else pixels.ravel()
    key = sum(_WEIGHTED_SQUARES[c].take(flat[:, c]) for c in range(3)) if rgb else flat
    position = (key.size - 1) * PERCENTILES / 100  # numpy's linear interpolation between the two nearest
    below = np.floor(position).astype(np.int64)
    above = np.minimum(below + 1, key.size - 1)
    ordered = np.partition(key, np.union1d(below, above))
    low, high = (ordered[index].astype(np.float64) for index in (below, above))
    if rgb:
        low, high = np.sqrt(low / 1000), np.sqrt(high / 1000)
    low, high = low / 255, high / 255
    return low + (high - low) * (position - below)


_WEIGHTED_SQUARES = [weight * np.arange(256, dtype=np.int32) ** 2 for weight in BRIGHTNESS_WEIGHTS]


def sharpness(gray: np.ndarray) -> float:
    """The steepest steps between neighbouring pixels of ``gray`` (H, W) of integer levels 0..255, as a share of
    its range: 1 for a crisp edge, small when blurred.

    CleanVision's blur score (edge variance at 64 px) did not separate blurred images from naturally soft
    clip art (benchmarks/planted_issues.py); the steepest step does. The steps' STEEPEST quantile is read off
    their histogram (equal to sorting them, a sixth of the time).
    """
    spread = float(gray.max() - gray.min())
    counts = sum(np.bincount(np.abs(np.diff(gray, axis=axis)).ravel(), minlength=256) for axis in (0, 1))
    steps = int(counts.sum())
    if not steps or spread <= 0:
        return 0.0
    kth = min(steps - 1, int(STEEPEST * steps))
    return float(np.searchsorted(np.cumsum(counts), kth, side="right")) / spread


def _pool(count: int) -> Executor:
    """Processes for many images (CleanVision's measures hold the GIL: threads would take turns); else threads."""
    workers = os.cpu_count() or 2
    if count >= PROCESSES_FROM and workers > 1:
        return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    return ThreadPoolExecutor(1)


def measure_items(items) -> tuple[np.ndarray, dict[int, str]]:
    """PROPERTIES rows (n,) for image files (n paths) or images (n, H, W, C), and index -> why it failed."""
    import cleanvision.issue_managers.image_property  # noqa: F401 - a broken install fails here, not per image

    rows, failed = np.zeros(len(items), PROPERTIES), {}
    for j, item in enumerate(items):
        try:
            rows[j] = _measure_file(item) if isinstance(item, Path) else measure(to_image(item), None)
        except Exception as error:  # noqa: BLE001 - an unreadable file is reported, not fatal
            failed[j] = describe_failure(error)
    return rows, failed


def _measure_file(path: Path) -> np.ndarray:
    return measure_decoded(decode_once(path, INSPECTION_SIDE))


def measure_decoded(decoded: Decoded) -> np.ndarray:
    """One row of PROPERTIES for an image file decoded at INSPECTION_SIDE or more."""
    return measure(inspection_view(decoded, INSPECTION_SIDE), decoded.size, decoded.gray)
