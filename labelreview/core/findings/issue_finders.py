"""Run the finders that need no trained model: image quality, exact and near duplicates, outliers."""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from labelreview.core.data.dataset import Dataset
from labelreview.core.data.row_cache import Fill
from labelreview.core.engine.backbone import LITE0
from labelreview.core.engine.embedding_store import dataset_embeddings, stored_embeddings
from labelreview.core.errors import DataError
from labelreview.core.findings.duplicates import DuplicateSets, find_duplicates
from labelreview.core.findings.image_properties import readable_properties
from labelreview.core.findings.image_quality import quality_issues
from labelreview.core.findings.neighbours import nearest_neighbours
from labelreview.core.findings.outliers import Outliers, find_outliers
from labelreview.core.progress import Callback, ignore_progress, scaled

NEIGHBOURS = 10  # of each image by thumbnail (Datalab's default k)
EMBEDDING_NEIGHBOURS = 20  # for outliers: 46 of 50 planted in the top 100 at 20, 37 at 10 (clip art)
PROPERTIES_SHARE = 0.3  # of the progress bar when embeddings are computed too; 0.8 when they are not


@dataclass(frozen=True)
class Findings:
    """What the model-free finders found in the N readable images of a dataset.

    Attributes
    ----------
    dataset : Dataset
        The images searched, N: those of the dataset asked for whose files could be read (the others are in its
        ``skipped``); positions below are its own.
    quality : pd.DataFrame
        Columns position, issue, score, detail: one row per image and quality issue.
    duplicates : DuplicateSets
        Exact copies always; near copies too when ``embedded``.
    outliers : Outliers or None
        None when the images were not embedded.
    embedded : bool
        Whether near duplicates and outliers were searched (they need the embeddings).
    """

    dataset: Dataset
    quality: pd.DataFrame
    duplicates: DuplicateSets
    outliers: Outliers | None
    embedded: bool


def find_issues(dataset: Dataset, *, embed: bool = True, callback: Callback = ignore_progress,
                measure_with: Callable[[Dataset], Fill] | None = None) -> Findings:
    """Measure every image, group duplicates and score outliers; files that cannot be read are left out.

    ``embed=False`` uses the embedding store only when it already holds every image (near duplicates and outliers
    are skipped otherwise); ``embed=True`` fills the store first. ``measure_with`` is where the images are
    measured (see :func:`image_properties`).
    """
    share = PROPERTIES_SHARE if embed else 0.8
    dataset, properties = readable_properties(dataset, callback=scaled(callback, 0.0, share), fill_with=measure_with)
    if len(dataset) < 2:
        raise DataError(dataset.root, f"{len(dataset)} readable image{'s' if len(dataset) != 1 else ''}: "
                                      "finding duplicates and outliers needs at least two")
    vectors = stored_embeddings(dataset, LITE0)
    if embed and vectors is None:
        vectors = dataset_embeddings(dataset, LITE0, callback=scaled(callback, share, 0.8))
    thumbnails = properties["thumbnail"].astype(np.float32)
    spaces = [nearest_neighbours(thumbnails - thumbnails.mean(axis=1, keepdims=True), NEIGHBOURS,
                                 callback=scaled(callback, 0.8, 0.85))]
    outliers = None
    if vectors is not None:
        spaces.append(nearest_neighbours(vectors, EMBEDDING_NEIGHBOURS, callback=scaled(callback, 0.85, 0.95)))
        callback(0.95, "finding outliers")
        outliers = find_outliers(vectors, spaces[-1])
    duplicates = find_duplicates(properties["digest"], *spaces)
    callback(1.0, "done")
    return Findings(dataset, quality_issues(properties), duplicates, outliers, vectors is not None)
