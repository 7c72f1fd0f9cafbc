"""The nearest neighbours of every embedding by cosine similarity, in memory that stays flat in N.

An all-pairs search on 1280-d vectors costs N^2 x 1280 multiply-adds (149 s for 60,000 images on two cores with
faiss), so candidates are found by faiss's exact inner-product search in a PCA projection to 64 dimensions
(8 s), in blocks of rows, and the best of them are then measured exactly in the full space.
"""

from dataclasses import dataclass

import numpy as np

from labelreview.core.progress import Callback, ignore_progress

PROJECTED = 64
CANDIDATES = 3  # x k candidates per row from the projection are measured exactly
BLOCK_FLOATS = 2 ** 25  # floats held at once for a block of rows: 128 MB
QUERY_BLOCK = 8192  # rows searched at once (faiss's exact inner-product index), between progress reports


@dataclass(frozen=True)
class Neighbours:
    """The k nearest other examples of each of N examples, nearest first.

    Attributes
    ----------
    indices : np.ndarray of int64, shape (N, k)
    similarity : np.ndarray of float32, shape (N, k)
        Cosine similarity, 1 for identical embeddings.
    """

    indices: np.ndarray
    similarity: np.ndarray

    def knn_graph(self):
        """cleanlab's ``knn_graph``: a sparse (N, N) matrix of cosine distances, k per row, sorted."""
        from scipy.sparse import csr_matrix

        n, k = self.indices.shape
        distances = np.clip(1 - self.similarity.astype(np.float64), 0, None)
        return csr_matrix((distances.ravel(), self.indices.ravel(), np.arange(0, n * k + 1, k)), shape=(n, n))


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """``vectors`` (N, D) as float32 rows of length 1 (zero rows stay zero)."""
    rows = np.asarray(vectors, dtype=np.float32)
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)


def nearest_neighbours(vectors: np.ndarray, k: int = 10, *, among: np.ndarray | None = None,
                       callback: Callback = ignore_progress) -> Neighbours:
    """The ``k`` most cosine-similar rows of ``among`` (M, D) for each row of ``vectors`` (N, D).

    Without ``among``: the other rows of ``vectors`` itself; k is cut to the number of candidates.
    """
    import faiss

    queries = unit_rows(vectors)
    base = queries if among is None else unit_rows(among)
    n, m, itself = len(queries), len(base), among is None
    k = min(k, m - itself)
    if k < 1:
        return Neighbours(np.empty((n, 0), np.int64), np.empty((n, 0), np.float32))
    axes = _projection_axes(base)
    index = faiss.IndexFlatIP(axes.shape[1])
    index.add(np.ascontiguousarray(base @ axes))
    wanted = min(m - itself, CANDIDATES * k)
    block = max(1, min(QUERY_BLOCK, BLOCK_FLOATS // (wanted * base.shape[1])))  # the candidates' vectors
    indices = np.empty((n, k), np.int64)
    similarity = np.empty((n, k), np.float32)
    for start in range(0, n, block):
        rows = np.arange(start, min(n, start + block))
        _, candidates = index.search(np.ascontiguousarray(queries[rows] @ axes), wanted + itself)
        if itself:
            candidates = _without_self(candidates, rows)
        exact = np.einsum("rd,rcd->rc", queries[rows], base[candidates])
        best = np.argsort(-exact, axis=1, kind="stable")[:, :k]
        indices[rows] = np.take_along_axis(candidates, best, axis=1)
        similarity[rows] = np.take_along_axis(exact, best, axis=1)
        callback(rows[-1] / n, f"finding nearest neighbours {rows[-1] + 1:,}/{n:,}")
    return Neighbours(indices, similarity)


def _without_self(candidates: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Each row of ``candidates`` (r, c + 1) without its own index (or its last entry when absent): (r, c)."""
    own = candidates == rows[:, None]
    own[~own.any(axis=1), -1] = True
    return candidates[~own].reshape(len(rows), -1)


def principal_axes(rows: np.ndarray, count: int, centre: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The ``count`` leading axes (D, count) of ``rows`` (N, D) around ``centre`` (D,) (default: the origin), and
    the mean square along each (count,), largest first; read in chunks, so memory stays D x D."""
    gram = np.zeros((rows.shape[1],) * 2, np.float64)
    for start in range(0, len(rows), 8192):
        chunk = rows[start:start + 8192].astype(np.float64) - (0 if centre is None else centre)
        gram += chunk.T @ chunk
    values, axes = np.linalg.eigh(gram / max(1, len(rows)))
    return axes[:, ::-1][:, :count].astype(np.float32), values[::-1][:count]


def _projection_axes(unit: np.ndarray) -> np.ndarray:
    """The top PROJECTED principal axes (D, PROJECTED) of ``unit`` (N, D), uncentred so that inner products stay
    cosine-like; the identity when D is small already."""
    if unit.shape[1] <= PROJECTED:
        return np.eye(unit.shape[1], dtype=np.float32)
    return principal_axes(unit, PROJECTED)[0]
