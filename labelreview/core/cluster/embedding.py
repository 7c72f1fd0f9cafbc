"""The embedding store filled by Ray tasks: shards of the missing images are decoded and embedded on the
workers, and the driver writes their rows into the same store a local run fills.

The driver sends paths (every node must see the images under the same absolute path) or, for array data,
one shard's pixels at a time; it never decodes an image itself.
"""

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from labelreview.core.cluster.tasks import RETRIES, finished_tasks
from labelreview.core.data.dataset import Dataset
from labelreview.core.data.row_cache import Fill
from labelreview.core.engine.backbone import Backbone, Embedder, load_embedder
from labelreview.core.engine.embedding_store import array_reader, embedded_batches, file_reader

SHARD = 256  # images per task
IN_FLIGHT_PER_CPU = 2  # shards queued per CPU of the cluster, so no worker waits for the driver


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
    """On a worker: the shard's embeddings (n, dim) float16 (zeros where unreadable) and item -> reason."""
    read = (file_reader(shard.root, shard.paths, backbone.side) if shard.paths is not None
            else array_reader(shard.pixels.__getitem__, backbone.side))
    vectors, failures = np.zeros((len(shard), backbone.dim), np.float16), {}
    for batch, embedded, failed in embedded_batches(list(range(len(shard))), read, _embedder(backbone)):
        vectors[[j for j in batch if j not in failed]] = embedded
        failures.update(failed)
    return vectors, failures


@functools.cache
def _embedder(backbone: Backbone) -> Embedder:
    """Compiled once per worker process, on the one CPU its task holds."""
    return load_embedder(backbone, threads=1)


def cluster_fill(dataset: Dataset, backbone: Backbone) -> Fill:
    """A :data:`Fill` (see ``row_cache``) that embeds the missing rows of ``dataset`` in shards on the cluster."""

    def fill(rows: np.ndarray, todo: list[int]) -> Iterator[tuple[list[int], dict[int, str]]]:
        import ray

        task = ray.remote(num_cpus=1, max_retries=RETRIES)(embed_shard)
        shards = iter([todo[start:start + SHARD] for start in range(0, len(todo), SHARD)])
        limit = IN_FLIGHT_PER_CPU * max(1, int(ray.cluster_resources().get("CPU", 1)))
        pending = {}

        def submit() -> None:
            while len(pending) < limit and (positions := next(shards, None)) is not None:
                pending[task.remote(Shard.of(dataset, positions), backbone)] = positions

        submit()
        for done in finished_tasks(pending):
            if done is None:
                yield [], {}  # nothing finished yet: progress is reported again, and a cancel is heard
                continue
            positions, (vectors, failed) = done
            good = [j for j in range(len(positions)) if j not in failed]
            rows[[positions[j] for j in good]] = vectors[good]
            yield positions, {positions[j]: reason for j, reason in failed.items()}
            submit()

    return fill
