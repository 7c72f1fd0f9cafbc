"""The one value every part of labelreview passes around: a labelled image set."""

import re
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import numpy as np

from labelreview.core.data.images import Geometry, content_box, decode_full_image, decode_image
from labelreview.core.errors import DataError


DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> list:
    """Sort key that orders ``"2"`` before ``"10"`` and ignores case."""
    return [int(part) if part.isdigit() else part.lower() for part in DIGITS.split(text)]


@dataclass(frozen=True)
class SkippedFile:
    """An image that could not be used, and why."""

    path: str
    reason: str


@dataclass(frozen=True, eq=False)
class Dataset:
    """Labelled images in source order.

    Attributes
    ----------
    name : str
        Human-readable name, e.g. ``"MNIST test"`` or a folder name.
    class_names : tuple of str, length K
    labels : np.ndarray of int64, shape (N,)
        Given label of each example, an index into ``class_names``.
    index : np.ndarray of int64, shape (N,)
        Position of each example in its source (a CSV row, an array row).
    pixels : np.ndarray of uint8, shape (M, H, W, C), or None
        Model-ready images; may be a read-only memory map shared by datasets.
        Feature vectors (M, 1, 1, D) instead after :meth:`with_features`. None for image files not decoded yet
        (opening reads no pixels): ``pixel_cache.decoded`` decodes them, a thumbnail decodes its own file.
    rows : np.ndarray of int64, shape (N,)
        Row of ``pixels`` that holds each example.
    paths : tuple of str, length N, or None
        Image paths relative to ``root`` with ``/`` separators; None for arrays.
    root : Path or None
        Folder that ``paths`` are relative to.
    skipped : tuple of SkippedFile
        Files named by the source that could not be read (known once decoded).
    geometry : Geometry or None
        Model input size of image files; None for arrays, whose ``pixels`` are always there.
    """

    name: str
    class_names: tuple[str, ...]
    labels: np.ndarray
    index: np.ndarray
    pixels: np.ndarray
    rows: np.ndarray
    paths: tuple[str, ...] | None = None
    root: Path | None = None
    skipped: tuple[SkippedFile, ...] = ()
    geometry: Geometry | None = None

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """``(H, W, C)`` of one model input."""
        return self.geometry.shape if self.pixels is None else tuple(self.pixels.shape[1:])

    def images(self, which: np.ndarray | slice | None = None) -> np.ndarray:
        """Model inputs of the chosen examples, shape (n, H, W, C), in memory; decoded first (``pixel_cache.decoded``)."""
        if self.pixels is None:
            raise ValueError(f"the images of {self.name} are not decoded yet")
        rows = self.rows if which is None else self.rows[which]
        return np.asarray(self.pixels[rows])

    def thumbnail(self, i: int) -> np.ndarray:
        """Example ``i`` at model size as a person should see it, (h, w, C): a file's image without the black bars
        that squared it for the model (:func:`content_box`), an array row whole.

        Decodes the file when the images are not decoded (``OSError`` or ``ValueError`` when it cannot be read):
        call it off the GUI thread.
        """
        if self.pixels is None:
            pixels = decode_image(self.root / self.paths[i], self.geometry)
        else:
            pixels = self.images(np.array([i]))[0]
        return pixels if self.paths is None else pixels[content_box(pixels)]

    def full_image(self, i: int) -> np.ndarray:
        """Example ``i`` at its own resolution, (H, W, 1 or 3) uint8: its file decoded whole, or its array row.

        Reads the file: call it off the GUI thread.
        """
        if self.paths is None:
            return self.images(np.array([i]))[0]
        return decode_full_image(self.root / self.paths[i])

    def path(self, i: int) -> str:
        """Relative path of example ``i``; empty for array data."""
        return "" if self.paths is None else self.paths[i]

    @cached_property
    def searchable_paths(self) -> np.ndarray:
        """``paths`` in lower case, UTF-8, as one bytes array (N,): searched at numpy's speed (made once)."""
        return np.array([path.lower().encode() for path in self.paths], dtype=bytes)

    @cached_property
    def path_order(self) -> np.ndarray:
        """Each example's place (N,) when sorted by path (made once)."""
        order = np.empty(len(self), dtype=np.int64)
        order[np.argsort(np.array(self.paths, dtype=object), kind="stable")] = np.arange(len(self))
        return order

    def path_or_row(self, i: int) -> str:
        """Where example ``i`` is, for people: its relative path, or "row N" (its source index) for array data."""
        return self.path(i) or f"row {self.index[i]}"

    def select(self, which: np.ndarray | slice) -> "Dataset":
        """The examples ``which`` (indices, mask or slice), keeping their source index."""
        chosen = np.arange(len(self))[which]
        return replace(
            self,
            labels=self.labels[chosen],
            index=self.index[chosen],
            rows=self.rows[chosen],
            paths=None if self.paths is None else tuple(self.paths[i] for i in chosen),
        )

    def without_unreadable(self, failures: dict[int, str]) -> "Dataset":
        """The examples but those at the positions ``failures`` names (position -> why its file could not be
        read), which join ``skipped``. :class:`DataError` when none is left."""
        if not failures:
            return self
        if len(failures) == len(self):
            position, reason = next(iter(failures.items()))
            raise DataError(self.root, f"none of the {len(self):,} images could be read "
                                       f"(the first: {self.root / self.path(position)}, {reason})")
        unreadable = tuple(SkippedFile(self.path(i), reason) for i, reason in sorted(failures.items()))
        return replace(self.select(_kept(len(self), failures)), skipped=self.skipped + unreadable)

    def with_labels(self, labels: np.ndarray, class_names: tuple[str, ...] | None = None) -> "Dataset":
        """The same images with other given labels, shape (N,)."""
        return replace(
            self,
            labels=np.asarray(labels, dtype=np.int64),
            class_names=self.class_names if class_names is None else tuple(class_names),
        )

    def with_features(self, vectors: np.ndarray) -> "Dataset":
        """The same examples with feature vectors (N, D), e.g. embeddings, as model inputs instead of images."""
        return replace(self, pixels=vectors[:, None, None, :], rows=np.arange(len(self), dtype=np.int64))

    def label_names(self, labels: np.ndarray | None = None) -> np.ndarray:
        """Class names of ``labels`` (default: the given labels), shape (N,)."""
        return np.asarray(self.class_names, dtype=object)[self.labels if labels is None else labels]


def readable_rows(dataset: Dataset, rows: np.ndarray, failures: dict[int, str]) -> tuple[Dataset, np.ndarray]:
    """``dataset`` without the examples ``failures`` names (:meth:`Dataset.without_unreadable`), and the ``rows``
    (N, ...) computed for its examples without theirs, (n, ...)."""
    if not failures:
        return dataset, rows
    return dataset.without_unreadable(failures), rows[_kept(len(dataset), failures)]


def _kept(n: int, failures: dict[int, str]) -> np.ndarray:
    """Which of ``n`` positions (n,) ``failures`` does not name."""
    keep = np.ones(n, dtype=bool)
    keep[list(failures)] = False
    return keep


def array_dataset(name: str, images: np.ndarray, labels: np.ndarray, class_names) -> Dataset:
    """A dataset over in-memory arrays: images (N, H, W, C) uint8, labels (N,) int."""
    n = len(labels)
    return Dataset(
        name=name,
        class_names=tuple(class_names),
        labels=np.asarray(labels, dtype=np.int64),
        index=np.arange(n, dtype=np.int64),
        pixels=images,
        rows=np.arange(n, dtype=np.int64),
    )
