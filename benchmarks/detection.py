"""Detection as a curator feels it, one case per call: the engine scores a set with injected label errors (seed 0)
from an empty cache, and the flagged set and ranking are judged against the injected errors.

    python benchmarks/detection.py CASE      # prints one JSON line
    python benchmarks/detection.py --list    # the cases

Figures: flagged / injected, precision, recall, F1, average precision of the ranking, images reviewed from the top
to find 80% and 90% of the injected errors, the engine's ``expected_precision`` beside the measured one, the
worst relative error of the Rounds tab's "errors left" while a curator who knows the truth reviews the suspects
from the top (at each twentieth of the list with 10 or more left), the cross-validated accuracy against the
true labels, seconds.
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cifar_photos import photo_folder  # noqa: E402
from clipart import linked_clipart  # noqa: E402
from measure import CASES as MNIST_CASES  # noqa: E402
from measure import PAIRS as MNIST_PAIRS  # noqa: E402

from labelreview.core.data.noise import inject_noise  # noqa: E402
from labelreview.core.data.sources import open_source  # noqa: E402

FASHION = Path("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")  # Debian's dataset-fashion-mnist
CASES = {
    "clipart-uniform10": ("clipart", None, 0.10, "uniform"),
    "clipart-pairs10": ("clipart", None, 0.10, "pairs"),
    "mnist15k-uniform10": ("mnist", 15_000, 0.10, "uniform"),
    "mnist15k-pairs20": ("mnist", 15_000, 0.20, "pairs"),
    "fashion15k-uniform10": (str(FASHION), 15_000, 0.10, "uniform"),
    "fashion15k-pairs20": (str(FASHION), 15_000, 0.20, "pairs"),
    "cifar5k-uniform10": ("cifar", 5_000, 0.10, "uniform"),  # colour photos, 32 x 32
    "cifar5k-pairs20": ("cifar", 5_000, 0.20, "pairs"),  # airplane<->automobile, bird<->cat, ...
}
assert {"mnist15k-uniform10", "mnist15k-pairs20"} <= set(MNIST_CASES)  # the same noise as measure.py's cases


def open_case(name: str, scratch: Path):
    """(dataset with the noisy labels, true labels (N,)) of case ``name``."""
    source, limit, rate, kind = CASES[name]
    if source == "clipart":  # the ten category folders, linked into one folder
        source = str(linked_clipart(scratch / "clipart"))
    elif source == "cifar":
        source, limit = str(photo_folder(scratch / "photos", limit)), None
    dataset = open_source(source, limit=limit)
    pairs = MNIST_PAIRS if source == "mnist" and kind == "pairs" else None  # else 0<->1, 2<->3, ...
    noisy = inject_noise(dataset.labels, len(dataset.class_names), rate=rate, kind=kind, seed=0, pairs=pairs)
    return dataset.with_labels(noisy), dataset.labels


def readable_positions(opened, scored) -> np.ndarray:
    """Positions (n,) in the ``opened`` dataset of the ``scored`` run's images (its readable ones)."""
    if opened.paths is None or len(scored) == len(opened):
        return np.arange(len(opened))
    position = {path: i for i, path in enumerate(opened.paths)}
    return np.array([position[path] for path in scored.paths])


def judged(flagged: np.ndarray, rank: np.ndarray, flipped: np.ndarray) -> dict:
    """The flagged set (N,) and the ``rank`` (N,, 1 = most suspicious) against the injected errors ``flipped`` (N,)."""
    from sklearn.metrics import average_precision_score

    found, injected = int((flagged & flipped).sum()), int(flipped.sum())
    precision, recall = found / max(1, flagged.sum()), found / max(1, injected)
    found_by = np.cumsum(flipped[np.argsort(rank, kind="stable")])
    return {"flagged": int(flagged.sum()), "injected": injected,
            "flagged_per_injected": round(float(flagged.sum() / max(1, injected)), 2),
            "precision": round(precision, 3), "recall": round(recall, 3),
            "f1": round(2 * precision * recall / max(1e-9, precision + recall), 3),
            "average_precision": round(float(average_precision_score(flipped, -rank)), 3),
            "reviewed_for_80": int(np.searchsorted(found_by, 0.8 * injected) + 1),
            "reviewed_for_90": int(np.searchsorted(found_by, 0.9 * injected) + 1)}


def main(name: str) -> None:
    from labelreview.core.engine.models import ModelSpec
    from labelreview.core.engine.pipeline import score_dataset
    from labelreview.core.review.score_table import ScoreTable
    from labelreview.core.review.simulated_curator import worst_errors_left

    with tempfile.TemporaryDirectory() as scratch:
        os.environ["LABELREVIEW_CACHE_DIR"] = str(Path(scratch, "cache"))  # cold: embeddings computed afresh
        dataset, truth = open_case(name, Path(scratch))
        started = time.perf_counter()
        run = score_dataset(dataset, ModelSpec("auto"), folds=5)
        seconds = time.perf_counter() - started
    truth = truth[readable_positions(dataset, run.dataset)]  # a file that cannot be decoded is left out
    dataset = run.dataset
    figures = judged(run.analysis.is_label_issue, run.analysis.rank, dataset.labels != truth)
    scores = ScoreTable.from_run(dataset, run, {"expected_precision": run.analysis.expected_precision,
                                                "error_density": run.analysis.error_density.tolist()})
    print(json.dumps({"case": name, "model": run.spec.name, "images": len(dataset), **figures,
                      "expected_precision": round(run.analysis.expected_precision, 3),
                      "errors_left_worst": round(worst_errors_left(scores, dataset.labels, truth), 2),
                      "cv_accuracy": round(float((run.cv.pred_probs.argmax(1) == truth).mean()), 3),
                      "seconds": round(seconds, 1)}))


if __name__ == "__main__":
    print("\n".join(CASES)) if sys.argv[1] == "--list" else main(sys.argv[1])
