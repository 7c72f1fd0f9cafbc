"""Duplicate sets: images with identical decoded pixels, or nearly identical ones, grouped together.

Two images are near duplicates when they are unusually close in either of two spaces: their tiny colour
thumbnails (which catch re-encoded, resized or slightly cropped copies of small images such as digits, whose
embeddings those edits move as far as another digit) or their backbone embeddings (which catch copies of
larger pictures whose flat backgrounds make every thumbnail alike). "Unusually close" is Datalab's
``near_duplicate`` rule, per space: a distance (1 - cosine) under NEAR_SHARE of the set's median distance from
an image without an exact copy to its nearest neighbour. A set whose members carry different labels is a label
conflict: at most one label is right.
"""

from dataclasses import dataclass

import numpy as np

from labelreview.core.findings.neighbours import Neighbours

NEAR_SHARE = 0.13  # cleanlab Datalab's near_duplicate threshold (of the median nearest-neighbour distance)


@dataclass(frozen=True)
class DuplicateSets:
    """Sets of two or more duplicate images.

    Attributes
    ----------
    group : np.ndarray of int64, shape (N,)
        Set number of each image, -1 for images without a duplicate; sets are numbered 0.. largest first.
    exact : np.ndarray of bool, shape (N,)
        True when the image has a pixel-identical copy in its set.
    nearest : np.ndarray of int64, shape (N,)
        The member of its set most similar to it, -1 outside a set.
    similarity : np.ndarray of float32, shape (N,)
        Cosine similarity to ``nearest`` in the space that found it (1 for an exact copy).
    """

    group: np.ndarray
    exact: np.ndarray
    nearest: np.ndarray
    similarity: np.ndarray

    @property
    def count(self) -> int:
        return int(self.group.max(initial=-1) + 1)

    def members(self, group: int) -> np.ndarray:
        """Positions of the images of set ``group``, shape (m,)."""
        return np.flatnonzero(self.group == group)

    def conflicting(self, labels: np.ndarray) -> np.ndarray:
        """Which images (N,) are in a set whose ``labels`` (N,) disagree: the label conflicts."""
        inside = self.group >= 0
        low = np.full(self.count, np.iinfo(np.int64).max)
        high = np.full(self.count, -1)
        np.minimum.at(low, self.group[inside], labels[inside])
        np.maximum.at(high, self.group[inside], labels[inside])
        conflict = np.zeros(len(labels), bool)
        conflict[inside] = low[self.group[inside]] != high[self.group[inside]]
        return conflict


def find_duplicates(digests: np.ndarray, *spaces: Neighbours) -> DuplicateSets:
    """Group images whose ``digests`` (N,) are equal, or which are near duplicates in one of the neighbour
    ``spaces`` (e.g. thumbnails, and embeddings once there are some)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(digests)
    _, first = np.unique(digests, return_inverse=True)
    order = np.argsort(first, kind="stable")
    same = first[order][1:] == first[order][:-1]
    rows, cols = [order[1:][same]], [order[:-1][same]]  # each exact copy tied to the previous one
    exact = np.zeros(n, bool)
    exact[rows[0]] = exact[cols[0]] = True
    nearest = np.full(n, -1, np.int64)
    similarity = np.zeros(n, np.float32)
    nearest[rows[0]], nearest[cols[0]] = cols[0], rows[0]
    similarity[exact] = 1.0
    for neighbours in spaces:
        if not neighbours.indices.size:
            continue
        distance = 1 - neighbours.similarity
        typical = np.median(distance[~exact, 0]) if not exact.all() else 0.0  # to another image, not its copy
        close = distance <= NEAR_SHARE * float(typical)
        rows.append(np.repeat(np.arange(n), close.sum(axis=1)))
        cols.append(neighbours.indices[close])
        better = close[:, 0] & ~exact & (neighbours.similarity[:, 0] > similarity)
        nearest[better], similarity[better] = neighbours.indices[better, 0], neighbours.similarity[better, 0]
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    sizes = np.bincount(component)
    in_set = sizes[component] > 1
    # number the sets largest first, ties by their first image
    first_member = np.full(len(sizes), n)
    np.minimum.at(first_member, component, np.arange(n))
    ranked = np.lexsort((first_member, -sizes))
    number = np.full(len(sizes), -1)
    number[ranked] = np.arange(len(sizes))
    group = np.where(in_set, number[component], -1)
    return DuplicateSets(group.astype(np.int64), exact, nearest, similarity)
