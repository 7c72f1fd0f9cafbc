"""How far off "time left" is during a Score, against the time the run then really took.

    python benchmarks/time_left.py CASE      # prints one JSON line per run; CASE: clipart or mnist15k

Two runs of the case from empty caches, the way a curator's first and second datasets are scored on a new
machine: the first plans each stage at the default rates, the second at the rates the first measured. At each
tenth of the run's real duration, the time left the window shows (the last progress message's "about m:ss
left") is compared with the seconds that were really left; figures are the shown and real seconds at 10%, 30%, 50%, 70%
and 90% and the largest error of all nine tenths, in seconds and as a share of the run.
"""

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clipart import linked_clipart  # noqa: E402


def main(case: str) -> None:
    from labelreview.core.data.sources import open_source
    from labelreview.core.engine.models import ModelSpec
    from labelreview.core.engine.pipeline import score_dataset
    from labelreview.core.run_clock import load_rates, split_left

    with tempfile.TemporaryDirectory() as scratch:
        os.environ["LABELREVIEW_CACHE_DIR"] = str(Path(scratch, "cache"))
        for run in ("first", "second"):
            for stale in ("embeddings", "pixels", "properties"):  # the images' caches emptied, not the rates
                shutil.rmtree(Path(scratch, "cache", stale), ignore_errors=True)
            source = str(linked_clipart(Path(scratch, "clipart"))) if case == "clipart" else "mnist"
            dataset = open_source(source, limit=15_000 if case == "mnist15k" else None)
            reports = []
            started = time.perf_counter()
            score_dataset(dataset, ModelSpec("auto"), folds=5,
                          callback=lambda fraction, message: reports.append((time.perf_counter(), message)))
            total = time.perf_counter() - started
            said = []
            for tenth in range(1, 10):
                now = started + total * tenth / 10
                said.append((tenth, split_left([m for t, m in reports if t <= now][-1])[1], total * (1 - tenth / 10)))
            worst = max(abs(shown - real) for _, shown, real in said)
            print(json.dumps({"case": case, "run": run, "seconds": round(total, 1),
                              **{f"left_at_{t * 10}%": f"{shown:.0f} (real {real:.0f})" for t, shown, real in said
                                 if t % 2},
                              "worst_error_s": round(worst, 1), "worst_error_share": round(worst / total, 2),
                              "rates_remembered": {k: float(f"{v:.2g}") for k, v in load_rates().items()}}),
                  flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
