"""``labelreview selftest``: a tiny end-to-end check of everything the app needs, also inside the package."""

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from labelreview.core.data.sources import open_source
from labelreview.core.engine.models import ModelSpec
from labelreview.core.engine.pipeline import score_dataset
from labelreview.core.findings.score_files import write_score_files
from labelreview.notices import installed_notices

SCRATCH_DIRS = tuple(f"LABELREVIEW_{name}_DIR" for name in ("DATA", "CONFIG", "CACHE"))
"""Kept in a temporary folder during the selftest: the user's labels, settings, recent list and caches are left
alone, and every check computes afresh."""


def run_selftest() -> int:
    """Print one line per check; 0 when all pass."""
    results = []

    def check(what: str, ok: bool) -> None:
        results.append(ok)
        print(f"{'ok  ' if ok else 'FAIL'} {what}", flush=True)

    started = time.perf_counter()
    saved = {name: os.environ.get(name) for name in SCRATCH_DIRS}
    with tempfile.TemporaryDirectory() as scratch:
        for name in SCRATCH_DIRS:
            os.environ[name] = str(Path(scratch, name.lower()))
        try:
            _run_checks(check, scratch)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name)
                else:
                    os.environ[name] = value
    healthy = all(results)
    print(f"selftest {'passed' if healthy else 'FAILED'} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0 if healthy else 1


def _run_checks(check, scratch: str) -> None:
    """Each check reports ``check(what, ok)``; result files go into ``scratch``."""
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
    check(f"result files written: {', '.join(names)}",
          names == ["health.json", "issues.csv", "pred_probs.npy", "scores.csv"])
    shapes = open_source(str(write_shapes_folder(Path(scratch, "shapes"), per_class=10)))
    run = score_dataset(shapes, ModelSpec(name="auto"), folds=3)
    agreement = float((run.analysis.predicted == shapes.labels).mean())
    check(f"pretrained backbone ({run.spec.name}, weights checked): a colour folder embedded and scored, "
          f"agreement {agreement:.2f}; duplicates, outliers and quality searched in the same pass",
          run.spec.name == "lite0" and agreement > 0.8 and run.findings.outliers is not None)
    check(*_issue_finders_check())
    check(*_map_check(shapes))
    check(*_window_check())
    notices = installed_notices()
    check(f"third-party notices: {notices.count(chr(10) + '=' * 100)} packages, Qt's LGPL among them",
          "PySide6" in notices and "GNU LESSER GENERAL PUBLIC LICENSE" in notices)


def _issue_finders_check() -> tuple[str, bool]:
    """Image quality of 10,000 images, measured in worker processes (which restart this program when packaged)."""
    from labelreview.core.findings.image_properties import image_properties

    many = open_source("mnist:test")
    ok = bool((image_properties(many)["width"] == 28).all())
    return f"image quality of {len(many):,} images measured in worker processes (CleanVision)", ok


def _map_check(shapes) -> tuple[str, bool]:
    """The embedding map's t-SNE layout, made in a worker process (openTSNE inside the package)."""
    from labelreview.core.engine.embedding_store import stored_embeddings
    from labelreview.core.findings.embedding_map import tsne_layout

    layout = tsne_layout(stored_embeddings(shapes))
    return f"embedding map laid out by t-SNE in a worker process {layout.shape}", (
        layout.shape == (len(shapes), 2) and bool(np.isfinite(layout).all()))


def write_shapes_folder(root: Path, *, per_class: int) -> Path:
    """A colour image folder: ``per_class`` JPEGs each of reddish circles, bluish squares and greenish triangles."""
    rng = np.random.default_rng(0)
    for kind in ("circle", "square", "triangle"):
        (root / kind).mkdir(parents=True)
        for n in range(per_class):
            _draw_shape(kind, rng).save(root / kind / f"{n}.jpg", quality=90)
    return root


def _draw_shape(kind: str, rng: np.random.Generator, side: int = 96) -> Image.Image:
    colour = {"circle": (200, 40, 40), "square": (40, 60, 200), "triangle": (40, 160, 60)}[kind]
    image = Image.new("RGB", (side, side), tuple(int(v) for v in rng.integers(200, 256, 3)))
    draw = ImageDraw.Draw(image)
    size = int(rng.integers(side // 3, side * 3 // 4))
    x, y = (int(v) for v in rng.integers(0, side - size, 2))
    tint = tuple(int(np.clip(c + rng.integers(-30, 30), 0, 255)) for c in colour)
    if kind == "circle":
        draw.ellipse((x, y, x + size, y + size), fill=tint)
    elif kind == "square":
        draw.rectangle((x, y, x + size, y + size), fill=tint)
    else:
        draw.polygon([(x, y + size), (x + size, y + size), (x + size // 2, y)], fill=tint)
    return image


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
