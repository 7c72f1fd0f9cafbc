"""``labelreview selftest``: a tiny end-to-end check of everything the app needs, also inside the package."""

import os
import sys
import tempfile
import time
from pathlib import Path

from labelreview.core.data.sources import open_source
from labelreview.core.engine.models import ModelSpec
from labelreview.core.engine.pipeline import score_dataset
from labelreview.core.findings.score_files import write_score_files


def run_selftest() -> int:
    """Print one line per check; 0 when all pass."""
    results = []

    def check(what: str, ok: bool) -> None:
        results.append(ok)
        print(f"{'ok  ' if ok else 'FAIL'} {what}", flush=True)

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        for name in ("DATA", "CONFIG"):  # leave the user's labels, settings and recent list alone
            os.environ[f"LABELREVIEW_{name}_DIR"] = str(Path(scratch, name.lower()))
        dataset = open_source("mnist:test", limit=600)
        check(f"MNIST loads offline, checksum verified ({len(dataset)} images of {dataset.image_shape})",
              dataset.image_shape == (28, 28, 1))
        run = score_dataset(dataset, ModelSpec(name="cnn", epochs=4), folds=3)
        check(f"TensorFlow CNN, 3-fold: out-of-sample probabilities {run.cv.pred_probs.shape}",
              bool((run.cv.fold_of >= 0).all()) and abs(float(run.cv.pred_probs.sum(1).mean()) - 1) < 1e-3)
        accuracy = float((run.analysis.predicted == dataset.labels).mean())
        check(f"cleanlab: accuracy {accuracy:.3f}, health score {run.analysis.health_score:.3f}, "
              f"{run.analysis.issue_count} suspects", accuracy > 0.6 and 0.5 < run.analysis.health_score <= 1)
        out = Path(scratch, "scores")
        write_score_files(run, out)
        names = sorted(p.name for p in out.iterdir())
        check(f"result files written: {', '.join(names)}", names == ["health.json", "pred_probs.npy", "scores.csv"])
        check(*_window_check())
    healthy = all(results)
    print(f"selftest {'passed' if healthy else 'FAILED'} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0 if healthy else 1


def _window_check() -> tuple[str, bool]:
    """Open the review window offscreen on a small dataset and render it."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from labelreview.core.review.session import ReviewSession
    from labelreview.gui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = MainWindow()
    window.show()
    window.show_session(ReviewSession.open("mnist:test"))
    app.processEvents()
    picture = window.grab()
    rows = window.review.model.rowCount()
    window.close()
    return f"window renders offscreen ({picture.width()} x {picture.height()}, {rows:,} images in the grid)", (
        not picture.isNull() and rows == 10_000)
