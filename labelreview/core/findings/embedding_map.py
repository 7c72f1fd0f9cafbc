"""A 2-D map of the embedding store: a PCA projection at once, then a t-SNE layout, cached beside the embeddings.

t-SNE (openTSNE, FFT-accelerated) runs on the graph of the store's cosine nearest neighbours from
:mod:`neighbours` (faiss), each neighbour weighted alike (openTSNE's uniform affinity), in a separate process
that a cancel kills at once. openTSNE replaced umap-learn, whose numba and llvmlite were 190 MB of the packaged app
(benchmarks/embedding_map.py times both).
"""

from collections.abc import Callable
from pathlib import Path

import numpy as np

from labelreview.core.atomic import atomic_file
from labelreview.core.findings.neighbours import nearest_neighbours, unit_rows, vectors_digest
from labelreview.core.process_task import run_in_process
from labelreview.core.progress import Callback, ignore_progress, scaled

VERSION = 2  # of the layout recipe below; part of the cache file's name (1: UMAP)
NEIGHBOURS = 15  # each image's neighbours in the graph that t-SNE keeps together
PCA_FIT_ROWS = 5_000  # at most, to find the projection's axes
CHUNK = 20_000  # rows converted to float32 at once
NEIGHBOURS_SHARE = 0.4  # of the progress bar; t-SNE's layout takes the rest
EARLY, LATE = 250, 500  # t-SNE's iterations with its clusters exaggerated (x 12), then without (openTSNE's own)


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


def tsne_layout(vectors: np.ndarray, *, callback: Callback = ignore_progress) -> np.ndarray:
    """t-SNE's 2-D layout (N, 2) float32 of ``vectors`` (N, D) by cosine similarity, started from the PCA view;
    PCA for fewer than 4 rows."""
    if len(vectors) < 4:
        return pca_layout(vectors)
    neighbours = nearest_neighbours(vectors, min(NEIGHBOURS, len(vectors) - 1),
                                    callback=scaled(callback, 0.0, NEIGHBOURS_SHARE))
    distances = np.clip(1 - neighbours.similarity, 0, None)
    return run_in_process(_tsne, pca_layout(vectors), neighbours.indices, distances, callback=callback,
                          message=f"arranging the map of {len(vectors):,} images", fraction=NEIGHBOURS_SHARE)


def _tsne(start: np.ndarray, indices: np.ndarray, distances: np.ndarray) -> np.ndarray:
    import os

    from openTSNE import TSNEEmbedding, affinity, initialization
    from openTSNE.nearest_neighbors import PrecomputedNeighbors

    threads = os.cpu_count() or 1
    graph = affinity.Uniform(knn_index=PrecomputedNeighbors(indices, distances), k_neighbors=indices.shape[1],
                             n_jobs=threads)
    layout = TSNEEmbedding(initialization.rescale(start.astype(np.float64)), graph, n_jobs=threads,
                           negative_gradient_method="fft", random_state=0)
    layout = layout.optimize(n_iter=EARLY, exaggeration=12, momentum=0.5).optimize(n_iter=LATE, momentum=0.8)
    return np.asarray(layout, dtype=np.float32)


def cached_layout(vectors: np.ndarray, folder: Path) -> np.ndarray | None:
    """The t-SNE layout (N, 2) of exactly these ``vectors`` saved in ``folder``, or None."""
    return _read_layout(layout_path(vectors, folder), len(vectors))


def map_layout(vectors: np.ndarray, folder: Path, *, callback: Callback = ignore_progress,
               first_view: Callable[[np.ndarray], None] | None = None) -> np.ndarray:
    """The t-SNE layout (N, 2) float32 of ``vectors`` (N, D): from ``folder``, or computed and saved there.

    ``first_view`` receives the PCA layout (N, 2) before a t-SNE layout is computed (not when one is saved).
    """
    path = layout_path(vectors, folder)  # its name hashes every embedding: once
    layout = _read_layout(path, len(vectors))
    if layout is None:
        if first_view is not None:
            first_view(pca_layout(vectors))
        layout = tsne_layout(vectors, callback=callback)
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


def layout_path(vectors: np.ndarray, folder: Path) -> Path:
    """Where the t-SNE layout of exactly ``vectors`` (N, D) is kept in ``folder``."""
    return folder / f"map{VERSION}-{vectors_digest(vectors)}.npy"
