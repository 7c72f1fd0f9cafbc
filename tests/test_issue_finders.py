"""The model-free finders on real images: duplicates and label conflicts, outliers, image quality, issues.csv."""

import sys

import numpy as np
import pytest
from PIL import Image, ImageFilter

from labelreview.core.data.sources import open_source
from labelreview.core.errors import DataError
from labelreview.core.findings.duplicates import find_duplicates
from labelreview.core.findings.issue_finders import find_issues
from labelreview.core.findings.issue_table import (
    COLUMNS,
    ISSUE_KINDS,
    IssueTable,
    issue_counts,
    issues_frame,
    read_issues,
    record_searched,
    write_issues,
)
from labelreview.core.findings.leakage import find_leaks
from labelreview.core.findings.neighbours import nearest_neighbours, unit_rows
from labelreview.core.findings.similarity import SimilarityIndex, query_position
from tests.conftest import write_png_folder

PHOTOS = ("astronaut", "coffee", "chelsea", "rocket")


@pytest.fixture(scope="module")
def planted(tmp_path_factory, mnist_test):
    """120 MNIST digits as PNG files, with planted problems beside them."""
    root = write_png_folder(tmp_path_factory.mktemp("planted") / "digits", mnist_test.images(), mnist_test.labels,
                            per_class=12)
    (root / "1" / "copy-of-0-0.png").write_bytes((root / "0" / "0.png").read_bytes())
    original = Image.open(root / "2" / "0.png")
    original.resize((22, 22)).save(root / "2" / "near-copy.jpg", quality=70)  # x0.8, JPEG 70
    Image.eval(Image.open(root / "3" / "1.png"), lambda v: v // 4).save(root / "3" / "dark.png")
    Image.open(root / "4" / "1.png").filter(ImageFilter.GaussianBlur(1.2)).save(root / "4" / "blurred.png")
    flat = 120 + np.random.default_rng(0).integers(-2, 3, (28, 28))
    Image.fromarray(flat.astype(np.uint8)).save(root / "5" / "flat.png")
    from skimage import data

    for name in PHOTOS:
        Image.fromarray(getattr(data, name)()).convert("L").resize((28, 28)).save(root / "6" / f"photo-{name}.png")
    (root / "7" / "broken.png").write_bytes(b"not an image")
    findings = find_issues(open_source(str(root)), embed=True)
    return findings.dataset, findings  # the images that could be read (the search found 7/broken.png not)


def where(dataset, path: str) -> int:
    return dataset.paths.index(path)


def test_an_exact_copy_under_another_label_is_a_label_conflict(planted):
    dataset, findings = planted
    sets = findings.duplicates
    a, b = where(dataset, "0/0.png"), where(dataset, "1/copy-of-0-0.png")
    assert sets.group[a] >= 0 and sets.group[a] == sets.group[b] and sets.exact[a] and sets.exact[b]
    assert sets.conflicting(dataset.labels)[[a, b]].all()
    relabeled = dataset.labels.copy()
    relabeled[b] = relabeled[a]
    assert not sets.conflicting(relabeled)[[a, b]].any()  # one label for the set ends the conflict


def test_a_near_copy_joins_its_original(planted):
    dataset, findings = planted
    sets = findings.duplicates
    a, b = where(dataset, "2/0.png"), where(dataset, "2/near-copy.jpg")
    assert sets.group[b] >= 0 and sets.group[a] == sets.group[b] and not sets.exact[b]
    assert sets.nearest[b] == a and sets.similarity[b] >= 0.9


def test_planted_quality_problems_are_found_and_said_in_numbers(planted):
    dataset, findings = planted
    quality = findings.quality
    for path, kind in (("3/dark.png", "dark"), ("4/blurred.png", "blurry"), ("5/flat.png", "low_information")):
        row = quality[(quality["position"] == where(dataset, path)) & (quality["issue"] == kind)]
        assert len(row) == 1, f"{path} not found {kind}"
        assert "% of the set" in row["detail"].iat[0]
    assert len(quality) <= 0.1 * len(dataset)  # the digits themselves are not flagged wholesale
    assert "grayscale" not in set(quality["issue"])  # a grayscale set has no grayscale issue


def test_foreign_photos_are_the_outliers(planted):
    dataset, findings = planted
    photos = [where(dataset, f"6/photo-{name}.png") for name in PHOTOS]
    assert findings.outliers.is_outlier[photos].all()
    assert set(photos) <= set(np.argsort(findings.outliers.score)[:8])


def test_issues_csv_rows_round_trip_and_a_damaged_file_is_not_trusted(planted, tmp_path):
    dataset, findings = planted
    frame = issues_frame(dataset, findings)
    assert list(frame.columns) == COLUMNS and set(frame["issue"]) <= set(ISSUE_KINDS)
    unreadable = frame[frame["issue"] == "unreadable"]
    assert list(unreadable["path"]) == ["7/broken.png"] and unreadable["index"].isna().all()
    assert "not an image" in unreadable["detail"].iat[0]
    counts = issue_counts(frame)
    assert counts["label_conflict"] >= 2 and counts["dark"] >= 1 and counts["unreadable"] == 1
    write_issues(frame, tmp_path)
    record_searched(tmp_path, dataset)
    back = read_issues(tmp_path, dataset)
    assert back is not None and len(back) == len(frame) and issue_counts(back) == counts
    assert read_issues(tmp_path, dataset.select(slice(1, None))) is None  # written for other images
    table = IssueTable.from_frame(back, dataset)
    copy = where(dataset, "1/copy-of-0-0.png")
    assert copy in table.positions("label_conflict", dataset.labels)
    assert list(table.set_of(copy)) == [copy, where(dataset, "0/0.png")]
    names = dataset.class_names
    assert "label conflict: exact copy of 0/0.png, labelled 0" in table.reasons(copy, dataset.labels, names)
    relabelled = dataset.labels.copy()
    relabelled[where(dataset, "0/0.png")] = relabelled[copy]  # the curator gives the set one label
    assert "duplicate: exact copy of 0/0.png, labelled 1" in table.reasons(copy, relabelled, names)
    for labels in (dataset.labels, relabelled):  # the counts above the grid: as many as each filter shows
        assert table.counts(labels) == {kind: len(table.positions(kind, labels)) for kind in table.counts(labels)}
    moved = back.copy()
    moved.loc[moved["path"] == "0/0.png", "path"] = "0/renamed.png"
    assert IssueTable.from_frame(moved, dataset) is None  # the folder changed since: found again
    (tmp_path / "issues.csv").write_text("index,path\n1,2,3,4\n")
    assert read_issues(tmp_path) is None
    (tmp_path / "issues.csv").write_text(",".join(COLUMNS) + "\n0,a.png,haunted,0.1,-1,boo\n")
    assert read_issues(tmp_path) is None


def test_too_few_images_get_a_clear_error(tmp_path, mnist_test):
    root = write_png_folder(tmp_path / "one", mnist_test.images()[:1], mnist_test.labels[:1], per_class=1)
    with pytest.raises(DataError, match="needs at least two"):
        find_issues(open_source(str(root)), embed=False)


def test_a_set_of_nothing_but_copies_is_one_conflict_set(tmp_path, mnist_test):
    root = write_png_folder(tmp_path / "copies", mnist_test.images()[:1], mnist_test.labels[:1], per_class=1)
    source = next(root.rglob("*.png"))
    for n, label in enumerate(("a", "b", "b")):
        (root / label).mkdir(exist_ok=True)
        (root / label / f"{n}.png").write_bytes(source.read_bytes())
    dataset = open_source(str(root))
    findings = find_issues(dataset, embed=False)
    assert findings.duplicates.count == 1 and findings.duplicates.conflicting(dataset.labels).all()
    assert not findings.embedded and findings.outliers is None


def test_nearest_neighbours_agree_with_brute_force():
    rng = np.random.default_rng(1)  # like embeddings: most variance along a few directions; enough rows for PCA
    vectors = rng.normal(size=(6000, 20)) @ rng.normal(size=(20, 300)) + 0.3 * rng.normal(size=(6000, 300))
    vectors = vectors.astype(np.float32)
    vectors[10] = vectors[20] * 2  # same direction: cosine 1
    found = nearest_neighbours(vectors, 5)
    unit = unit_rows(vectors)
    similarity = unit[:300] @ unit.T
    similarity[np.arange(300), np.arange(300)] = -np.inf
    best = np.sort(similarity, axis=1)[:, ::-1][:, :5]
    assert np.mean(np.abs(found.similarity[:300] - best) < 1e-4) > 0.98  # candidates from a projection
    assert found.indices[10, 0] == 20 and found.knn_graph().shape == (6000, 6000)
    few = nearest_neighbours(vectors[:400], 5)  # searched exactly
    exact = unit[:400] @ unit[:400].T
    np.fill_diagonal(exact, -np.inf)
    np.testing.assert_allclose(few.similarity, np.sort(exact, axis=1)[:, ::-1][:, :5], atol=1e-4)
    sets = find_duplicates(np.arange(6000).astype("V8"), found)  # cosine 1 where the median is far lower
    assert sets.count == 1 and list(sets.members(0)) == [10, 20]


def test_a_chain_of_look_alikes_is_not_one_duplicate_set():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(600, 64))
    a, b = unit_rows(rng.normal(size=(2, 64)))
    b = unit_rows((b - (a @ b) * a)[None])[0]  # a great circle through a and b
    vectors[:5] = [np.cos(0.32 * step) * a + np.sin(0.32 * step) * b for step in range(5)]  # each next to the last
    vectors[5:8] = unit_rows(vectors[5] + 0.01 * rng.normal(size=(3, 64)))  # three copies of one picture
    sets = find_duplicates(np.arange(600).astype("V8"), nearest_neighbours(vectors, 5))
    chained = sets.group[:5]
    assert (chained >= 0).sum() >= 4 and max(np.bincount(chained[chained >= 0])) == 2  # pairs, never a chain
    copies = sets.group[5:8]
    assert copies[0] >= 0 and (copies == copies[0]).all() and len(sets.members(copies[0])) == 3
    for i in np.flatnonzero(sets.group >= 0):
        assert sets.group[sets.nearest[i]] == sets.group[i] and sets.nearest[i] != i


