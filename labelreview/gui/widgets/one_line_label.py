"""A label that keeps to one line, so that a long message never makes the panel around it grow and jump."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy


class OneLineLabel(QLabel):
    """Plain text on one line (line breaks shown as spaces), cut at the end with an ellipsis where its width ends,
    whole in the tooltip; it takes the width its layout gives it and asks for none (a long message cannot widen
    the window either)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.whole = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def text(self) -> str:
        return self.whole

    def setText(self, text: str) -> None:
        self.whole = text
        self.setToolTip(text)
        self._fit()

    def clear(self) -> None:
        self.setText("")

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        one_line = " ".join(self.whole.split())
        super().setText(self.fontMetrics().elidedText(one_line, Qt.TextElideMode.ElideRight, self.width()))
