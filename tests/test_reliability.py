"""Bad input and faults: clear messages, nothing half-written, nothing lost."""

import os

import numpy as np
import pytest
from PIL import Image

from labelreview.core.data import pixel_cache
from labelreview.core.data.sources import open_source
from labelreview.core.engine.models import ModelSpec
from labelreview.core.engine.pipeline import score_dataset
from labelreview.core.errors import Cancelled
from labelreview.core.report.charts import MAX_CLASSES, Theme, confusion_figure
from labelreview.core.review.session import ReviewSession


def test_cancel_while_decoding_keeps_the_finished_chunk_and_no_temp_file(digit_folder, tmp_path, monkeypatch):
    monkeypatch.setenv("LABELREVIEW_CACHE_DIR", str(tmp_path / "cache"))

    def cancel(fraction, message):
        raise Cancelled

    with pytest.raises(Cancelled):
        pixel_cache.decoded(open_source(str(digit_folder)), callback=cancel)
    files = sorted(p.name for p in (tmp_path / "cache").rglob("*") if p.is_file())
    assert len(files) == 2 and files[0] == "meta.json" and files[1].startswith("rows-")
    decoded = []
    real = pixel_cache.decode_image
    monkeypatch.setattr(pixel_cache, "decode_image", lambda path, g: decoded.append(path) or real(path, g))
    assert len(pixel_cache.decoded(open_source(str(digit_folder)))) == 300  # the next decodes only the rest
    assert len(decoded) == 300 - pixel_cache.CHUNK


def test_symlink_loops_truncated_and_unicode_files(tmp_path):
    root = tmp_path / "data set ü"
    (root / "cat").mkdir(parents=True)
    (root / "dög").mkdir()
    image = Image.fromarray(np.random.default_rng(0).integers(0, 255, (20, 20), dtype=np.uint8))
    image.save(root / "cat" / "a b.png")
    image.save(root / "dög" / "日本.png")
    image.save(root / "dög" / "whole.png")
    whole = (root / "dög" / "whole.png").read_bytes()
    (root / "dög" / "cut.png").write_bytes(whole[: len(whole) // 2])
    os.symlink(root, root / "cat" / "loop")  # a folder that contains itself
    dataset = pixel_cache.decoded(open_source(str(root)))
    assert sorted(dataset.paths) == ["cat/a b.png", "dög/whole.png", "dög/日本.png"]
    assert [s.path for s in dataset.skipped] == ["dög/cut.png"]


def test_thousands_of_classes(tmp_path):
    classes = 1500
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(classes), 2)
    images = rng.integers(0, 255, (len(labels), 6, 6), dtype=np.uint8)
    np.savez(tmp_path / "many.npz", images=images, labels=np.array([f"class {k}" for k in labels]))
    dataset = open_source(str(tmp_path / "many.npz"))
    run = score_dataset(dataset, ModelSpec("logreg"), folds=2)
    assert run.cv.pred_probs.shape == (3000, classes)
    session = ReviewSession.open(str(tmp_path / "many.npz"))
    session.scores = session.save_run(run)
    figure, shown = confusion_figure(session.health(), Theme.for_dark(False))
    assert len(shown) == MAX_CLASSES and figure.axes
