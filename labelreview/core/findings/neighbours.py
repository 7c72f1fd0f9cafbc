"""The nearest neighbours of every embedding by cosine similarity, in memory that stays flat in N.

An all-pairs search on 1280-d vectors costs N^2 x 1280 multiply-adds (minutes at 60,000 images on two cores),
so candidates are found in a PCA projection to 128 dimensions, in blocks of rows, and the best of them are then
measured exactly in the full space.
"""

from dataclasses import dataclass

import numpy as np

from labelreview.core.progress import Callback, ignore_progress

PROJECTED = 128
CANDIDATES = 3  # x k candidates per row from the projection are measured exactly
BLOCK_FLOATS = 2 ** 25  # floats held at once for a block of rows: 128 MB


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


def nearest_neighbours(vectors: np.ndarray, k: int = 10, *, callback: Callback = ignore_progress) -> Neighbours:
    """The ``k`` most cosine-similar other rows of each row of ``vectors`` (N, D); k is cut to N - 1."""
    unit = unit_rows(vectors)
    n = len(unit)
    k = min(k, n - 1)
    if k < 1:
        return Neighbours(np.empty((n, 0), np.int64), np.empty((n, 0), np.float32))
    projected = _projection(unit)
    wanted = min(n - 1, CANDIDATES * k)
    block = max(1, BLOCK_FLOATS // max(n, wanted * unit.shape[1]))  # similarities, or candidates' vectors
    indices = np.empty((n, k), np.int64)
    similarity = np.empty((n, k), np.float32)
    for start in range(0, n, block):
        rows = np.arange(start, min(n, start + block))
        near = projected[rows] @ projected.T
        near[np.arange(len(rows)), rows] = -np.inf  # not its own neighbour
        candidates = np.argpartition(-near, wanted - 1, axis=1)[:, :wanted]
        exact = np.einsum("rd,rcd->rc", unit[rows], unit[candidates])
        best = np.argsort(-exact, axis=1, kind="stable")[:, :k]
        indices[rows] = np.take_along_axis(candidates, best, axis=1)
        similarity[rows] = np.take_along_axis(exact, best, axis=1)
        callback(rows[-1] / n, f"finding nearest neighbours {rows[-1] + 1:,}/{n:,}")
    return Neighbours(indices, similarity)


def principal_axes(rows: np.ndarray, count: int, centre: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The ``count`` leading axes (D, count) of ``rows`` (N, D) around ``centre`` (D,) (default: the origin), and
    the mean square along each (count,), largest first; read in chunks, so memory stays D x D."""
    gram = np.zeros((rows.shape[1],) * 2, np.float64)
    for start in range(0, len(rows), 8192):
        chunk = rows[start:start + 8192].astype(np.float64) - (0 if centre is None else centre)
        gram += chunk.T @ chunk
    values, axes = np.linalg.eigh(gram / max(1, len(rows)))
    return axes[:, ::-1][:, :count].astype(np.float32), values[::-1][:count]


def _projection(unit: np.ndarray) -> np.ndarray:
    """``unit`` (N, D) on its top PROJECTED principal axes (uncentred, so inner products stay cosine-like)."""
    if unit.shape[1] <= PROJECTED:
        return unit
    return unit @ principal_axes(unit, PROJECTED)[0]
