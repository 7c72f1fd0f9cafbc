"""More like this: the images whose embeddings are nearest to one image's, by cosine distance.

Up to 200,000 images are searched exactly (faiss over float16 codes of unit rows: 13 ms a query over 60,000
1280-d embeddings). Beyond that an inverted-file index groups the rows around 1,024 centres and searches the
32 groups nearest the query; it is built once and saved beside the embeddings.
"""

from pathlib import Path

import numpy as np

from labelreview.core.atomic import atomic_file
from labelreview.core.data.dataset import Dataset
from labelreview.core.data.images import Geometry, decode_image
from labelreview.core.engine.backbone import LITE0, Backbone, load_embedder
from labelreview.core.errors import DataError
from labelreview.core.findings.neighbours import unit_rows, vectors_digest
from labelreview.core.progress import Callback, ignore_progress

EXACT_UP_TO = 200_000  # rows searched exactly
LISTS = 1024  # centres of the inverted-file index
PROBES = 32  # of them searched per query
TRAINING_ROWS = 50_000  # at most, to place the centres
CHUNK = 50_000  # rows added at once, between progress reports


class SimilarityIndex:
    """The rows of a fixed (N, D) set of vectors nearest to a query by cosine distance."""

    def __init__(self, index):
        self.index = index

    @classmethod
    def build(cls, vectors: np.ndarray, folder: Path | None = None, *, exact_up_to: int = EXACT_UP_TO,
              callback: Callback = ignore_progress) -> "SimilarityIndex":
        """Index ``vectors`` (N, D): exact up to ``exact_up_to`` rows, else an inverted-file index saved in (and
        read back from) ``folder`` under a name from the vectors' content."""
        import faiss

        exact = len(vectors) <= exact_up_to
        path = None if exact or folder is None else folder / f"similarity-{vectors_digest(vectors)}.faiss"
        if path is not None and path.is_file():
            try:
                return cls(faiss.read_index(str(path)))
            except RuntimeError:
                pass  # damaged: built again below
        recipe = "SQfp16" if exact else f"IVF{min(LISTS, len(vectors) // 40)},SQfp16"
        index = faiss.index_factory(vectors.shape[1], recipe, faiss.METRIC_INNER_PRODUCT)
        callback(0.0, "indexing the embeddings")
        index.train(unit_rows(vectors[:: max(1, len(vectors) // TRAINING_ROWS)]))
        for start in range(0, len(vectors), CHUNK):
            index.add(unit_rows(vectors[start:start + CHUNK]))
            callback(min(1.0, (start + CHUNK) / len(vectors)), f"indexing the embeddings {start + CHUNK:,}")
        if not exact:
            faiss.extract_index_ivf(index).nprobe = PROBES
            if path is not None:
                folder.mkdir(parents=True, exist_ok=True)
                with atomic_file(path, "wb") as file:  # streamed: no copy of a 2.5 GB index in memory
                    faiss.write_index(index, faiss.PyCallbackIOWriter(file.write))
        return cls(index)

    def nearest(self, query: np.ndarray, k: int, *, exclude: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` rows nearest to ``query`` (D,), leaving out row ``exclude``.

        Returns
        -------
        positions : np.ndarray of int64, shape (k,)
        distances : np.ndarray of float32, shape (k,)
            Cosine distance (1 - cosine similarity), nearest first.
        """
        k = min(k, self.index.ntotal - (exclude is not None))
        if k < 1:
            return np.empty(0, np.int64), np.empty(0, np.float32)
        similarity, found = self.index.search(unit_rows(query[None, :]), k + (exclude is not None))
        keep = (found[0] >= 0) & (found[0] != exclude)
        positions, similarity = found[0][keep][:k], similarity[0][keep][:k]
        return positions.astype(np.int64), np.clip(1 - similarity, 0, 2).astype(np.float32)


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
