"""The summary lines the window's Health tab and the report share (HTML)."""

import html

from labelreview.core.findings.health import Health
from labelreview.core.findings.self_check import suspects_said
from labelreview.core.review.session import ReviewSession

SAME_SCORE = 0.0005  # health scores this close read the same at three decimals


def health_line(session: ReviewSession, health: Health) -> str:
    """Health score of the current labels (and the run's, when decisions since have moved it), scored images,
    suspects with the share likely real, and the estimated number of label errors."""
    now, scored = health.analysis.health_score, session.scores.health.get("health_score")
    moved = scored is not None and abs(now - scored) >= SAME_SCORE
    since = f" with your decisions so far ({scored:.3f} when scored)" if moved else ""
    return (f"<b>Health score {now:.3f}</b>{since} \u00b7 {len(health.positions):,} scored images \u00b7 "
            f"{suspects_said(session.review_counts().suspects, session.scores.expected_precision)} \u00b7 "
            f"about {health.estimated_errors:,} label errors estimated")


def model_line(run: dict, agreement) -> str:
    """Which model scored, why, and how often it agrees with the current labels (HTML, for window and report)."""
    said = f"Model <b>{html.escape(run['model'])}</b> ({html.escape(run.get('model_reason', ''))}): " if "model" in run else ""
    said += (f"agrees with {agreement.overall:.0%} of the current labels "
             f"(always guessing the largest class: {agreement.chance:.0%})")
    if agreement.warning:
        said += f'<br><b style="color:#c62828">Warning:</b> {html.escape(agreement.warning)}'
    return said
