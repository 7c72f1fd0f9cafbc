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
    ``spaces`` (e.g. thumbnails, and embeddings once there are some).

    Every two images of a set are copies of each other (complete linkage): look-alikes that each resemble the
    next, a chain of different playing cards, stay apart. Closest pairs are joined first.
    """
    n = len(digests)
    _, copy_of = np.unique(digests, return_inverse=True)  # images with equal pixels share a copy class
    copy_of = copy_of.ravel()
    exact = np.bincount(copy_of)[copy_of] > 1
    distance = _close_pairs(copy_of, exact, spaces)
    set_of = _complete_linkage(int(copy_of.max(initial=-1)) + 1, distance)
    component = set_of[copy_of]
    sizes = np.bincount(component, minlength=len(set_of))
    first_member = np.full(len(sizes), n)
    np.minimum.at(first_member, component, np.arange(n))
    ranked = np.lexsort((first_member, -sizes))  # the sets numbered largest first, ties by their first image
    number = np.full(len(sizes), -1)
    number[ranked] = np.arange(len(sizes))
    group = np.where(sizes[component] > 1, number[component], -1).astype(np.int64)
    nearest, similarity = _nearest_members(copy_of, exact, group, distance)
    return DuplicateSets(group, exact, nearest, similarity)


def _close_pairs(copy_of: np.ndarray, exact: np.ndarray, spaces: tuple[Neighbours, ...]) -> dict:
    """(copy class a, copy class b), a < b -> their smallest distance (1 - cosine) in a space where they are
    near duplicates."""
    distance: dict[tuple[int, int], float] = {}
    for neighbours in spaces:
        if not neighbours.indices.size:
            continue
        far = 1 - neighbours.similarity
        typical = np.median(far[~exact, 0]) if not exact.all() else 0.0  # to another image, not its copy
        rows, columns = np.nonzero(far <= NEAR_SHARE * float(typical))
        for a, b, d in zip(copy_of[rows], copy_of[neighbours.indices[rows, columns]], far[rows, columns]):
            if a != b:
                key = (min(a, b), max(a, b))
                distance[key] = min(float(d), distance.get(key, np.inf))
    return distance


def _complete_linkage(classes: int, distance: dict) -> np.ndarray:
    """Set of each copy class (classes,): pairs joined closest first, two sets only when every pair across
    them is in ``distance``."""
    set_of = np.arange(classes)
    members = {c: [c] for c in range(classes)}
    for a, b in sorted(distance, key=distance.get):
        s, t = set_of[a], set_of[b]
        if s == t or not all((min(u, v), max(u, v)) in distance for u in members[s] for v in members[t]):
            continue
        if len(members[s]) < len(members[t]):
            s, t = t, s
        set_of[members[t]] = s
        members[s] += members.pop(t)
    return set_of


def _nearest_members(copy_of: np.ndarray, exact: np.ndarray, group: np.ndarray, distance: dict
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Each image's most similar other member of its set (N,), -1 outside a set, and that cosine similarity (N,):
    a pixel-identical copy (1), else the nearest copy class of its set."""
    n = len(copy_of)
    nearest, similarity = np.full(n, -1, np.int64), np.zeros(n, np.float32)
    order = np.argsort(copy_of, kind="stable")  # the images class by class
    sizes = np.bincount(copy_of)
    starts = np.cumsum(sizes) - sizes
    classes = copy_of[order]
    after = order[starts[classes] + (np.arange(n) - starts[classes] + 1) % sizes[classes]]  # the next, round
    nearest[order[exact[order]]], similarity[exact] = after[exact[order]], 1.0
    first = order[starts]  # an image of each copy class
    best: dict[int, tuple[float, int]] = {}
    for (a, b), d in distance.items():
        if group[first[a]] >= 0 and group[first[a]] == group[first[b]]:
            for mine, other in ((a, b), (b, a)):
                if d < best.get(mine, (np.inf, -1))[0]:
                    best[mine] = (d, other)
    for i in np.flatnonzero((group >= 0) & ~exact):
        d, other = best[copy_of[i]]
        nearest[i], similarity[i] = first[other], 1 - d
    return nearest, similarity
