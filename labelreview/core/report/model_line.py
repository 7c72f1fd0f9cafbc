"""Which model scored, in one line of HTML for the window's Health tab and the report."""

import html


def model_line(run: dict, agreement) -> str:
    """Which model scored, why, and how often it agrees with the current labels (HTML, for window and report)."""
    said = f"Model <b>{html.escape(run['model'])}</b> ({html.escape(run.get('model_reason', ''))}): " if "model" in run else ""
    said += (f"agrees with {agreement.overall:.0%} of the current labels "
             f"(always guessing the largest class: {agreement.chance:.0%})")
    if agreement.warning:
        said += f'<br><b style="color:#c62828">Warning:</b> {html.escape(agreement.warning)}'
    return said
