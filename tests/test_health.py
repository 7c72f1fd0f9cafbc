"""The numbers behind every health chart equal cleanlab and numpy on the same pred_probs; the report."""

import re
from dataclasses import replace

import numpy as np
import pytest
from cleanlab.dataset import overall_label_health_score, rank_classes_by_label_quality
from cleanlab.filter import find_label_issues

from labelreview.core.engine.models import ModelSpec
from labelreview.core.engine.pipeline import score_dataset
from labelreview.core.report.charts import (Theme, class_quality_figure, confusion_figure, distribution_figure,
                                           rounds_figure)
from labelreview.core.report.html_report import TOP_SUSPECTS, write_report
from labelreview.core.review.rounds import Round
from labelreview.core.review.session import ReviewSession
from tests.test_analysis_and_noise import expected_overlap


@pytest.fixture
def scored(digit_folder):
    session = ReviewSession.open(str(digit_folder))
    session.scores = session.save_run(score_dataset(session.training_dataset(), ModelSpec("logreg"), folds=3))
    return session


def test_health_numbers_equal_cleanlab_and_numpy(scored):
    health = scored.health()
    labels, pred_probs = scored.labels(), scored.scores.pred_probs
    names = list(scored.dataset.class_names)
    assert health.analysis.health_score == pytest.approx(overall_label_health_score(labels, pred_probs, verbose=False))
    assert health.analysis.class_quality.equals(rank_classes_by_label_quality(labels, pred_probs, class_names=names))
    assert health.analysis.overlapping.equals(expected_overlap(labels, pred_probs, names))
    assert health.analysis.issue_count == find_label_issues(labels, pred_probs).sum()
    expected = np.zeros((10, 10), int)
    np.add.at(expected, (labels, pred_probs.argmax(1)), 1)
    assert np.array_equal(health.analysis.confusion, expected)
    assert np.array_equal(health.given_counts, np.bincount(labels, minlength=10))
    assert np.array_equal(health.predicted_counts, np.bincount(pred_probs.argmax(1), minlength=10))
    assert health.estimated_errors == health.analysis.estimated_errors >= 0


def test_relabels_move_counts_and_removed_images_drop_out(scored):
    before = scored.health()
    scored.decide([0, 1], "relabel", 9)  # two 0s become 9s
    scored.decide([2], "remove")  # a third 0 leaves
    after = scored.health()
    assert after.given_counts[0] == before.given_counts[0] - 3
    assert after.given_counts[9] == before.given_counts[9] + 2
    assert len(after.positions) == 299 and 2 not in after.positions
    assert after.analysis.confusion.sum() == 299


def test_charts_draw_on_light_and_dark(scored):
    health = scored.health()
    for dark in (False, True):
        theme = Theme.for_dark(dark)
        figure, classes = confusion_figure(health, theme)
        assert len(classes) == 10 and figure.get_facecolor()[0] == (0.11764705882352941 if dark else 1.0)
        texts = [t.get_text() for t in figure.axes[0].texts]
        assert str(health.analysis.confusion[0, 0]) in texts  # counts written in the cells
        assert len(class_quality_figure(health, theme).axes[0].patches) == 20  # 2 bars x 10 classes
        assert len(distribution_figure(health, theme).axes[0].patches) == 20


def test_html_report_is_one_offline_file(scored, tmp_path):
    path = tmp_path / "report.html"
    write_report(scored, scored.health(), path)
    text = path.read_text()
    assert text.startswith("<!DOCTYPE html>") and "Health score" in text
    assert len(re.findall(r'src="data:image/png;base64,', text)) == 3 + min(60, scored.scores.suspects)
    assert not re.search(r'(src|href)="(http|//)', text)  # nothing to fetch: opens offline
    assert "Unreadable files (0)" in text