def test_test_images_seen_in_training_are_counted_as_leaks(tmp_path, mnist_test):
    train_root = write_png_folder(tmp_path / "train", mnist_test.images(), mnist_test.labels, per_class=10)
    test_root = tmp_path / "test" / "3"
    test_root.mkdir(parents=True)
    (test_root / "copy.png").write_bytes((train_root / "3" / "2.png").read_bytes())
    Image.open(train_root / "3" / "4.png").resize((22, 22)).save(test_root / "resized.jpg", quality=70)
    fresh = np.flatnonzero(mnist_test.labels == 3)[50]
    Image.fromarray(mnist_test.images()[fresh, ..., 0]).save(test_root / "fresh.png")
    leaks = find_leaks(open_source(str(train_root)), open_source(str(tmp_path / "test")))
    assert list(leaks["test"]) == ["3/copy.png", "3/resized.jpg"]
    assert list(leaks["train"]) == ["3/2.png", "3/4.png"] and list(leaks["exact"]) == [True, False]


def test_more_like_this_is_exact_and_finds_rows_and_paths(mnist_test, planted):
    rng = np.random.default_rng(2)
    vectors = rng.normal(size=(500, 64)).astype(np.float32)
    positions, distances = SimilarityIndex.build(vectors).nearest(vectors[7], 4, exclude=7)
    unit = unit_rows(vectors)
    cosine = unit @ unit[7]
    cosine[7] = -np.inf
    assert list(positions) == list(np.argsort(-cosine)[:4])
    assert np.allclose(distances, 1 - np.sort(cosine)[::-1][:4], atol=1e-3)  # float16 codes
    arrays = mnist_test.select(slice(0, 50))
    assert query_position(arrays, "row 12") == 12 and query_position(arrays, "row 99") is None
    dataset, _ = planted
    assert query_position(dataset, "2/0.png") == where(dataset, "2/0.png")
    assert query_position(dataset, str(dataset.root / "2" / "0.png")) == where(dataset, "2/0.png")
    assert query_position(dataset, "/elsewhere/x.png") is None


