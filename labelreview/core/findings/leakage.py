"""Train/test leakage: test images that are copies or near duplicates of training images."""

import numpy as np
import pandas as pd

from labelreview.core.data.dataset import Dataset
from labelreview.core.findings.duplicates import NEAR_SHARE
from labelreview.core.findings.image_properties import image_properties
from labelreview.core.findings.neighbours import nearest_neighbours
from labelreview.core.progress import Callback, ignore_progress, scaled

LEAK_COLUMNS = ["test", "train", "similarity", "exact"]


def find_leaks(train: Dataset, test: Dataset, *, callback: Callback = ignore_progress) -> pd.DataFrame:
    """Each test image with a copy among the training images, or a near duplicate by the duplicate finder's
    rule (thumbnails unusually close, against the median test-to-train distance).

    Returns
    -------
    pd.DataFrame with columns test, train (paths, or "row N"), similarity (float, 1 for a copy), exact (bool);
    one row per leaking test image, most similar first.
    """
    train_properties = image_properties(train, callback=scaled(callback, 0.0, 0.45))
    test_properties = image_properties(test, callback=scaled(callback, 0.45, 0.9))
    where = {digest.tobytes(): i for i, digest in enumerate(train_properties["digest"])}
    copy_of = np.array([where.get(digest.tobytes(), -1) for digest in test_properties["digest"]])
    exact = copy_of >= 0
    nearest = nearest_neighbours(_centred(test_properties), 1, among=_centred(train_properties),
                                 callback=scaled(callback, 0.9, 1.0))
    distance = 1 - nearest.similarity[:, 0]
    typical = float(np.median(distance[~exact])) if not exact.all() else 0.0
    near = ~exact & (distance <= NEAR_SHARE * typical)
    leaking = np.flatnonzero(exact | near)
    partner = np.where(exact, copy_of, nearest.indices[:, 0])
    similarity = np.where(exact, 1.0, nearest.similarity[:, 0])
    frame = pd.DataFrame({"test": [test.path_or_row(i) for i in leaking],
                          "train": [train.path_or_row(j) for j in partner[leaking]],
                          "similarity": np.round(similarity[leaking].astype(float), 4), "exact": exact[leaking]})
    return frame.sort_values("similarity", ascending=False, kind="stable").reset_index(drop=True)


def _centred(properties: np.ndarray) -> np.ndarray:
    thumbnails = properties["thumbnail"].astype(np.float32)
    return thumbnails - thumbnails.mean(axis=1, keepdims=True)

