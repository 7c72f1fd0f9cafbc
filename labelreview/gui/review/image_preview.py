"""One image at full resolution: zoomed to fit or at 1:1 in a scroll area, with its size in pixels."""

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QScrollArea, QToolButton, QVBoxLayout, QWidget

MIN_SIDE = 192  # the panel fits under a 768-pixel screen; the view grows with the window
PREFERRED_SIDE = 360  # the panel's share of the window beside the grid


class ImagePreview(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.pixmap: QPixmap | None = None
        self.canvas = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.scroll = QScrollArea(alignment=Qt.AlignmentFlag.AlignCenter)
        self.scroll.setWidget(self.canvas)
        self.scroll.setMinimumSize(MIN_SIDE, MIN_SIDE)
        self.scroll.setStyleSheet("QScrollArea { background: palette(alternate-base); }")
        self.fit = QToolButton(text="Fit", checkable=True, checked=True, toolTip="Zoom the image to fit the view")
        self.actual = QToolButton(text="1:1", checkable=True,
                                  toolTip="One image pixel per screen pixel; scroll to move")
        group = QButtonGroup(self)
        for button in (self.fit, self.actual):
            group.addButton(button)
        group.buttonToggled.connect(self._render)
        self.size = QLabel()
        bar = QHBoxLayout()
        bar.addWidget(self.size, stretch=1)
        bar.addWidget(self.fit)
        bar.addWidget(self.actual)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll, stretch=1)
        layout.addLayout(bar)
        self.show_message("No image selected")

    def sizeHint(self) -> QSize:
        return QSize(PREFERRED_SIDE, PREFERRED_SIDE)

    def show_image(self, image: QImage, *, full: bool = True) -> None:
        """Show ``image``; ``full`` False marks a stand-in (the thumbnail) while the file is read."""
        self.pixmap = QPixmap.fromImage(image)
        self.size.setText(f"{image.width():,} \u00d7 {image.height():,} px" if full else "Reading the full image\u2026")
        self._render()

    def show_message(self, text: str) -> None:
        self.pixmap = None
        self.canvas.setText(text)
        self.canvas.adjustSize()
        self.size.clear()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._render()

    def _render(self, *_) -> None:
        if self.pixmap is None:
            return
        shown, fit = self.pixmap, self.fit.isChecked()
        for policy in (self.scroll.setHorizontalScrollBarPolicy, self.scroll.setVerticalScrollBarPolicy):
            policy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff if fit else Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        if fit:
            room = self.scroll.viewport().size()
            smaller = shown.width() > room.width() or shown.height() > room.height()
            shown = shown.scaled(room, Qt.AspectRatioMode.KeepAspectRatio,
                                 Qt.TransformationMode.SmoothTransformation if smaller  # no aliasing when shrunk
                                 else Qt.TransformationMode.FastTransformation)  # crisp pixels when enlarged
        self.canvas.setPixmap(shown)
        self.canvas.resize(shown.size())