def test_more_like_this_beyond_the_exact_limit_uses_a_saved_index(tmp_path):
    """Clustered vectors as embeddings are; the inverted-file index finds (nearly) the exact neighbours."""
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(100, 64))
    vectors = (centres[rng.integers(0, 100, 20_000)] + 0.3 * rng.normal(size=(20_000, 64))).astype(np.float16)
    index = SimilarityIndex.build(vectors, tmp_path, exact_up_to=10_000)
    assert len(list(tmp_path.glob("similarity-*.faiss"))) == 1
    unit = unit_rows(vectors)
    found = 0
    for query in range(0, 20_000, 1_000):
        exact = np.argsort(-(unit @ unit[query]))[:10]
        positions, _ = index.nearest(vectors[query], 10)
        found += len(set(exact) & set(positions))
    assert found / 200 >= 0.95
    again = SimilarityIndex.build(vectors, tmp_path, exact_up_to=10_000)  # read back, not built
    assert again.index.ntotal == 20_000 and list(again.nearest(vectors[5], 10)[0]) == list(index.nearest(vectors[5], 10)[0])


def test_light_odd_shaped_odd_sized_and_grayscale_images_in_a_colour_set(shapes_folder):
    planted = {"light": ("circle/washed-out.png", "light"), "wide": ("square/wide.png", "odd_aspect_ratio"),
               "huge": ("triangle/huge.png", "odd_size"), "gray": ("circle/gray.png", "grayscale")}
    Image.eval(Image.open(shapes_folder / "circle" / "0.jpg"), lambda v: 255 - (255 - v) // 40).save(
        shapes_folder / planted["light"][0])
    Image.open(shapes_folder / "square" / "0.jpg").resize((480, 40)).save(shapes_folder / planted["wide"][0])
    Image.open(shapes_folder / "triangle" / "0.jpg").resize((1500, 1500), Image.Resampling.NEAREST).save(
        shapes_folder / planted["huge"][0])  # edges as sharp as the others': odd in size only
    Image.open(shapes_folder / "circle" / "1.jpg").convert("L").save(shapes_folder / planted["gray"][0])
    dataset = open_source(str(shapes_folder))
    quality = find_issues(dataset, embed=False).quality
    for path, kind in planted.values():
        row = quality[(quality["position"] == where(dataset, path)) & (quality["issue"] == kind)]
        assert len(row) == 1, f"{path} not found {kind}: {quality.to_string()}"
    said = dict(zip(quality["issue"], quality["detail"]))
    assert said["odd_aspect_ratio"] == "480 x 40 px, aspect ratio 12.0 : 1"
    assert said["odd_size"] == "1500 x 1500 px where most are about 96 x 96"
    assert said["grayscale"] == "grayscale in a set of colour images" and "lighter than" in said["light"]
    assert set(quality["position"]) <= {where(dataset, path) for path, _ in planted.values()}  # nothing else


