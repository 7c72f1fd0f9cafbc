"""A one-file HTML health report (charts, tables, top suspects with thumbnails) that opens offline."""

import base64
import html
import io
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

from labelreview.core.atomic import write_text_atomic
from labelreview.core.data.images import to_image
from labelreview.core.findings.analysis import CLASS_QUALITY_COLUMNS, OVERLAP_COLUMNS
from labelreview.core.findings.health import Health
from labelreview.core.findings.image_quality import QUALITY_KINDS
from labelreview.core.findings.issue_table import DUPLICATE_KINDS
from labelreview.core.report.charts import Theme, class_quality_figure, confusion_figure, distribution_figure
from labelreview.core.report.summary_lines import health_line, model_line
from labelreview.core.review.session import ReviewSession

TOP_SUSPECTS = 60
EXAMPLES = 6  # of each other kind of issue
ISSUE_EXAMPLES = (*DUPLICATE_KINDS, "outlier", *QUALITY_KINDS)
STYLE = """body{font-family:system-ui,sans-serif;margin:2em;color:#202020}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}
th{background:#f3f3f3}td{overflow-wrap:anywhere}.tiles{display:flex;flex-wrap:wrap;gap:14px 10px}
.tile{width:120px;text-align:center;font-size:12px;overflow-wrap:anywhere}.where{color:#666}
.tile img{width:112px;height:112px;object-fit:contain;image-rendering:pixelated;border:1px solid #ccc}
img.chart{max-width:100%}"""


def _png(data) -> str:
    """``data:`` URI of a matplotlib figure or a PIL image."""
    buffer = io.BytesIO()
    if isinstance(data, Image.Image):
        data.save(buffer, format="PNG")
    else:
        data.savefig(buffer, format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _table(frame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    return f"<table><tr>{head}</tr>{rows}</table>"


def _agreement_table(names, health: Health) -> pd.DataFrame:
    return pd.DataFrame({"Class": names, "Images": health.given_counts,
                         "Predicted as itself": health.agreement.per_class})


def _humane(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """cleanlab's columns, named for people: ``label_noise`` -> "Label noise", ``class_a`` -> "Class A"."""
    def name(ours: str) -> str:
        text = " ".join(word.upper() if len(word) == 1 else word for word in ours.split("_"))
        return text[:1].upper() + text[1:]
    return frame[list(columns)].rename(columns={raw: name(ours) for raw, ours in columns.items()})


def _decisions(session: ReviewSession) -> str:
    """The curator's decisions: counts of each, then every decided image with its label before and after."""
    table = session.store.table
    decided = table[table["status"] != ""]
    counts = decided["status"].value_counts()
    said = " &middot; ".join(f"{counts.get(status, 0):,} {status}" for status in ("kept", "relabeled", "removed"))
    rows = pd.DataFrame({"Image": decided[session.store.key_column], "Decision": decided["status"],
                         "Label before": decided["original_label"], "Label now": decided["label"]})
    return f"<h2>Decisions</h2><p>{said}</p>" + (_table(rows) if len(rows) else "")


def _cell(value) -> str:
    return f"{value:.4f}" if isinstance(value, float | np.floating) else str(value)


def _suspect_tiles(session: ReviewSession) -> str:
    """The suspects the window shows, most suspicious first: the first TOP_SUSPECTS as tiles, each with the label
    it was given, the model's class and confidence, and the curator's decision if any."""
    scores, names, labels = session.scores, session.dataset.class_names, session.labels()
    given, statuses = session.original_dataset().labels, session.statuses()
    flagged = session.suspect_positions()
    worst = flagged[:TOP_SUSPECTS]
    tiles = [f"<h2>{'Top ' if len(worst) < len(flagged) else ''}{len(worst):,} of {len(flagged):,} suspects</h2>",
             '<div class="tiles">']
    for position in worst:
        decided = {"relabeled": f"<br>relabeled to {html.escape(names[labels[position]])}", "kept": "<br>kept",
                   "removed": "<br>removed"}.get(statuses[position], "")
        tiles.append(_tile(session, position, f"{html.escape(names[given[position]])} &rarr; "
                                              f"{html.escape(names[scores.predicted[position]])} "
                                              f"{scores.confidence[position]:.0%}{decided}"))
    return "".join(tiles) + "</div>"


def _tile(session: ReviewSession, position: int, caption: str) -> str:
    """One image with ``caption`` (HTML) above its path, which wraps within the tile."""
    image = to_image(session.dataset.thumbnail(position))
    where = html.escape(session.dataset.path_or_row(position))
    return f'<div class="tile"><img src="{_png(image)}" alt=""><br>{caption}<div class="where">{where}</div></div>'


def _other_issues(session: ReviewSession) -> str:
    """How many images have each kind of model-free issue, with the worst few of each and why."""
    if session.issues is None:
        return "<h2>Other issues</h2><p>Not searched (Review &rsaquo; Find duplicates, outliers and image issues).</p>"
    labels, names = session.labels(), session.dataset.class_names
    counts = session.issues.counts(labels)
    parts = ["<h2>Other issues</h2>", _table(pd.DataFrame(
        {"issue": [kind.replace("_", " ") for kind in ISSUE_EXAMPLES],
         "images": [counts[kind] for kind in ISSUE_EXAMPLES]}))]
    for kind in ISSUE_EXAMPLES:
        shown = session.issues.positions(kind, labels)[:EXAMPLES]
        if len(shown):
            parts.append(f"<h3>{kind.replace('_', ' ').capitalize()}</h3><div class='tiles'>")
            parts += [_tile(session, i, html.escape(names[labels[i]]) + "<br>" + "<br>".join(
                html.escape(reason) for reason in session.issues.reasons(i, labels, names))) for i in shown]
            parts.append("</div>")
    return "".join(parts)


def write_report(session: ReviewSession, health: Health, path: Path) -> None:
    """Write the report for ``session`` (its current labels and last scores) to ``path``, atomically."""
    theme = Theme.for_dark(False)
    analysis = health.analysis
    overlap = analysis.overlapping.head(20)
    parts = [
        f"<h1>Label health: {html.escape(session.dataset.name)}</h1>",
        f"<p>{datetime.now():%Y-%m-%d %H:%M} &middot; labels: {html.escape(str(session.store.path))}</p>",
        f"<p>{health_line(session, health)}</p>",
        f"<p>{model_line(session.scores.health, health.agreement)}</p>",
        _table(_agreement_table(session.dataset.class_names, health)),
        f'<img class="chart" src="{_png(class_quality_figure(health, theme))}" alt="label quality per class">',
        _table(_humane(analysis.class_quality, CLASS_QUALITY_COLUMNS)),
        f'<img class="chart" src="{_png(confusion_figure(health, theme)[0])}" alt="confusion matrix">',
        f'<img class="chart" src="{_png(distribution_figure(health, theme))}" alt="label distribution">',
        "<h2>Overlapping classes</h2>", _table(_humane(overlap, OVERLAP_COLUMNS)) if len(overlap) else "<p>None found.</p>",
        _suspect_tiles(session),
        _other_issues(session),
        _decisions(session),
        f"<h2>Unreadable files ({len(session.dataset.skipped):,})</h2>",
        "<ul>" + "".join(f"<li>{html.escape(s.path)}: {html.escape(s.reason)}</li>"
                         for s in session.dataset.skipped) + "</ul>",
    ]
    document = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>labelreview report</title>"
                f"<style>{STYLE}</style></head><body>{''.join(parts)}</body></html>\n")
    write_text_atomic(path, document)
