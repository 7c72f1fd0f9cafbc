"""A 2-D map of the embedding store: a PCA projection at once, then a UMAP layout, cached beside the embeddings.

UMAP (umap-learn) runs on the store's cosine nearest neighbours from :mod:`neighbours` (faiss), in a separate
process: its numba code holds the GIL for tens of seconds, and a cancel kills the process at once.
"""

import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from labelreview.core.atomic import atomic_file
from labelreview.core.findings.neighbours import nearest_neighbours, unit_rows, vectors_digest
from labelreview.core.process_task import run_in_process
from labelreview.core.progress import Callback, ignore_progress, scaled

VERSION = 1  # of the layout recipe below; part of the cache file's name
NEIGHBOURS = 15  # UMAP's default n_neighbors
PCA_FIT_ROWS = 5_000  # at most, to find the projection's axes
CHUNK = 20_000  # rows converted to float32 at once
NEIGHBOURS_SHARE = 0.4  # of the progress bar; UMAP's graph and layout take the rest


def pca_layout(vectors: np.ndarray) -> np.ndarray:
    """The two leading principal axes of ``vectors`` (N, D) as unit rows: an instant first map, (N, 2) float32."""
    rows = unit_rows(vectors[:: max(1, len(vectors) // PCA_FIT_ROWS)])
    centre = rows.mean(axis=0)
    centred = rows - centre
    axes = np.linalg.eigh(centred.T @ centred)[1][:, :-3:-1] if len(rows) > 2 else np.eye(rows.shape[1], 2)
    layout = np.empty((len(vectors), 2), np.float32)
    for start in range(0, len(vectors), CHUNK):
        block = np.asarray(vectors[start:start + CHUNK], np.float32)
        norms = np.maximum(np.sqrt(np.einsum("ij,ij->i", block, block)), 1e-12)
        layout[start:start + CHUNK] = (block @ axes) / norms[:, None] - centre @ axes
    return layout


def umap_layout(vectors: np.ndarray, *, callback: Callback = ignore_progress) -> np.ndarray:
    """UMAP's 2-D layout (N, 2) float32 of ``vectors`` (N, D) by cosine similarity; PCA for fewer than 4 rows."""
    if len(vectors) < 4:
        return pca_layout(vectors)
    neighbours = nearest_neighbours(vectors, NEIGHBOURS, callback=scaled(callback, 0.0, NEIGHBOURS_SHARE))
    own = np.arange(len(vectors))[:, None]  # UMAP counts each point as its own nearest neighbour
    indices = np.hstack([own, neighbours.indices])
    distances = np.hstack([np.zeros_like(own, np.float32), np.clip(1 - neighbours.similarity, 0, None)])
    return run_in_process(_umap, pca_layout(vectors), indices, distances, callback=callback,
                          message=f"arranging the map of {len(vectors):,} images", fraction=NEIGHBOURS_SHARE)


def _umap(start: np.ndarray, indices: np.ndarray, distances: np.ndarray) -> np.ndarray:
    sys.modules.setdefault("umap.parametric_umap", None)  # its TensorFlow import costs seconds and is not used
    import umap

    reducer = umap.UMAP(n_neighbors=indices.shape[1], precomputed_knn=(indices, distances))  # unseeded: parallel
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # that it cannot place new images later: the map never asks it to
        return reducer.fit_transform(start).astype(np.float32)


def cached_layout(vectors: np.ndarray, folder: Path) -> np.ndarray | None:
    """The UMAP layout (N, 2) of exactly these ``vectors`` saved in ``folder``, or None."""
    return _read_layout(_layout_path(vectors, folder), len(vectors))


def map_layout(vectors: np.ndarray, folder: Path, *, callback: Callback = ignore_progress,
               first_view: Callable[[np.ndarray], None] | None = None) -> np.ndarray:
    """The UMAP layout (N, 2) float32 of ``vectors`` (N, D): from ``folder``, or computed and saved there.

    ``first_view`` receives the PCA layout (N, 2) before a UMAP layout is computed (not when one is saved).
    """
    path = _layout_path(vectors, folder)  # its name hashes every embedding: once
    layout = _read_layout(path, len(vectors))
    if layout is None:
        if first_view is not None:
            first_view(pca_layout(vectors))
        layout = umap_layout(vectors, callback=callback)
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_file(path, "wb") as file:
            np.save(file, layout)
    return layout


def _read_layout(path: Path, count: int) -> np.ndarray | None:
    try:
        layout = np.load(path)
    except (OSError, ValueError):
        return None
    return layout if layout.shape == (count, 2) and np.isfinite(layout).all() else None


def _layout_path(vectors: np.ndarray, folder: Path) -> Path:
    return folder / f"map{VERSION}-{vectors_digest(vectors)}.npy"