def test_outliers_are_scored_as_datalab_scores_them_without_datalab():
    """exp(-distance / median distance); flagged beyond Q3 + (1 / 0.37037 - 1) IQR, as cleanlab's Datalab."""
    from labelreview.core.findings.outliers import _scored

    distance = np.array([1.0, 1.1, 0.9, 1.0, 1.05, 0.95, 1.0, 4.0])
    score, flagged = _scored(distance)
    assert np.allclose(score, np.exp(-distance / np.median(distance)))
    q1, q3 = np.percentile(distance, [25, 75])
    assert flagged.tolist() == (distance > q3 + (1 / 0.37037 - 1) * (q3 - q1)).tolist() == [False] * 7 + [True]
    assert "datasets" not in sys.modules and "pyarrow" not in sys.modules  # what Datalab would bring


def test_brightness_percentiles_are_cleanvisions():
    from cleanvision.issue_managers.image_property import calc_percentile_brightness

    from labelreview.core.findings.image_properties import PERCENTILES, brightness_percentiles

    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (37, 53, 3), dtype=np.uint8), rng.integers(0, 256, (64, 64), dtype=np.uint8),
              np.full((5, 7, 3), 200, np.uint8), np.zeros((1, 1), np.uint8),
              np.repeat(rng.integers(0, 3, (40, 40, 1), dtype=np.uint8) * 120, 3, axis=2)]  # many ties
    for pixels in images:
        expected = calc_percentile_brightness(Image.fromarray(pixels), list(PERCENTILES))
        np.testing.assert_allclose(brightness_percentiles(pixels), expected, rtol=0, atol=1e-12)
