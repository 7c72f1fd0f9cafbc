"""One pass over the pixels (issue 25): a Score decodes each image file once for both the backbone and the
image-quality measures, and each of them gets the pixels its own decode gave it. Real files, the real backbone."""

import shutil
from collections import Counter

import numpy as np
import pytest
from PIL import Image
from skimage import data

from labelreview.core.appdirs import cache_dir
from labelreview.core.data import images
from labelreview.core.data.sources import open_source
from labelreview.core.engine.backbone import LITE0
from labelreview.core.engine.embedding_store import BATCH, dataset_embeddings, stored_embeddings
from labelreview.core.engine.image_pass import embed_and_measure
from labelreview.core.engine.models import ModelSpec
from labelreview.core.engine.pipeline import score_dataset
from labelreview.core.errors import Cancelled
from labelreview.core.findings.image_properties import image_properties
from labelreview.selftest import write_shapes_folder

pytestmark = pytest.mark.slow


@pytest.fixture
def mixed_folder(tmp_path):
    """Small JPEGs, a transparent PNG, large photos (JPEGs decoded at reduced scale: the same for the backbone and
    the measures, and not) and a rotated one."""
    root = write_shapes_folder(tmp_path / "mixed", per_class=12)  # 40 images: two batches
    photo = Image.fromarray(data.astronaut()).resize((1800, 1200))
    photo.save(root / "circle" / "large.jpg", quality=90)
    photo.resize((640, 480)).save(root / "circle" / "vga.jpg", quality=90)  # reduced 2x for 224 px, not for 256
    exif = Image.Exif()
    exif[0x0112] = 6  # stored on its side
    photo.resize((600, 400)).save(root / "square" / "turned.jpg", exif=exif)
    clear = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    clear.paste((30, 30, 200, 255), (50, 50, 250, 150))
    clear.save(root / "triangle" / "clear.png")
    return root


@pytest.fixture
def decodes(monkeypatch):
    """Every file opened for its pixels, counted by path (each decode goes through ``_open_checked``)."""
    opened = Counter()
    real = images._open_checked
    monkeypatch.setattr(images, "_open_checked", lambda path: opened.update([path]) or real(path))
    return opened


def test_a_score_decodes_each_image_once_for_the_backbone_and_the_quality_measures(mixed_folder, decodes):
    """Once per image, but for a JPEG whose header says it is reduced to another scale for each."""
    dataset = open_source(str(mixed_folder))
    assert not decodes  # opening reads headers only
    run = score_dataset(dataset, ModelSpec("auto"), folds=3)
    assert run.spec.name == "lite0" and run.findings.embedded and len(run.findings.quality)
    assert set(decodes) == {mixed_folder / path for path in dataset.paths}
    twice = mixed_folder / "circle" / "vga.jpg"  # a JPEG reduced to 320 x 240 for the backbone, whole for measures
    assert decodes.pop(twice) == 2 and sorted(decodes.values()) == [1] * (len(dataset) - 1)
    decodes.clear()
    assert stored_embeddings(dataset, LITE0) is not None and len(image_properties(dataset)) == len(dataset)
    assert not decodes  # both consumers' rows were stored by the pass


def test_each_consumer_gets_what_its_own_decode_gave_it(mixed_folder, tmp_path, monkeypatch):
    dataset = open_source(str(mixed_folder))
    vectors, measured = np.array(embed_and_measure(dataset, LITE0)[1]), image_properties(dataset)
    separate = tmp_path / "separate-cache"
    shutil.copytree(cache_dir() / "networks", separate / "networks")  # the converted network, not the rows
    monkeypatch.setenv("LABELREVIEW_CACHE_DIR", str(separate))
    assert stored_embeddings(dataset, LITE0) is None
    assert np.array_equal(vectors, dataset_embeddings(dataset, LITE0))
    alone = image_properties(dataset)
    for name in alone.dtype.names:
        assert np.array_equal(measured[name], alone[name]), name
    turned = dataset.paths.index("square/turned.jpg")
    assert (measured["width"][turned], measured["height"][turned]) == (400, 600)


def test_a_cancelled_pass_keeps_the_batches_it_finished_in_both_caches(mixed_folder, decodes):
    dataset = open_source(str(mixed_folder))

    def cancel_after_the_first_batch(fraction: float, message: str) -> None:
        if message.startswith("embedding and measuring images") and fraction < 1:
            raise Cancelled

    with pytest.raises(Cancelled):
        embed_and_measure(dataset, LITE0, callback=cancel_after_the_first_batch)
    decodes.clear()
    embed_and_measure(dataset, LITE0)
    assert sum(decodes.values()) == len(dataset) - BATCH  # the first batch was stored by both consumers


def test_a_pass_fills_only_what_is_missing(mixed_folder, decodes):
    """Measured already (as when a window opens a folder): the Score's pass decodes each image once, to embed."""
    dataset = open_source(str(mixed_folder))
    image_properties(dataset)
    decodes.clear()
    _, vectors = embed_and_measure(dataset, LITE0)
    assert sorted(decodes.values()) == [1] * len(dataset) and vectors.shape == (len(dataset), LITE0.dim)
    decodes.clear()
    embed_and_measure(dataset, LITE0)
    assert not decodes  # both stored: nothing decoded


def test_the_pass_finds_the_unreadable_files_and_scores_the_rest(mixed_folder):
    (mixed_folder / "circle" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    dataset = open_source(str(mixed_folder))
    assert "circle/broken.png" in dataset.paths and not dataset.skipped  # not decoded yet
    run = score_dataset(dataset, ModelSpec("lite0"), folds=3)
    assert [(s.path, s.reason) for s in run.dataset.skipped] == [("circle/broken.png", "not an image or corrupt")]
    assert len(run.dataset) == len(dataset) - 1 == len(run.cv.pred_probs) and run.findings.dataset is run.dataset
