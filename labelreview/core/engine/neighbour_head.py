"""The neighbour head: each image's class probabilities from the labels of its nearest neighbours in embedding
space, itself left out, so they are out-of-sample without folds (cleanlab's FAQ: average such heads)."""

import numpy as np

from labelreview.core.findings.neighbours import Neighbours

NEIGHBOURS = 20  # the k of the vote (benchmarks/detection.py)
VOTE_WEIGHT = 0.25  # of the vote in the average with the embedding head (clip art and photos, both noise kinds)
PRIOR = 0.1  # votes spread evenly over the classes, so no class has probability 0


def neighbour_votes(neighbours: Neighbours, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Class probabilities (N, K) float32 from the labels (N,) of each image's neighbours, weighted by their
    squared cosine similarity (dissimilar ones count for nothing).

    Parameters
    ----------
    neighbours : Neighbours
        The k nearest other images of each of the N images.
    labels : np.ndarray of int, shape (N,)
    n_classes : int
        K.
    """
    weights = np.clip(neighbours.similarity.astype(np.float32), 0, None) ** 2 + 1e-6
    votes = np.zeros((len(labels), n_classes), np.float32)
    np.add.at(votes, (np.repeat(np.arange(len(labels)), weights.shape[1]), labels[neighbours.indices].ravel()),
              weights.ravel())
    votes += PRIOR / n_classes
    return votes / votes.sum(axis=1, keepdims=True)
