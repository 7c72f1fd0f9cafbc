"""What the window calls each kind of issue, in the issue selector and the Health tab's summary."""

from labelreview.core.findings.image_quality import QUALITY_KINDS

ISSUE_NAMES = {"label": "Label errors", "label_conflict": "Label conflicts", "duplicate": "Duplicates",
               "outlier": "Outliers", "quality": "Image quality", "all": "All images", "unreadable": "Unreadable files"}


def issue_name(issue: str) -> str:
    """What the selector calls ``issue``; quality kinds are indented under "Image quality"."""
    return "    " + issue.replace("_", " ").capitalize() if issue in QUALITY_KINDS else ISSUE_NAMES[issue]
