"""Cross-validation: out-of-sample probabilities, folds reported early, cancellation, clear errors."""

import numpy as np
import pytest

from labelreview.core.data.dataset import array_dataset
from labelreview.core.engine.cross_validation import check_foldable, cross_validate
from labelreview.core.engine.models import ModelSpec
from labelreview.core.engine.pipeline import score_dataset
from labelreview.core.errors import Cancelled, DataError


def blobs(n_per_class=40, classes=3, seed=0):
    """Images whose mean brightness encodes the class: learnable by logistic regression."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(classes), n_per_class)
    images = (labels[:, None, None, None] * 80 + rng.integers(0, 60, (len(labels), 6, 6, 1))).astype(np.uint8)
    return array_dataset("blobs", images, labels, [f"c{k}" for k in range(classes)])


def test_every_example_is_predicted_out_of_sample_once():
    dataset = blobs()
    folds_seen = []
    cv = cross_validate(dataset, ModelSpec("logreg"), folds=4, on_fold=folds_seen.append)
    assert cv.pred_probs.shape == (120, 3) and cv.pred_probs.dtype == np.float32
    assert np.allclose(cv.pred_probs.sum(axis=1), 1, atol=1e-5)
    assert sorted(np.concatenate([f.indices for f in folds_seen]).tolist()) == list(range(120))
    assert [f.fold for f in folds_seen] == [0, 1, 2, 3]
    for fold in folds_seen:  # stratified: every class held out in every fold
        assert np.all(np.bincount(dataset.labels[fold.indices], minlength=3) == 10)
        assert np.array_equal(cv.fold_of[fold.indices], np.full(len(fold.indices), fold.fold))
    assert (cv.pred_probs.argmax(1) == dataset.labels).mean() > 0.95


def test_progress_is_monotonic_and_reaches_one():
    seen = []
    score_dataset(blobs(), ModelSpec("logreg"), folds=3, callback=lambda f, m: seen.append((f, m)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any(m.startswith("fold 3/3") for _, m in seen)


def test_partial_results_arrive_after_each_fold_but_the_last():
    partials = []
    run = score_dataset(blobs(), ModelSpec("logreg"), folds=3, on_partial=partials.append)
    assert [p.folds_done for p in partials] == [1, 2]
    assert [len(p.indices) for p in partials] == [40, 80]
    assert len(partials[1].analysis.rank) == 80 and len(run.analysis.rank) == 120


def test_cancel_from_the_callback_stops_the_run():
    calls = []

    def cancel_in_second_fold(fraction, message):
        calls.append(message)
        if message.startswith("fold 2/"):
            raise Cancelled

    with pytest.raises(Cancelled):
        cross_validate(blobs(), ModelSpec("logreg"), folds=3, callback=cancel_in_second_fold)
    assert not any(m.startswith("fold 3/") for m in calls)


def test_cnn_is_seeded_and_reproducible_and_cancellable_mid_epoch():
    dataset = blobs(n_per_class=30, classes=2)
    spec = ModelSpec("cnn", epochs=1, seed=3)
    first = cross_validate(dataset, spec, folds=2).pred_probs
    assert np.allclose(first, cross_validate(dataset, spec, folds=2).pred_probs, atol=1e-6)
    batches = []

    def cancel_after_first_batch(fraction, message):
        if "epoch" in message:
            batches.append(message)
            raise Cancelled

    with pytest.raises(Cancelled):
        cross_validate(dataset, spec, folds=2, callback=cancel_after_first_batch)
    assert len(batches) == 1


@pytest.mark.parametrize("counts, folds, message", [
    ([10], 5, r"only one class \(c0\)"),
    ([10, 3], 5, r"'c1' has 3 \(use --folds 3 or fewer\)"),
    ([10, 1], 5, r"'c1' has 1 \(add images or remove that class\)"),
    ([10, 10], 1, "folds must be at least 2"),
])
def test_unfoldable_label_sets_are_clear_errors(counts, folds, message):
    """Classes with too few images for the folds are named; a class with none is fine."""
    check_foldable(np.repeat([0, 1], 10), ("c0", "c1", "empty"), 5)
    labels = np.repeat(np.arange(len(counts)), counts)
    with pytest.raises(DataError, match=message):
        check_foldable(labels, tuple(f"c{k}" for k in range(len(counts))), folds)


def test_cnn_adapts_to_colour_and_size():
    from labelreview.core.engine.models import make_classifier
    from labelreview.core.engine.tensorflow_runtime import compute_policy

    model = make_classifier(ModelSpec("cnn", epochs=1), 4, (64, 64, 3))
    images = np.zeros((8, 64, 64, 3), np.uint8)
    model.fit(images, np.arange(8) % 4)
    assert model.predict_proba(images).shape == (8, 4)
    assert model.model.input_shape == (None, 64, 64, 3)
    assert sum("conv2d" in layer.name for layer in model.model.layers) == 3
    assert model.model.layers[1].dtype_policy.name == compute_policy()  # bfloat16 only where the CPU has it
    assert model.model.layers[-1].dtype_policy.name == "float32"  # probabilities stay in float32


def test_cnn_fitted_again_starts_from_scratch():
    """A second fit reuses the compiled network but resets weights and optimizer: as if it were new."""
    from labelreview.core.engine.models import make_classifier

    dataset = blobs(n_per_class=40, classes=3)
    images, labels = dataset.images(), dataset.labels
    spec = ModelSpec("cnn", epochs=2)
    reused = make_classifier(spec, 3, dataset.image_shape)
    reused.fit(images, (labels + 1) % 3, seed=5)
    network = reused.model
    reused.fit(images, labels, seed=7)
    fresh = make_classifier(spec, 3, dataset.image_shape)
    fresh.fit(images, labels, seed=7)
    assert reused.model is network
    assert np.allclose(reused.predict_proba(images), fresh.predict_proba(images), atol=1e-5)


def test_thorough_cnn_has_two_convolutions_per_block_and_shifts_its_training_images():
    from labelreview.core.engine.models import make_classifier

    assert (ModelSpec("cnn").epochs, ModelSpec("cnn-thorough").epochs, ModelSpec("logreg").epochs) == (4, 8, 0)
    assert ModelSpec("cnn-thorough", epochs=2).epochs == 2
    model = make_classifier(ModelSpec("cnn-thorough", epochs=1), 3, (28, 28, 1))
    images = np.random.default_rng(0).integers(0, 255, (12, 28, 28, 1), dtype=np.uint8)
    model.fit(images, np.arange(12) % 3)
    kinds = [type(layer).__name__ for layer in model.model.layers]
    assert kinds[:7] == ["Rescaling", "RandomTranslation", "Conv2D", "Conv2D", "MaxPooling2D", "Conv2D", "Conv2D"]
    probs = model.predict_proba(images)
    assert probs.shape == (12, 3) and np.allclose(probs.sum(1), 1, atol=1e-4)


def test_cnn_training_leaves_no_tensorflow_object_for_the_garbage_collector():
    """What the collector frees is freed on whichever thread triggers it: a tf.data iterator blocks that thread
    until its own threads stop, and when the window's thread collected one left by a run on a worker, the
    window froze for seconds, once for good. Training and prediction must leave no tensors, graphs or datasets to it."""
    import gc

    from labelreview.core.engine.models import make_classifier

    dataset = blobs(n_per_class=40, classes=3)
    model = make_classifier(ModelSpec("cnn", epochs=2), 3, dataset.image_shape)
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)  # the collector keeps what it finds in gc.garbage
    try:
        model.fit(dataset.images(), dataset.labels)
        model.predict_proba(dataset.images())
        gc.collect()
    finally:
        gc.set_debug(0)
    left = {type(thing).__name__ for thing in gc.garbage if type(thing).__module__.startswith("tensorflow")}
    gc.garbage.clear()
    assert {name for name in left if name.endswith(("Tensor", "Graph", "Iterator", "Dataset"))} == set()


def test_neighbour_votes_leave_each_image_out_and_weigh_by_similarity():
    from labelreview.core.engine.neighbour_head import neighbour_votes
    from labelreview.core.findings.neighbours import nearest_neighbours

    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 30)
    vectors = np.where(labels[:, None] == 0, [1.0, 0.0], [0.0, 1.0]) + 0.05 * rng.normal(size=(60, 2))
    labels[0] = 1  # one wrong label among its class's neighbours
    votes = neighbour_votes(nearest_neighbours(vectors, 5), labels, 2)
    assert votes.shape == (60, 2) and votes.dtype == np.float32 and np.allclose(votes.sum(1), 1)
    assert votes[0, 0] > 0.9  # its own (wrong) label is not among the votes
    assert (votes[1:30, 0] > 0.7).all() and (votes[30:, 1] > 0.9).all() and votes.min() > 0
