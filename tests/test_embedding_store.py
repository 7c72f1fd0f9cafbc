"""The embedding store: computed once, reused, only changed images again, damaged caches rebuilt, cancel keeps work.

These run the real backbone on real image files.
"""

import json
import os
import shutil

import numpy as np
import pytest
from PIL import Image

from labelreview.core.data.sources import open_source
from labelreview.core.engine import embedding_store
from labelreview.core.engine.backbone import LITE0
from labelreview.core.engine.embedding_store import dataset_embeddings, store_folder
from labelreview.core.engine.models import ModelSpec, choose_model
from labelreview.core.engine.pipeline import score_dataset
from labelreview.core.errors import Cancelled

pytestmark = pytest.mark.slow


@pytest.fixture
def counted(monkeypatch):
    """The real embedder, counting the images it embeds."""
    seen = []
    real = embedding_store.load_embedder

    def load(backbone):
        embed = real(backbone)
        return lambda images: seen.append(len(images)) or embed(images)

    monkeypatch.setattr(embedding_store, "load_embedder", load)
    return seen


def test_embeddings_are_stored_and_only_changed_files_embedded_again(shapes_folder, counted):
    dataset = open_source(str(shapes_folder))
    first = np.array(dataset_embeddings(dataset))
    assert first.shape == (36, 1280) and sum(counted) == 36 and np.abs(first).sum(axis=1).min() > 0
    again = dataset_embeddings(open_source(str(shapes_folder)))
    assert isinstance(again, np.memmap) and again.dtype == np.float16 and sum(counted) == 36
    assert np.array_equal(first, again)
    changed = shapes_folder / "circle" / "0.jpg"
    shutil.copy(shapes_folder / "square" / "0.jpg", changed)
    os.utime(changed, ns=(1, 1))
    dataset = open_source(str(shapes_folder))
    rescored = dataset_embeddings(dataset)
    assert sum(counted) == 37
    moved = dataset.paths.index("circle/0.jpg")
    assert np.allclose(rescored[moved], rescored[dataset.paths.index("square/0.jpg")], atol=1e-3)
    assert np.array_equal(np.delete(rescored, moved, 0), np.delete(first, moved, 0))


def test_a_subset_does_not_evict_the_rest(shapes_folder, counted):
    dataset = open_source(str(shapes_folder))
    dataset_embeddings(dataset.select(np.arange(0, 36, 2)))
    dataset_embeddings(dataset)
    assert sum(counted) == 36


@pytest.mark.parametrize("damage", ["truncate", "shape", "version"])
def test_a_damaged_or_foreign_cache_is_rebuilt_not_used(shapes_folder, counted, damage):
    dataset = open_source(str(shapes_folder))
    first = np.array(dataset_embeddings(dataset))
    folder = store_folder(dataset, LITE0)
    meta = json.loads((folder / "meta.json").read_text())
    rows = folder / meta["rows"]
    if damage == "truncate":
        rows.write_bytes(rows.read_bytes()[:5000])
    elif damage == "shape":
        np.save(rows, np.zeros((36, 640), np.float16))
    else:
        (folder / "meta.json").write_text(json.dumps({**meta, "version": 0}))
    again = dataset_embeddings(dataset)
    assert sum(counted) == 72 and np.allclose(again, first, atol=1e-3)


def test_another_backbone_version_has_its_own_store(shapes_folder):
    from dataclasses import replace

    dataset = open_source(str(shapes_folder))
    assert store_folder(dataset, LITE0) != store_folder(dataset, replace(LITE0, version=LITE0.version + 1))


def test_cancel_during_embedding_keeps_the_batches_done(shapes_folder, counted, monkeypatch):
    monkeypatch.setattr(embedding_store, "BATCH", 8)
    dataset = open_source(str(shapes_folder))
    calls = []

    def cancel_after_two(fraction, message):
        calls.append(message)
        if len(calls) == 2:
            raise Cancelled

    with pytest.raises(Cancelled):
        dataset_embeddings(dataset, callback=cancel_after_two)
    done = sum(counted)
    assert 16 <= done < 36  # two batches reported, the third may have been under way
    dataset_embeddings(dataset)
    assert sum(counted) <= 36 + 8 and len(list(store_folder(dataset, LITE0).glob("rows-*.npy"))) == 1


