"""The map's layouts on real embeddings: PCA, t-SNE in a worker process (cached, cancellable)."""

import multiprocessing

import numpy as np
import pytest

from labelreview.core.data.sources import open_source
from labelreview.core.engine.embedding_store import dataset_embeddings
from labelreview.core.errors import Cancelled
from labelreview.core.findings.embedding_map import layout_path, cached_layout, map_layout, pca_layout
from labelreview.core.findings.similarity import SimilarityIndex
from labelreview.core.process_task import run_in_process


@pytest.fixture(scope="module")
def digit_vectors(tmp_path_factory, mnist_test):
    from tests.conftest import write_png_folder

    root = write_png_folder(tmp_path_factory.mktemp("map") / "digits", mnist_test.images(), mnist_test.labels,
                            per_class=30)
    dataset = open_source(str(root))
    return dataset_embeddings(dataset), dataset.labels


def neighbours_agree(layout, labels):
    """Share of images whose nearest neighbour on the map carries the same label."""
    distances = ((layout[:, None, :] - layout[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(distances, np.inf)
    return np.mean(labels[distances.argmin(1)] == labels)


def test_tsne_layout_keeps_classes_together_and_is_cached(digit_vectors, tmp_path):
    vectors, labels = digit_vectors
    first = pca_layout(vectors)
    assert first.shape == (300, 2) and np.isfinite(first).all()
    layout = map_layout(vectors, tmp_path)
    assert layout.shape == (300, 2) and layout.dtype == np.float32
    assert neighbours_agree(layout, labels) > neighbours_agree(first, labels)
    assert neighbours_agree(layout, labels) > 0.6  # digits through an ImageNet backbone: most neighbours agree
    assert np.array_equal(cached_layout(vectors, tmp_path), layout)
    changed = np.array(vectors)
    changed[0] += 1
    assert cached_layout(changed, tmp_path) is None  # another store never reads this layout
    layout_path(vectors, tmp_path).write_bytes(b"not a layout")
    assert cached_layout(vectors, tmp_path) is None  # damaged: made again, not trusted


def test_a_cancelled_layout_kills_its_process_and_saves_nothing(digit_vectors, tmp_path):
    vectors, _ = digit_vectors

    def cancel(fraction, message):
        if "arranging" in message:
            raise Cancelled

    with pytest.raises(Cancelled):
        map_layout(vectors, tmp_path, callback=cancel)
    assert not list(tmp_path.glob("map*")) and not multiprocessing.active_children()


def test_a_worker_process_failure_reaches_the_caller():
    with pytest.raises(ZeroDivisionError):
        run_in_process(divmod, 1, 0, callback=lambda *_: None, message="dividing")
    assert run_in_process(divmod, 7, 2, callback=lambda *_: None, message="dividing") == (3, 1)


def test_a_planted_cluster_surfaces_through_more_like_this_and_the_map(digit_vectors, tmp_path):
    """All 30 zeros given the label 6 by one rule: from one of them, most of the 30 nearest are planted, and the
    map keeps them together: a circle holding 80% of them holds few others."""
    vectors, labels = digit_vectors
    planted = np.flatnonzero(labels == 0)
    index = SimilarityIndex.build(vectors)
    found = [np.isin(index.nearest(vectors[i], len(planted))[0], planted).sum() for i in planted]
    assert np.median(found) >= 0.6 * len(planted)
    layout = map_layout(vectors, tmp_path)
    centre = np.median(layout[planted], axis=0)
    radius = np.percentile(np.linalg.norm(layout[planted] - centre, axis=1), 80)
    inside = np.flatnonzero(np.linalg.norm(layout - centre, axis=1) <= radius)
    assert np.isin(inside, planted).mean() >= 0.6  # measured: 22 of 30 nearest; the circle holds only zeros
