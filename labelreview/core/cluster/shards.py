"""Per-image work done by Ray tasks: shards of the missing images are decoded on the workers, embedded or
measured there, and the driver writes their rows into the same caches a local run fills.

The driver sends paths (every node must see the images under the same absolute path) or, for array data,
one shard's pixels at a time: it decodes none of these images itself.
"""

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from labelreview.core.cluster.tasks import RETRIES, finished_tasks
from labelreview.core.data.dataset import Dataset
from labelreview.core.data.row_cache import Fill
from labelreview.core.engine.backbone import Backbone, Embedder, load_embedder
from labelreview.core.engine.embedding_store import array_reader, embedded_batches, file_reader
from labelreview.core.findings.image_properties import measure_items

SHARD = 256  # images per task
IN_FLIGHT_PER_CPU = 2  # shards queued per CPU of the cluster, so no worker waits for the driver

ShardWork = Callable[["Shard"], tuple[np.ndarray, dict[int, str]]]
"""``work(shard)`` on a worker: one row per image of the shard (zeros where it failed), and item -> reason."""


@dataclass(frozen=True)
class Shard:
    """Images a worker reads without the dataset: files under an absolute ``root``, or array rows shipped along.

    Attributes
    ----------
    root : Path or None
    paths : tuple of str (n,) or None
        Relative to ``root``; None for array data.
    pixels : np.ndarray of uint8, shape (n, H, W, C), or None
        The rows themselves, for array data.
    """

    root: Path | None
    paths: tuple[str, ...] | None
    pixels: np.ndarray | None

    @classmethod
    def of(cls, dataset: Dataset, positions: list[int]) -> "Shard":
        """The examples ``positions`` of ``dataset``."""
        if dataset.paths is not None:
            return cls(dataset.root.resolve(), tuple(dataset.paths[i] for i in positions), None)
        return cls(None, None, dataset.images(np.asarray(positions)))

    def __len__(self) -> int:
        return len(self.paths) if self.paths is not None else len(self.pixels)


def embed_shard(shard: Shard, backbone: Backbone) -> tuple[np.ndarray, dict[int, str]]:
    """:data:`ShardWork`: the shard's embeddings (n, dim) float16."""
    read = (file_reader(shard.root, shard.paths, backbone.side) if shard.paths is not None
            else array_reader(shard.pixels.__getitem__, backbone.side))
    vectors, failures = np.zeros((len(shard), backbone.dim), np.float16), {}
    for batch, embedded, failed in embedded_batches(list(range(len(shard))), read, _embedder(backbone),
                                                    decoders=1):  # the one CPU the task holds
        vectors[[j for j in batch if j not in failed]] = embedded
        failures.update(failed)
    return vectors, failures


def measure_shard(shard: Shard) -> tuple[np.ndarray, dict[int, str]]:
    """:data:`ShardWork`: the shard's image-quality measurements (n,) of ``image_properties.PROPERTIES``."""
    return measure_items([shard.root / path for path in shard.paths] if shard.paths is not None else shard.pixels)


@functools.cache
def _embedder(backbone: Backbone) -> Embedder:
    """Compiled once per worker process, on the one CPU its task holds."""
    return load_embedder(backbone, threads=1)


def cluster_fill(dataset: Dataset, backbone: Backbone) -> Fill:
    """A :data:`Fill` (see ``row_cache``) that embeds the missing rows of ``dataset`` on the cluster."""
    return sharded_fill(dataset, functools.partial(embed_shard, backbone=backbone))


def cluster_measure(dataset: Dataset) -> Fill:
    """A :data:`Fill` that measures the image quality of the missing rows of ``dataset`` on the cluster."""
    return sharded_fill(dataset, measure_shard)


def sharded_fill(dataset: Dataset, work: ShardWork) -> Fill:
    """A :data:`Fill` whose rows ``work`` computes on the cluster, :data:`SHARD` images per task."""

    def fill(rows: np.ndarray, todo: list[int]) -> Iterator[tuple[list[int], dict[int, str]]]:
        import ray

        task = ray.remote(num_cpus=1, max_retries=RETRIES)(run_shard)
        shards = iter([todo[start:start + SHARD] for start in range(0, len(todo), SHARD)])
        limit = IN_FLIGHT_PER_CPU * max(1, int(ray.cluster_resources().get("CPU", 1)))
        pending = {}

        def submit() -> None:
            while len(pending) < limit and (positions := next(shards, None)) is not None:
                pending[task.remote(work, Shard.of(dataset, positions))] = positions

        submit()
        for done in finished_tasks(pending):
            if done is None:
                yield [], {}  # nothing finished yet: progress is reported again, and a cancel is heard
                continue
            positions, (computed, failed) = done
            good = [j for j in range(len(positions)) if j not in failed]
            rows[[positions[j] for j in good]] = computed[good]
            yield positions, {positions[j]: reason for j, reason in failed.items()}
            submit()

    return fill


def run_shard(work: ShardWork, shard: Shard) -> tuple[np.ndarray, dict[int, str]]:
    """The Ray task: ``work(shard)`` on a worker (named ``ray::run_shard`` in its process list)."""
    return work(shard)
