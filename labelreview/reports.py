"""Text and JSON forms of results for the command line."""

import json

import numpy as np

from labelreview.core.review.calibration import Calibration
from labelreview.core.review.compare import Comparison


def comparison_table(result: Comparison) -> str:
    """Overall and per-class test accuracy before and after cleaning, with the change."""
    before, after = result.before, result.after
    rows = [("train examples", f"{before.train_examples:,}", f"{after.train_examples:,}", ""),
            ("test accuracy", f"{before.accuracy:.4f}", f"{after.accuracy:.4f}", f"{after.accuracy - before.accuracy:+.4f}")]
    for name, b, a in zip(result.class_names, before.per_class_accuracy, after.per_class_accuracy):
        rows.append((f"  class {name}", _rate(b), _rate(a), "" if np.isnan(a - b) else f"{a - b:+.4f}"))
    widths = [max(len(r[i]) for r in rows + [("", "original", "cleaned", "change")]) for i in range(4)]
    lines = [f"{'':<{widths[0]}}  {'original':>{widths[1]}}  {'cleaned':>{widths[2]}}  {'change':>{widths[3]}}"]
    lines += [f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]:>{widths[3]}}" for r in rows]
    return "\n".join(lines + [leak_text(result.leaks)])


def leak_text(leaks, shown: int = 10) -> str:
    """How many test images were seen in training (copies or near duplicates), and the first ``shown``."""
    if not len(leaks):
        return "no test image is a copy or near duplicate of a training image"
    said = (f"{len(leaks):,} test images are copies ({int(leaks['exact'].sum()):,}) or near duplicates of training "
            "images: they flatter both accuracies")
    rows = [f"  {r.test}  ~  {r.train}  ({'copy' if r.exact else f'similarity {r.similarity:.3f}'})"
            for r in leaks.head(shown).itertuples()]
    return "\n".join([said, *rows] + ([f"  ... and {len(leaks) - shown:,} more"] if len(leaks) > shown else []))


def _rate(value: float) -> str:
    return "-" if np.isnan(value) else f"{value:.4f}"


def comparison_json(result: Comparison) -> dict:
    return {"class_names": list(result.class_names), **{
        name: {"train_examples": e.train_examples, "accuracy": e.accuracy,
               "per_class_accuracy": [None if np.isnan(v) else float(v) for v in e.per_class_accuracy],
               "confusion": e.confusion.tolist()}
        for name, e in (("original", result.before), ("cleaned", result.after))},
        "leaks": result.leaks.to_dict(orient="records")}


def calibration_text(result: Calibration) -> str:
    """Flagged-set precision / recall / F1, then per class."""
    lines = [f"flagged set: precision {result.precision:.3f}, recall {result.recall:.3f}, F1 {result.f1:.3f}",
             result.per_class.to_string(index=False, float_format=lambda v: f"{v:.3f}")]
    return "\n".join(lines)


def calibration_json(result: Calibration) -> dict:
    return {"precision": result.precision, "recall": result.recall, "f1": result.f1,
            "per_class": json.loads(result.per_class.to_json(orient="records")),
            "curve": {"precision": result.curve_precision.round(5).tolist(),
                      "recall": result.curve_recall.round(5).tolist()}}
