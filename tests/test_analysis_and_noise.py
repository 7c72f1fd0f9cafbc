"""cleanlab analysis against cleanlab itself, and synthetic noise."""

import numpy as np
import pytest
from cleanlab.dataset import find_overlapping_classes, overall_label_health_score, rank_classes_by_label_quality
from cleanlab.filter import find_label_issues
from cleanlab.rank import get_label_quality_scores

from labelreview.core.data.noise import inject_noise, parse_pairs
from labelreview.core.errors import DataError
from labelreview.core.findings.analysis import analyze, suggest_labels


@pytest.fixture
def noisy_probs():
    rng = np.random.default_rng(1)
    truth = rng.integers(0, 4, 400)
    pred_probs = rng.dirichlet(np.ones(4) * 0.3, 400).astype(np.float32)
    pred_probs[np.arange(400), truth] += 4
    pred_probs /= pred_probs.sum(1, keepdims=True)
    labels = truth.copy()
    labels[:40] = (labels[:40] + 1) % 4
    return labels, pred_probs


def expected_overlap(labels, pred_probs, names):
    """cleanlab's overlapping pairs with the images given one class and predicted the other, pairs with some,
    most images first."""
    pairs = find_overlapping_classes(labels, pred_probs, class_names=list(names))
    confused = np.zeros((len(names), len(names)), int)
    np.add.at(confused, (labels, pred_probs.argmax(1)), 1)
    a, b = pairs["Class Index A"].to_numpy(), pairs["Class Index B"].to_numpy()
    pairs["Images"] = confused[a, b] + confused[b, a]
    pairs = pairs[pairs["Images"] > 0]
    return pairs.sort_values("Images", ascending=False, kind="stable").reset_index(drop=True)


def test_analysis_equals_cleanlab(noisy_probs):
    labels, pred_probs = noisy_probs
    names = ("a", "b", "c", "d")
    result = analyze(labels, pred_probs, names)
    flagged = find_label_issues(labels, pred_probs)
    assert result.issue_count == flagged.sum()  # a small set: as many as cleanlab flags, most suspicious first
    assert set(np.flatnonzero(result.is_label_issue)) == set(np.argsort(result.rank)[: result.issue_count])
    assert np.allclose(result.label_quality, get_label_quality_scores(labels, pred_probs))
    assert result.health_score == pytest.approx(overall_label_health_score(labels, pred_probs, verbose=False))
    assert result.class_quality.equals(rank_classes_by_label_quality(labels, pred_probs, class_names=list(names)))
    assert result.overlapping.equals(expected_overlap(labels, pred_probs, names))
    expected = np.zeros((4, 4), int)
    np.add.at(expected, (labels, pred_probs.argmax(1)), 1)
    assert np.array_equal(result.confusion, expected)
    assert sorted(result.rank.tolist()) == list(range(1, 401))
    assert np.allclose(result.confidence, pred_probs.max(1))
    assert 25 <= result.issue_count <= 60 and result.is_label_issue[:40].sum() >= 0.9 * result.issue_count


def test_the_rank_weighs_the_noise_cleanlab_estimates():
    """Labels confused within one pair of classes: an image given the other class of its pair is more likely
    mislabeled than one given a class that is never confused with it, at the same label quality."""
    rng = np.random.default_rng(2)
    truth = rng.integers(0, 4, 2000)
    labels = inject_noise(truth, 4, rate=0.2, kind="pairs", seed=2)  # 0 <-> 1, 2 <-> 3
    pred_probs = np.full((2000, 4), 0.05, np.float32)
    pred_probs[np.arange(2000), truth] = 0.85
    pred_probs[:2] = [[0.05, 0.05, 0.05, 0.85], [0.85, 0.05, 0.05, 0.05]]  # both look like 3 / 0 ...
    labels[:2] = [2, 1]  # ... given its pair partner (2, a likely error) and a class of the other pair (1)
    result = analyze(labels, pred_probs, tuple("abcd"))
    assert result.label_quality[0] == pytest.approx(result.label_quality[1])
    assert result.rank[0] < result.rank[1]


def test_a_label_is_suggested_only_where_the_model_prefers_another_class():
    assert suggest_labels(np.array([0, 1, 2]), np.array([0, 2, 1])).tolist() == [-1, 2, 1]


def test_uniform_noise_flips_exactly_the_rate():
    labels = np.repeat(np.arange(10), 100)
    noisy = inject_noise(labels, 10, rate=0.1, seed=4)
    assert (noisy != labels).sum() == 100
    assert np.array_equal(noisy, inject_noise(labels, 10, rate=0.1, seed=4))
    assert len(np.unique(noisy[noisy != labels])) == 10  # spread over all classes


def test_pair_noise_flips_only_within_pairs():
    labels = np.repeat(np.arange(10), 100)
    noisy = inject_noise(labels, 10, rate=0.2, kind="pairs", pairs=parse_pairs("7:1,4:9", tuple("0123456789")))
    flipped = np.flatnonzero(noisy != labels)
    assert len(flipped) == 80
    assert set(zip(labels[flipped], noisy[flipped])) <= {(7, 1), (1, 7), (4, 9), (9, 4)}


def test_bad_noise_options():
    with pytest.raises(DataError, match="between 0 and 1"):
        inject_noise(np.zeros(3, int), 2, rate=1.5)
    with pytest.raises(DataError, match="not two different classes"):
        parse_pairs("7:7", tuple("0123456789"))
