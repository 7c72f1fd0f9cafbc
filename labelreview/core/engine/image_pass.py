"""One pass over the pixels: each image file a scoring run lacks a row for is decoded once, and that decode
feeds both the backbone (the embedding store) and the image-quality measures (the image-properties cache); the
files that cannot be decoded are found here (opening a dataset decodes nothing).

Decoding is most of the work for files (a PNG is always decoded whole), so the two consumers share it: a thread
per CPU decodes a file, makes the backbone's input and measures the image, while the network embeds the batch
before. A JPEG that its header says would be reduced to another scale for the measures (256 px) than for the
backbone (224 px) is decoded for each, so that each gets exactly the pixels it got alone.
"""

import contextlib

import numpy as np

from labelreview.core.data.dataset import Dataset, readable_rows
from labelreview.core.data.images import Geometry, decode_once, drafted_size, model_input
from labelreview.core.data.row_cache import RowFill, dataset_keys, missing_rows
from labelreview.core.engine.backbone import Backbone, load_embedder
from labelreview.core.engine.embedding_store import dataset_embeddings, decoded_batches, store_folder
from labelreview.core.findings.image_properties import (INSPECTION_SIDE, PROPERTIES, image_properties,
                                                        measure_decoded, properties_folder)
from labelreview.core.progress import Callback, ignore_progress, scaled

ARRAY_MEASURE_SHARE = 0.1  # of the progress bar for array data, whose rows are measured, then embedded


def embed_and_measure(dataset: Dataset, backbone: Backbone, *,
                      callback: Callback = ignore_progress) -> tuple[Dataset, np.ndarray]:
    """The examples whose files can be read (the others join ``skipped``) and the embedding of each, as
    :func:`dataset_embeddings` gives it, with every image's quality measurements stored too
    (:func:`image_properties` then reads them from the cache).

    Returns
    -------
    readable : Dataset
        n examples.
    embeddings : np.ndarray of float16, shape (n, backbone.dim)
        Read-only; row i belongs to position i of ``readable``.

    The rows finished stay stored, also when ``callback`` cancels.
    """
    if dataset.paths is None:  # array rows: there is nothing to decode
        image_properties(dataset, callback=scaled(callback, 0.0, ARRAY_MEASURE_SHARE))
        return dataset, dataset_embeddings(dataset, backbone, callback=scaled(callback, ARRAY_MEASURE_SHARE, 1.0))
    keys = dataset_keys(dataset)
    with (RowFill(store_folder(dataset, backbone), keys, (backbone.dim,), np.float16) as vectors,
          RowFill(properties_folder(dataset), keys, (), PROPERTIES) as measured):
        _fill_both(dataset, backbone, vectors, measured, callback)
    (embeddings, failures), (_, unmeasured) = vectors.result(), measured.result()
    return readable_rows(dataset, embeddings, {**unmeasured, **failures})


def images_to_decode(dataset: Dataset, backbone: Backbone, *, measure: bool) -> int:
    """How many examples a run would decode: those the embedding store lacks, and with ``measure`` those the
    image-properties cache lacks too."""
    keys = dataset_keys(dataset)
    missing = missing_rows(store_folder(dataset, backbone), keys, (backbone.dim,), np.float16)
    if measure:
        missing |= missing_rows(properties_folder(dataset), keys, (), PROPERTIES)
    return len(missing)


def _fill_both(dataset: Dataset, backbone: Backbone, vectors: RowFill, measured: RowFill, callback: Callback) -> None:
    """Decode each image either cache lacks once and fill what each lacks."""
    to_embed, to_measure = set(vectors.todo), set(measured.todo)
    todo = sorted(to_embed | to_measure)
    if not todo:
        callback(1.0, f"embedding and measuring images: all {len(dataset):,} from the cache")
        return
    geometry = Geometry(backbone.side, 3)

    def read(i: int) -> tuple[np.ndarray | None, np.ndarray | None]:
        path = dataset.root / dataset.paths[i]
        if i not in to_embed:
            return None, measure_decoded(decode_once(path, INSPECTION_SIDE))
        decoded = decode_once(path, geometry.side, "RGB")  # as the backbone alone decodes it
        if i not in to_measure:
            return model_input(decoded, geometry), None
        if drafted_size(path, geometry.side) != drafted_size(path, INSPECTION_SIDE):  # a JPEG reduced differently
            return model_input(decoded, geometry), measure_decoded(decode_once(path, INSPECTION_SIDE))
        return model_input(decoded, geometry), measure_decoded(decoded)

    if to_embed:
        callback(0.0, f"loading the network ({backbone.name})")
    embed = load_embedder(backbone) if to_embed else None
    done = 0
    with contextlib.closing(decoded_batches(todo, read)) as batches:  # a cancel stops the decoders at once
        for rows, values, failed in batches:
            read_rows = [i for i in rows if i not in failed]
            inputs = [(i, pixels) for i, (pixels, _) in zip(read_rows, values) if pixels is not None]
            if inputs:
                embedded = embed(np.stack([pixels for _, pixels in inputs])).astype(np.float16)
                vectors.rows[[i for i, _ in inputs]] = embedded
            for i, (_, row) in zip(read_rows, values):
                if row is not None:
                    measured.rows[i] = row
            for fill, wanted in ((vectors, to_embed), (measured, to_measure)):
                fill.finished([i for i in rows if i in wanted], {i: why for i, why in failed.items() if i in wanted})
            done += len(rows)
            callback(done / len(todo), f"embedding and measuring images {done:,}/{len(todo):,}")
