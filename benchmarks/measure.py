"""Run one benchmark case with one method in this process and print one JSON line of figures.

    python benchmarks/measure.py labelreview|labelreview:MODEL|reference CASE

``labelreview`` runs the default model (``auto``, which picks the CNN for MNIST); ``labelreview:cnn-thorough``
another one. The CNN computes in bfloat16 where the CPU has it natively, else float32 (``precision`` column).
"""

import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from labelreview.core.data.array_sources import open_mnist  # noqa: E402
from labelreview.core.data.noise import inject_noise  # noqa: E402

PAIRS = [(7, 1), (4, 9), (3, 5)]
CASES = {
    "mnist15k-uniform10": dict(limit=15_000, rate=0.10, kind="uniform"),
    "mnist15k-pairs20": dict(limit=15_000, rate=0.20, kind="pairs"),
    "mnist60k-uniform10": dict(limit=None, rate=0.10, kind="uniform"),
}


def noisy_case(name: str):
    """(dataset with noisy labels, true labels (N,)) for a case."""
    case = CASES[name]
    dataset = open_mnist("train", limit=case["limit"])
    noisy = inject_noise(dataset.labels, 10, rate=case["rate"], kind=case["kind"], seed=0,
                         pairs=PAIRS if case["kind"] == "pairs" else None)
    return dataset.with_labels(noisy), dataset.labels


def run_labelreview(dataset, model: str = "auto"):
    """Importing TensorFlow is timed apart: the window does it while the curator looks at the grid."""
    from labelreview.core.engine.models import ModelSpec
    from labelreview.core.engine.pipeline import score_dataset
    from labelreview.core.engine.tensorflow_runtime import compute_policy, import_keras

    started, first = time.perf_counter(), []
    import_keras()
    imported = time.perf_counter() - started
    run = score_dataset(dataset, ModelSpec(model), folds=5,
                        on_partial=lambda partial: first or first.append(time.perf_counter() - started))
    seconds = time.perf_counter() - started
    return run.cv.pred_probs, run.analysis.is_label_issue, {
        "model": run.spec.name, "precision_mode": compute_policy(), "import_s": round(imported, 1), "first_suspects_s": round(first[0], 1),
        "first_share_after_import": round((first[0] - imported) / (seconds - imported), 2)}


def run_reference(dataset):
    from cleanlab.filter import find_label_issues
    from reference import reference_pred_probs

    from labelreview.core.data.pixel_cache import decoded

    pred_probs = reference_pred_probs(decoded(dataset).images(), dataset.labels)
    return pred_probs, find_label_issues(dataset.labels, pred_probs), {}


def main(method: str, case: str) -> None:
    dataset, truth = noisy_case(case)
    started = time.perf_counter()
    tool, _, model = method.partition(":")
    if tool == "labelreview":
        pred_probs, flagged, timings = run_labelreview(dataset, model or "auto")
    else:
        pred_probs, flagged, timings = run_reference(dataset)
    seconds = time.perf_counter() - started
    flipped = dataset.labels != truth
    found = int((flagged & flipped).sum())
    precision, recall = found / max(1, flagged.sum()), found / max(1, flipped.sum())
    print(json.dumps({
        "method": method, "case": case, "examples": len(dataset), "seconds": round(seconds, 1),
        **timings,
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "precision": round(precision, 4), "recall": round(recall, 4),
        "f1": round(2 * precision * recall / max(1e-9, precision + recall), 4),
        "cv_accuracy": round(float((np.asarray(pred_probs).argmax(1) == truth).mean()), 4),
    }))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
