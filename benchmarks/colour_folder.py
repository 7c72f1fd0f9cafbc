"""Score a colour folder on pretrained embeddings: clip art from Debian's openclipart-png, 10% uniform noise.

    python benchmarks/colour_folder.py [MODEL [CATEGORY_ROOT]]   # prints one JSON line; MODEL defaults to auto

The ten category folders are linked into a temporary folder (the issue's case,
2,642 readable images); labels get 10% uniform noise with seed 0, as
``labelreview noise --rate 0.1 --seed 0`` gives. Embedding runs on an empty
store (decode included), then rescoring reuses it. ``decode_only_s`` times
the same decoding alone on the same threads: its share of ``embed_s``. A model
that reads no embeddings (``cnn``) is timed on the whole run instead.
"""

import json
import os
import resource
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clipart import CLIPART, linked_clipart  # noqa: E402
from labelreview.core.data.images import Geometry, decode_image  # noqa: E402
from labelreview.core.data.noise import inject_noise  # noqa: E402
from labelreview.core.data.sources import open_source  # noqa: E402



def figures(flagged, noisy, truth, predicted) -> dict:
    flipped = noisy != truth
    found = int((flagged & flipped).sum())
    precision, recall = found / max(1, flagged.sum()), found / max(1, flipped.sum())
    return {"flagged": int(flagged.sum()), "injected": int(flipped.sum()),
            "flagged_per_injected": round(float(flagged.sum() / max(1, flipped.sum())), 2),
            "precision": round(precision, 4), "recall": round(recall, 4),
            "f1": round(2 * precision * recall / max(1e-9, precision + recall), 4),
            "accuracy_vs_folders": round(float((predicted == truth).mean()), 4)}


def main(model: str = "auto", root: Path = CLIPART) -> None:
    from labelreview.core.engine.embedding_store import dataset_embeddings
    from labelreview.core.engine.models import ModelSpec, resolve_model
    from labelreview.core.engine.pipeline import score_dataset
    from labelreview.core.engine.tensorflow_runtime import import_keras

    with tempfile.TemporaryDirectory() as scratch:
        os.environ["LABELREVIEW_CACHE_DIR"] = str(Path(scratch, "cache"))
        folder = linked_clipart(Path(scratch, "clipart"), root)
        dataset = open_source(str(folder))
        truth = dataset.labels
        noisy = dataset.with_labels(inject_noise(truth, len(dataset.class_names), rate=0.1, seed=0))
        timings = {}
        import_keras()
        if resolve_model(ModelSpec(model), dataset)[0].name == "lite0":
            started = time.perf_counter()
            with ThreadPoolExecutor(2) as pool:
                list(pool.map(lambda path: decode_image(path, Geometry(224, 3)), [folder / p for p in dataset.paths]))
            decode_only = time.perf_counter() - started
            started = time.perf_counter()
            dataset_embeddings(dataset)
            embed = time.perf_counter() - started
            timings = {"embed_s": round(embed, 1), "images_per_s": round(len(dataset) / embed, 1),
                       "decode_only_s": round(decode_only, 1), "decode_share": round(decode_only / embed, 2)}
        started = time.perf_counter()
        run = score_dataset(noisy, ModelSpec(model), folds=5)
        timings["score_s" if not timings else "rescore_cached_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps({
        "case": "clipart-uniform10", "method": f"labelreview:{model}", "model": run.spec.name,
        "images": len(dataset), **timings,
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        **figures(run.analysis.is_label_issue, noisy.labels, truth, run.analysis.predicted)}))


if __name__ == "__main__":
    main(*sys.argv[1:2], *map(Path, sys.argv[2:3]))
