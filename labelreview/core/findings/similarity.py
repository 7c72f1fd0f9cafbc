"""More like this: the images whose embeddings are nearest to one image's, by cosine distance."""

from pathlib import Path

import numpy as np

from labelreview.core.data.dataset import Dataset
from labelreview.core.data.images import Geometry, decode_image
from labelreview.core.engine.backbone import LITE0, Backbone, load_embedder
from labelreview.core.errors import DataError
from labelreview.core.findings.neighbours import unit_rows


def most_similar(vectors: np.ndarray, query: np.ndarray, k: int, *, exclude: int | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` rows of ``vectors`` (N, D) nearest to ``query`` (D,), searched exactly.

    Returns
    -------
    positions : np.ndarray of int64, shape (k,)
    distances : np.ndarray of float32, shape (k,)
        Cosine distance (1 - cosine similarity), nearest first.
    """
    distances = 1 - unit_rows(vectors) @ unit_rows(query[None, :])[0]
    if exclude is not None:
        distances[exclude] = np.inf
    k = min(k, len(distances) - (exclude is not None))
    nearest = np.argpartition(distances, k - 1)[:k] if k > 0 else np.empty(0, np.int64)
    nearest = nearest[np.argsort(distances[nearest], kind="stable")]
    return nearest.astype(np.int64), distances[nearest].astype(np.float32)


def query_position(dataset: Dataset, image: str) -> int | None:
    """Position of ``image`` (a path relative to the dataset's folder or absolute, or ``row N`` for arrays) in
    ``dataset``, or None when it is not one of its images."""
    if dataset.paths is None:
        row = image.lower().removeprefix("row").strip().lstrip("#")
        found = np.flatnonzero(dataset.index == int(row)) if row.isdigit() else []
        return int(found[0]) if len(found) else None
    path = Path(image).expanduser()
    try:
        relative = path.resolve().relative_to(dataset.root.resolve()).as_posix() if path.is_absolute() else image
    except ValueError:
        return None
    return dataset.paths.index(relative) if relative in dataset.paths else None


def embed_file(path: Path, backbone: Backbone = LITE0) -> np.ndarray:
    """The embedding (D,) of one image file from outside the dataset."""
    if not path.is_file():
        raise DataError(path, "no such image")
    return load_embedder(backbone)(decode_image(path, Geometry(backbone.side, 3))[None])[0]
