"""A curator's first Score of the clip-art folder, stage by stage: empty caches, then a warm rescore.

    python benchmarks/cold_score.py [CHECKOUT]   # prints one JSON line

``CHECKOUT`` (default: this one) is the labelreview source tree to time, so that two versions run side by side
on the same machine and folder (``make bench`` times ``main`` as it was before the one-pixel-pass change too).
The run is what ``labelreview score FOLDER`` does with defaults (open, then score) on the ten category folders of
Debian's openclipart-png with 10% uniform noise, seed 0. A stage lasts from the end of the stage before to its
last progress message; the stages are named by their progress messages. The network's conversion, once per
installation where a checkout caches it, is timed before the clock starts (``convert_network_s``); a checkout
that converts it in every run has it in its stages.
"""

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

CHECKOUT = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else Path(__file__).resolve().parents[1]
sys.path.insert(0, str(CHECKOUT))

from clipart import linked_clipart  # noqa: E402

STAGES = {"decoding images": "open", "loading the network": "network", "embedding images": "embed",
          "embedding and measuring": "embed_and_measure", "fold": "folds", "finding label issues": "label_issues",
          "measuring image quality": "quality", "finding nearest neighbours": "neighbours",
          "finding outliers": "neighbours"}
STARTS = ("loading the network", "finding label issues", "finding outliers")  # the work follows these messages


class StageClock:
    """A progress callback that adds up seconds per stage, a stage being named by its messages."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self.last, self.started = time.perf_counter(), None

    def __call__(self, fraction: float, message: str) -> None:
        now = time.perf_counter()
        stage = next((name for stem, name in STAGES.items() if message.startswith(stem)), "other")
        spent = self.started or stage  # the time since a start message is its stage's, else the reporting one's
        self.seconds[spent] = self.seconds.get(spent, 0.0) + now - self.last
        self.last, self.started = now, stage if message.startswith(STARTS) else None

    def rounded(self) -> dict[str, float]:
        return {f"{stage}_s": round(seconds, 1) for stage, seconds in self.seconds.items()}


def main() -> None:
    from labelreview.core.data.noise import inject_noise
    from labelreview.core.data.sources import open_source
    from labelreview.core.engine.models import ModelSpec
    from labelreview.core.engine.pipeline import score_dataset

    with tempfile.TemporaryDirectory() as scratch:
        os.environ["LABELREVIEW_CACHE_DIR"] = str(Path(scratch, "cache"))
        folder = linked_clipart(Path(scratch, "clipart"))
        converted = _convert_network()
        clock, started = StageClock(), time.perf_counter()
        dataset = open_source(str(folder), callback=clock)
        noisy = dataset.with_labels(inject_noise(dataset.labels, len(dataset.class_names), rate=0.1, seed=0))
        run = score_dataset(noisy, ModelSpec("auto"), callback=clock)
        cold = time.perf_counter() - started
        started = time.perf_counter()
        again = score_dataset(open_source(str(folder)).with_labels(noisy.labels), ModelSpec("auto"))
        warm = time.perf_counter() - started
    findings = run.findings
    print(json.dumps({
        "checkout": CHECKOUT.name, "images": len(dataset), "model": run.spec.name, **converted,
        "cold_s": round(cold, 1),
        **clock.rounded(), "warm_rescore_s": round(warm, 1),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "flagged": int(run.analysis.is_label_issue.sum()), "same_flagged_warm": bool(
            (run.analysis.is_label_issue == again.analysis.is_label_issue).all()),
        "quality_issues": len(findings.quality), "duplicate_sets": findings.duplicates.count,
        "outliers": int(findings.outliers.is_outlier.sum())}))


def _convert_network() -> dict[str, float]:
    """Convert and cache the backbone's network where the checkout caches it: {"convert_network_s": seconds}."""
    from labelreview.core.engine import backbone

    if not hasattr(backbone, "compiled_network"):
        return {}
    started = time.perf_counter()
    backbone.compiled_network()
    return {"convert_network_s": round(time.perf_counter() - started, 1)}


if __name__ == "__main__":
    main()
