"""Cross-validation folds as Ray tasks, one per fold: the same splits, seeds and models as a local run."""

from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from labelreview.core.cluster.shards import SHARD
from labelreview.core.cluster.tasks import RETRIES, finished_tasks
from labelreview.core.data.dataset import Dataset
from labelreview.core.engine.cross_validation import Split, fit_fold
from labelreview.core.engine.models import ModelSpec, make_classifier
from labelreview.core.progress import Callback


def run_folds_on_cluster(dataset: Dataset, spec: ModelSpec, splits: list[Split],
                         callback: Callback) -> Iterator[tuple[int, np.ndarray]]:
    """The :data:`FoldRunner` of a Ray cluster: every fold a task.

    The model inputs (images or embeddings) go to Ray's object store once, :data:`SHARD` rows at a time, so
    the driver process copies no more than one shard of them at once; each task gathers them on its worker.
    """
    import ray

    pixels = [ray.put(np.asarray(dataset.pixels[start:start + SHARD]))
              for start in range(0, len(dataset.pixels), SHARD)]
    empty = np.empty((0, *dataset.pixels.shape[1:]), dataset.pixels.dtype)
    examples = ray.put(replace(dataset, pixels=empty, paths=None, root=None, skipped=()))
    task = ray.remote(num_cpus=1, max_retries=RETRIES)(fit_fold_task)
    pending = {task.remote(examples, pixels, spec, fold, split): fold for fold, split in enumerate(splits)}
    done = 0
    callback(0.0, f"{len(splits)} folds sent to the cluster")
    for finished in finished_tasks(pending):
        if finished is None:
            callback(done / len(splits), f"{done}/{len(splits)} folds done on the cluster")
            continue
        done += 1
        callback(done / len(splits), f"{done}/{len(splits)} folds done on the cluster")
        yield finished


def fit_fold_task(dataset: Dataset, pixels: list, spec: ModelSpec, fold: int, split: Split) -> np.ndarray:
    """On a worker: one fold's held-out pred_probs (n, K) float32, from a fresh model.

    ``dataset`` comes without its model inputs; ``pixels`` are the object references of their shards.
    """
    import ray

    dataset = replace(dataset, pixels=np.concatenate(ray.get(pixels)))
    return fit_fold(make_classifier(spec, len(dataset.class_names), dataset.image_shape), dataset, spec, fold, split)