def test_html_report_lists_decisions_with_humane_names_and_counts_that_agree(scored, tmp_path):
    relabeled, removed = np.flatnonzero(scored.scores.is_label_issue)[:2]
    scored.decide([relabeled], "relabel", (scored.labels()[relabeled] + 1) % 10)
    scored.decide([removed], "remove")
    path = tmp_path / "report.html"
    write_report(scored, scored.health(), path)
    text = path.read_text()
    assert "0 kept &middot; 1 relabeled &middot; 1 removed" in text
    assert scored.dataset.path(int(relabeled)) in text and scored.dataset.path(int(removed)) in text
    assert "Num Overlapping Examples" not in text and "Label Quality Score" not in text and "Label quality" in text
    assert "click a cell" not in text
    shown = len(re.findall(r'class="tile"', text))  # one source: the suspects the window counts and shows
    assert shown == min(TOP_SUSPECTS, scored.scores.suspects) and shown == len(re.findall(r"<img src=", text))
    top = "Top " * (shown < scored.scores.suspects)
    assert f"<h2>{top}{shown:,} of {scored.scores.suspects:,} suspects</h2>" in text
    assert f"{scored.review_counts().suspects:,} suspects \u00b7" in text  # 300 images: too few to check
    first = scored.dataset.path(int(scored.suspect_positions()[0]))
    assert text.index(first) > text.index("suspects</h2>")  # the most suspicious tile comes first


def test_a_suspects_tile_says_the_label_it_was_given_and_the_decision(scored, tmp_path):
    """Issue 23, item 20: "symbols -> symbols" for a relabeled suspect; a dangling "93% ·" before a wrapped path."""
    names, position = scored.dataset.class_names, int(scored.suspect_positions()[0])
    given, predicted = scored.labels()[position], scored.scores.predicted[position]
    scored.decide([position], "relabel", predicted)
    path = tmp_path / "report.html"
    write_report(scored, scored.health(), path)
    text = path.read_text()
    tile = text[text.index(f'<div class="where">{scored.dataset.path(position)}</div>') - 300:]
    caption = f"{names[given]} &rarr; {names[predicted]} {scored.scores.confidence[position]:.0%}<br>relabeled to " \
              f"{names[predicted]}<div class=\"where\">"
    assert caption in tile and "&middot;" not in tile[:tile.index("</div></div>")]
    assert "overflow-wrap:anywhere" in text  # long file names and table cells wrap: no sideways scrolling


def test_html_report_counts_other_issues_with_examples_and_why(digit_folder, tmp_path):
    from PIL import Image

    (digit_folder / "1" / "copy.png").write_bytes((digit_folder / "0" / "3.png").read_bytes())
    Image.eval(Image.open(digit_folder / "2" / "1.png"), lambda v: v // 4).save(digit_folder / "2" / "dark.png")
    session = ReviewSession.open(str(digit_folder))
    session.save_run(score_dataset(session.training_dataset(), ModelSpec("logreg"), folds=3))
    session = ReviewSession.open(str(digit_folder))  # the issues come back from the files
    path = tmp_path / "report.html"
    write_report(session, session.health(), path)
    text = path.read_text()
    other = text[text.index("<h2>Other issues</h2>"):text.index("<h2>Decisions")]
    assert "<td>label conflict</td><td>2</td>" in other and "<td>dark</td><td>1</td>" in other
    assert "exact copy of 0/3.png, labelled 0" in other and "darker than" in other
    assert "<td>duplicate</td><td>2</td>" in other  # the darkened image is a copy of 2/1.png too
    assert len(re.findall(r'class="tile"', other)) == 5  # both sets, the dark image


def test_html_report_says_how_many_suspects_are_likely_real(scored, tmp_path):
    scored.scores.health["expected_precision"] = 0.61  # a set large enough for the self-check
    write_report(scored, scored.health(), tmp_path / "report.html")
    said = f"{scored.review_counts().suspects:,} suspects, about 6 in 10 likely real \u00b7"
    assert said in (tmp_path / "report.html").read_text()


def test_the_rounds_chart_counts_whole_suspects():
    """Issue 23, item 21: no half-suspect ticks on the Rounds chart."""
    first = Round(1, "2026-12-03T00:00:00+00:00", 9, 1, 0.9, None, None, ("a.png",), model="lite0")
    rounds = [first, replace(first, number=2, suspects=2, health_score=0.95, new_suspects=1, cleared=0),
              replace(first, number=3, model="cnn")]  # scored another way: a new baseline
    axes = rounds_figure(rounds, Theme.for_dark(False)).axes[0]
    ticks = axes.get_yticks()
    assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks)
    assert [line.get_xdata()[0] for line in axes.lines] == [2.5]  # the one new baseline after the first
    assert [text.get_text() for text in axes.texts] == ["new baseline"]
    low, high = rounds_figure(rounds, Theme.for_dark(False)).axes[1].get_ylim()
    assert high - low >= 0.1  # health scores 0.9 and 0.95 are not drawn as a cliff
