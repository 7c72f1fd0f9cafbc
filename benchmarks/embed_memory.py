"""Embed N MNIST images through the embedding store and report peak memory: it must stay flat in N.

    python benchmarks/embed_memory.py [N]   # prints one JSON line (default 60,000: about 20 minutes here)
"""

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from labelreview.core.data.array_sources import open_mnist  # noqa: E402


def main(n: int = 60_000) -> None:
    from labelreview.core.engine.embedding_store import dataset_embeddings

    with tempfile.TemporaryDirectory() as scratch:
        os.environ["LABELREVIEW_CACHE_DIR"] = scratch
        dataset = open_mnist("train", limit=n)
        started = time.perf_counter()
        vectors = dataset_embeddings(dataset)
        seconds = time.perf_counter() - started
        print(json.dumps({"case": f"mnist{n // 1000}k-embed", "images": len(vectors), "embed_s": round(seconds, 1),
                          "images_per_s": round(n / seconds, 1),
                          "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))


if __name__ == "__main__":
    main(*map(int, sys.argv[1:]))
