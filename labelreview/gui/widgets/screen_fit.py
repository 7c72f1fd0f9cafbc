"""Open windows no larger than the screen they appear on (a 1366 x 768 laptop included)."""

from PySide6.QtWidgets import QWidget

SCREEN_SHARE = 0.9  # of the screen's free area, so the title bar and the edges stay in view


def fit_to_screen(widget: QWidget, width: int, height: int) -> None:
    """Resize ``widget`` to ``width`` x ``height``, or less where its screen is smaller."""
    screen = widget.screen().availableGeometry()
    widget.resize(min(width, int(screen.width() * SCREEN_SHARE)), min(height, int(screen.height() * SCREEN_SHARE)))
