"""The colour folder the benchmarks share: ten category folders of Debian's public-domain clip art
(``openclipart-png``, which ``make bench`` installs), 2,642 readable images."""

from pathlib import Path

CLIPART = Path("/usr/share/openclipart/png")
CATEGORIES = ("animals", "food", "people", "transportation", "recreation", "tools", "office", "geography", "plants",
              "buildings")


def linked_clipart(folder: Path, root: Path = CLIPART) -> Path:
    """``folder`` (made if missing) with the ten category folders of ``root`` linked into it, one class each."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in CATEGORIES:
        if not (folder / name).exists():
            (folder / name).symlink_to(root / name)
    return folder