def test_odd_images_are_embedded(tmp_path, shapes_folder):
    odd = shapes_folder / "square"
    base = Image.open(odd / "0.jpg")
    base.convert("RGBA").save(odd / "rgba.png")
    base.convert("P").save(odd / "palette.png")
    base.convert("CMYK").save(odd / "cmyk.jpg")
    Image.fromarray((np.asarray(base.convert("L"), np.uint16) * 257)).save(odd / "sixteen.png")
    base.resize((3, 2)).save(odd / "tiny.png")
    rotated = base.rotate(90, expand=True)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees on display
    rotated.save(odd / "exif.jpg", exif=exif)
    dataset = open_source(str(shapes_folder))
    vectors = dataset_embeddings(dataset)
    odd_rows = [dataset.paths.index(f"square/{name}") for name in
                ("rgba.png", "palette.png", "cmyk.jpg", "sixteen.png", "tiny.png", "exif.jpg")]
    assert np.isfinite(vectors[odd_rows].astype(np.float32)).all() and np.abs(vectors[odd_rows]).sum(1).min() > 0
    assert not dataset.skipped


def test_auto_picks_the_backbone_for_colour_and_the_cnn_with_it_for_mnist(shapes_folder, mnist_test):
    assert choose_model(open_source(str(shapes_folder)))[0] == "lite0"
    name, reason = choose_model(mnist_test)
    assert name == "cnn+lite0" and "small grayscale" in reason


def test_an_ensemble_averages_its_members_out_of_sample_probabilities_fold_by_fold(mnist_test):
    digits = mnist_test.select(np.arange(300))
    partials = []
    run = score_dataset(digits, ModelSpec("cnn+lite0", epochs=1), folds=3, on_partial=partials.append)
    cnn, lite0 = (score_dataset(digits, ModelSpec(name, epochs=1), folds=3) for name in ("cnn", "lite0"))
    assert run.spec.name == "cnn+lite0" and run.findings is not None
    assert np.allclose(run.cv.pred_probs, (cnn.cv.pred_probs + lite0.cv.pred_probs) / 2, atol=1e-5)
    assert (run.cv.fold_of == cnn.cv.fold_of).all() and (cnn.cv.fold_of == lite0.cv.fold_of).all()
    assert [p.folds_done for p in partials] == [1, 2]  # shown early, during the CNN's folds
    assert np.allclose(partials[-1].pred_probs, run.cv.pred_probs[partials[-1].indices], atol=1e-5)
    assert (run.analysis.predicted == digits.labels).mean() > 0.8


def test_retrain_and_compare_trains_each_member_of_an_ensemble(mnist_test):
    from labelreview.core.review.compare import compare_cleaning, hold_out

    digits = mnist_test.select(np.arange(400))
    noisy = digits.labels.copy()
    noisy[:60] = (noisy[:60] + 1) % 10
    original, cleaned, test = hold_out(digits.with_labels(noisy), digits, digits, share=0.25)
    seen = []
    result = compare_cleaning(original, cleaned, test, ModelSpec("cnn+lite0", epochs=1),
                              callback=lambda fraction, message: seen.append(fraction))
    assert result.after.accuracy > result.before.accuracy and result.after.accuracy > 0.8
    assert seen == sorted(seen) and seen[-1] == 1.0


def test_auto_scores_a_colour_folder_on_embeddings_and_finds_a_wrong_label(shapes_folder):
    (shapes_folder / "circle" / "0.jpg").rename(shapes_folder / "square" / "was_a_circle.jpg")
    dataset = open_source(str(shapes_folder))
    run = score_dataset(dataset, ModelSpec(name="auto"), folds=3)
    assert run.spec.name == "lite0" and run.reason.startswith("auto: colour images")
    assert (run.analysis.predicted == dataset.labels).mean() > 0.9
    wrong = dataset.paths.index("square/was_a_circle.jpg")
    assert run.analysis.is_label_issue[wrong] and run.analysis.rank[wrong] <= 3
    assert dataset.class_names[run.analysis.predicted[wrong]] == "circle"


def test_retrain_and_compare_reads_embeddings_for_a_colour_folder(shapes_folder):
    from labelreview.core.review.compare import compare_cleaning, hold_out

    dataset = open_source(str(shapes_folder))
    noisy = dataset.labels.copy()
    noisy[:4] = (noisy[:4] + 1) % 3
    original, cleaned, test = hold_out(dataset.with_labels(noisy), dataset, dataset, share=0.3)
    result = compare_cleaning(original, cleaned, test, ModelSpec(name="auto"))
    assert result.before.train_examples == result.after.train_examples == len(original)
    assert result.after.accuracy >= 0.9 and result.before.confusion.sum() == len(test)
